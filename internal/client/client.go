// Package client is a small typed client for the Guayaba Sessions API.
//
// It retries throttled and transient failures (429, 502, 503, 504,
// connection errors and per-attempt timeouts) with exponential backoff and
// jitter through go-retryablehttp, honours Retry-After up to a cap, maps
// error responses to *APIError values that match sentinel errors with
// errors.Is, and logs every attempt through the terraform-plugin-log
// subsystem "guayaba_client" without ever logging the API key.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults applied by New.
const (
	// DefaultMaxRetries is used when Config.MaxRetries is negative.
	DefaultMaxRetries = 5
	// DefaultRequestTimeout bounds each attempt.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRetryWaitMin is the first backoff step.
	DefaultRetryWaitMin = 1 * time.Second
	// DefaultRetryWaitMax caps the exponential backoff.
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultMaxRetryAfter caps how long a Retry-After header makes us wait.
	DefaultMaxRetryAfter = 60 * time.Second
	// DefaultBaseURL is the production API.
	DefaultBaseURL = "https://api.guayaba.run/api/v1"
)

// maxBody bounds how much of a response body is read (history can be long).
const maxBody = 256 << 20

// Config configures a Client. Zero durations take their defaults.
type Config struct {
	// BaseURL is the API root including /api/v1; see ValidateBaseURL.
	BaseURL string
	// APIKey is the bearer key (g_master_… or g_agent_…). Required.
	APIKey string
	// MaxRetries is the number of retries after the first attempt, so a call
	// makes at most MaxRetries+1 requests. 0 disables retries; a negative
	// value selects DefaultMaxRetries. (The zero value therefore means "no
	// retries": callers that want the default pass DefaultMaxRetries or -1.)
	MaxRetries int
	// RequestTimeout bounds each attempt, including reading the body.
	RequestTimeout time.Duration
	// UserAgent is sent as User-Agent; see UserAgent. Defaults to
	// UserAgent("dev", "").
	UserAgent string
	// RetryWaitMin and RetryWaitMax bound the exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps a honoured Retry-After header.
	MaxRetryAfter time.Duration
	// HTTPClient, when set, supplies the transport (wrapped for logging)
	// and, if its Timeout is non-zero, the per-attempt timeout.
	HTTPClient *http.Client
	// OnAttempt, when set, is called after every attempt with the method,
	// the path relative to the base URL, the 1-based attempt number and the
	// status (0 when no response was received). It must be safe for
	// concurrent use.
	OnAttempt func(method, path string, attempt, status int)
}

// Stats counts the requests a Client has made.
type Stats struct {
	// Calls is the number of client method calls.
	Calls int64
	// Attempts is the number of HTTP requests sent.
	Attempts int64
	// Retries is Attempts minus first attempts.
	Retries int64
	// RateLimited counts attempts answered 429.
	RateLimited int64
	// ServerErrors counts attempts answered 5xx.
	ServerErrors int64
}

// Client calls the Guayaba Sessions API. It is safe for concurrent use.
type Client struct {
	base      string // base URL without trailing slash
	apiKey    string
	userAgent string
	timeout   time.Duration
	maxRetry  int
	rc        *retryablehttp.Client
	onAttempt func(method, path string, attempt, status int)
	throttle  *throttle // shared rate-limit gate; see throttle.go

	calls, attempts, retries, rateLimited, serverErrors atomic.Int64
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if err := ValidateBaseURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("the API key is empty: set api_key or GUAYABA_API_KEY")
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = UserAgent("dev", "")
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient // shallow copy: the caller's client is not modified
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = hc.Timeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	hc.Timeout = cfg.RequestTimeout
	next := hc.Transport
	if next == nil {
		next = cleanhttp.DefaultPooledTransport()
	}
	c := &Client{
		base:      strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/"),
		apiKey:    cfg.APIKey,
		userAgent: cfg.UserAgent,
		timeout:   cfg.RequestTimeout,
		maxRetry:  cfg.MaxRetries,
		onAttempt: cfg.OnAttempt,
		throttle:  newThrottle(cfg.MaxRetryAfter),
	}
	hc.Transport = &attemptTransport{next: next, client: c}

	maxRA := cfg.MaxRetryAfter
	c.rc = &retryablehttp.Client{
		HTTPClient:   &hc,
		Logger:       nil, // never let the library log; attemptTransport logs through tflog
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff: func(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
			return backoff(minWait, maxWait, maxRA, attemptNum, resp)
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		// Called before every attempt, before the per-attempt timeout
		// starts: wait at the shared rate-limit gate. A context that ends
		// while waiting makes the attempt fail at once, uncounted.
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			_ = c.throttle.wait(req.Context())
		},
	}
	return c, nil
}

// Stats returns the counters accumulated since New.
func (c *Client) Stats() Stats {
	return Stats{
		Calls:        c.calls.Load(),
		Attempts:     c.attempts.Load(),
		Retries:      c.retries.Load(),
		RateLimited:  c.rateLimited.Load(),
		ServerErrors: c.serverErrors.Load(),
	}
}

// MaxRetries returns the effective number of retries per call.
func (c *Client) MaxRetries() int { return c.maxRetry }

// UserAgent builds the User-Agent header
// "terraform-provider-guayaba/<version> Terraform/<cli version>". An empty
// provider version becomes "dev"; an empty Terraform version drops the
// second product.
func UserAgent(providerVersion, terraformVersion string) string {
	if providerVersion == "" {
		providerVersion = "dev"
	}
	ua := "terraform-provider-guayaba/" + providerVersion
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// ValidateBaseURL checks an API base URL: it must be an absolute http(s)
// URL with a host, no credentials, query or fragment, and it must use
// https:// unless the host is loopback (127.0.0.0/8, ::1 or localhost), so
// the key is never sent in clear text over a network. A trailing slash is
// accepted. The error is written for a Terraform user.
func ValidateBaseURL(raw string) error {
	s := strings.TrimSpace(raw)
	if s == "" {
		return errors.New("base_url is empty; use the API root, such as " + DefaultBaseURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("base_url %q is not a valid URL: %v; use the API root, such as %s", raw, unwrapURLError(err), DefaultBaseURL)
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("base_url %q is not an absolute URL; use the API root, such as %s", raw, DefaultBaseURL)
	}
	if u.User != nil {
		return fmt.Errorf("base_url %q must not contain credentials; give the key as api_key", redactUser(u))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("base_url %q must not have a query or fragment; use the API root, such as %s", raw, DefaultBaseURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("base_url %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("base_url %q has an invalid port %q", raw, p)
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(host) {
			return nil
		}
		return fmt.Errorf("base_url %q uses http://, which would send the API key unencrypted; use https:// "+
			"(http:// is accepted only for loopback hosts: 127.0.0.1, ::1, localhost)", raw)
	default:
		return fmt.Errorf("base_url %q has scheme %q; use https:// (or http:// for a loopback host)", raw, u.Scheme)
	}
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func redactUser(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}

func isLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkRetry retries 429, 502, 503 (except "Agent container is not
// running", a state only the user can fix: retrying would only delay the
// error by minutes), 504 and transport errors (refused or dropped
// connections, EOF, per-attempt timeouts). It never retries other 4xx or
// other 5xx, and stops as soon as the caller's context ends.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return false, err
		}
		// Redirect loops, bad schemes, bad headers and TLS certificate
		// failures are permanent; everything else is worth another try.
		return retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err)
	}
	if resp == nil {
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true, nil
	case http.StatusServiceUnavailable:
		body := peekBody(resp)
		var eb errorBody
		if json.Unmarshal(body, &eb) == nil && isNotRunning(jsonText(eb.Message)) {
			return false, nil
		}
		return true, nil
	}
	return false, nil
}

// peekBody reads a small error body and puts it back so it can be read again.
func peekBody(resp *http.Response) []byte {
	if resp.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// backoff waits for Retry-After when the response carries one (capped at
// maxRetryAfter), else exponentially from minWait, doubling per retry up to
// maxWait, with "equal jitter": a random wait in [d/2, d].
func backoff(minWait, maxWait, maxRetryAfter time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if ra > maxRetryAfter {
				ra = maxRetryAfter
			}
			return ra
		}
	}
	d := minWait
	for i := 0; i < attemptNum && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait {
		d = maxWait
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// parseRetryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// attemptTransport counts, reports and logs every attempt.
type attemptTransport struct {
	next   http.RoundTripper
	client *Client
}

// RoundTrip sends one attempt.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		// The caller gave up while waiting at the rate-limit gate: no attempt.
		return nil, err
	}
	st := callStateFrom(ctx)
	attempt := 1
	path := req.URL.Path
	op := ""
	if st != nil {
		attempt = int(st.attempts.Add(1))
		path = st.path
		op = st.op
	}
	c := t.client
	c.attempts.Add(1)
	if attempt > 1 {
		c.retries.Add(1)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	dur := time.Since(start)
	status := 0
	if err == nil {
		status = resp.StatusCode
		c.throttle.observe(resp, time.Now())
		if st != nil {
			st.lastStatus.Store(int64(status))
		}
		if status == http.StatusTooManyRequests {
			c.rateLimited.Add(1)
		} else if status >= 500 {
			c.serverErrors.Add(1)
		}
	}
	logAttempt(ctx, op, req.Method, path, attempt, status, dur, resp, err)
	if c.onAttempt != nil {
		c.onAttempt(req.Method, path, attempt, status)
	}
	return resp, err
}

// callState is the per-call bookkeeping carried on the request context.
type callState struct {
	op, path   string
	attempts   atomic.Int64
	lastStatus atomic.Int64
}

type callStateKey struct{}

func callStateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

var errBodyTooLarge = errors.New("response body too large")

// call describes one API call.
type call struct {
	op     string // "rename session"
	method string
	path   string // escaped, relative to base
	body   any    // JSON-encoded request body, or nil
	// sensitiveResponse suppresses trace logging of the response body.
	sensitiveResponse bool
}

// do performs a call and returns the status and body of a 2xx response, an
// *APIError for an error response, or a *TransportError.
func (c *Client) do(ctx context.Context, cl call) ([]byte, int, error) {
	c.calls.Add(1)
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		// Do not even try: the caller has given up.
		return nil, 0, &TransportError{Op: cl.op, Method: cl.method, Path: cl.path, PerAttemptTimeout: c.timeout, Err: err}
	}
	ctx = c.logContext(ctx)
	st := &callState{op: cl.op, path: cl.path}
	ctx = context.WithValue(ctx, callStateKey{}, st)

	var rawBody []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: encoding request: %w", cl.op, err)
		}
		rawBody = b
		logBody(ctx, "request body", cl, b)
	}
	var reqBody any
	if rawBody != nil {
		reqBody = rawBody // a byte slice is replayed on every retry
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, c.base+cl.path, reqBody)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: building request: %w", cl.op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if rawBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Read the body inside the retry loop so that a connection dropped or
	// timed out mid-body is retried like any other transport failure.
	var body []byte
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := readBody(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		body = b
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return nil
	})

	resp, err := c.rc.Do(req)
	attempts := int(st.attempts.Load())
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		te := &TransportError{
			Op: cl.op, Method: cl.method, Path: cl.path,
			Attempts: attempts, PerAttemptTimeout: c.timeout,
			LastStatus: int(st.lastStatus.Load()),
			Err:        err,
		}
		if ctx.Err() != nil {
			te.Err = ctx.Err()
			if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
				te.Err = fmt.Errorf("%w: %w", ctx.Err(), cause)
			}
		} else if isTimeout(err) {
			te.Timeout = true
		}
		logFailure(ctx, te)
		return nil, 0, te
	}
	defer resp.Body.Close()
	if body == nil {
		// The response handler did not run (retries exhausted on a
		// retryable status): read the last response now.
		b, rerr := readBody(resp.Body)
		if rerr != nil {
			te := &TransportError{
				Op: cl.op, Method: cl.method, Path: cl.path, Attempts: attempts,
				PerAttemptTimeout: c.timeout, LastStatus: resp.StatusCode,
				Timeout: isTimeout(rerr), Err: rerr,
			}
			logFailure(ctx, te)
			return nil, 0, te
		}
		body = b
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{
			Op: cl.op, Method: cl.method, Path: cl.path,
			StatusCode: resp.StatusCode, Attempts: attempts,
		}
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			ae.RetryAfter = ra
		}
		ae.parseErrorBody(body)
		logBody(ctx, "error response body", cl, body)
		logFailure(ctx, ae)
		return nil, resp.StatusCode, ae
	}
	if !cl.sensitiveResponse {
		logBody(ctx, "response body", cl, body)
	}
	return body, resp.StatusCode, nil
}

func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, errBodyTooLarge
	}
	return b, nil
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// decodeList decodes a success body that must be a bare JSON array; null
// gives an empty list.
func decodeList[T any](cl call, status int, body []byte, out *[]T) error {
	t := bytes.TrimSpace(body)
	fail := func(err error) error {
		de := &DecodeError{Op: cl.op, Method: cl.method, Path: cl.path, StatusCode: status, Err: err}
		if !cl.sensitiveResponse {
			de.Body = truncate(string(t), 512)
		}
		return de
	}
	switch {
	case len(t) == 0:
		return fail(errors.New("empty body, want a JSON array"))
	case string(t) == "null":
		*out = []T{}
		return nil
	case t[0] != '[':
		return fail(errors.New("want a JSON array"))
	}
	var list []T
	if err := json.Unmarshal(t, &list); err != nil {
		return fail(err)
	}
	if list == nil {
		list = []T{}
	}
	*out = list
	return nil
}
