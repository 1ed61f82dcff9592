// Package client is a small typed client for the Guayaba Sessions API.
//
// It retries throttled and transient failures (429, 500, 502, 503, 504,
// connection errors and per-attempt timeouts) with exponential backoff and
// jitter through go-retryablehttp, honours Retry-After up to a cap (and
// stops, saying so, when the platform asks for longer), maps error
// responses to *APIError values that match sentinel errors with errors.Is,
// and logs every attempt through the terraform-plugin-log subsystem
// "guayaba_client" without ever logging the API key.
//
// It treats the server as untrusted: it never follows a redirect (which
// would carry the key elsewhere), reads every answer within bounds (a few
// KiB of an error answer; listings and histories element by element, within
// MaxAnswerBytes and the bounds beside it), and scrubs the key and control
// characters from every text taken from an answer before it becomes an
// error.
package client

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults applied by New.
const (
	// DefaultMaxRetries is used when Config.MaxRetries is nil.
	DefaultMaxRetries = 5
	// DefaultRequestTimeout bounds each attempt.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRetryWaitMin is the first backoff step.
	DefaultRetryWaitMin = 1 * time.Second
	// DefaultRetryWaitMax caps the exponential backoff.
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After the client waits; a
	// longer one ends the call with an error saying how long to wait.
	DefaultMaxRetryAfter = 60 * time.Second
	// DefaultBaseURL is the production API.
	DefaultBaseURL = "https://api.guayaba.run/api/v1"
)

// EnvAppendUserAgent names the environment variable whose value is appended
// to the User-Agent, as every HashiCorp provider does.
const EnvAppendUserAgent = "TF_APPEND_USER_AGENT"

// Config configures a Client. Zero values take their defaults.
type Config struct {
	// BaseURL is the API root including /api/v1; see ValidateBaseURL.
	BaseURL string
	// APIKey is the bearer key (g_master_… or g_agent_…). Required.
	APIKey string
	// MaxRetries is the number of retries after the first attempt, so a call
	// makes at most *MaxRetries+1 requests; nil selects DefaultMaxRetries,
	// new(0) disables retries.
	MaxRetries *int
	// RequestTimeout bounds each attempt, including reading the body.
	RequestTimeout time.Duration
	// UserAgent is sent as User-Agent; see UserAgent. Defaults to
	// UserAgent("dev", "").
	UserAgent string
	// RetryWaitMin and RetryWaitMax bound the exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one ends
	// the call (see APIError.RetryAfter).
	MaxRetryAfter time.Duration
	// HTTPClient, when set, supplies the transport (wrapped for logging)
	// and, if its Timeout is non-zero, the per-attempt timeout. Its
	// CheckRedirect is replaced: redirects are never followed.
	HTTPClient *http.Client
}

// ErrNoAPIKey is New refusing an empty API key.
var ErrNoAPIKey = errors.New("the API key is empty")

// Client calls the Guayaba Sessions API. It is safe for concurrent use.
type Client struct {
	base          string // base URL without trailing slash
	apiKey        string
	userAgent     string
	timeout       time.Duration
	maxRetry      int
	maxRetryAfter time.Duration
	rc            *retryablehttp.Client
	throttle      *throttle     // shared rate-limit gate; see throttle.go
	scrub         *scrubber     // removes the key from texts taken from answers
	largeAnswer   chan struct{} // one answer past smallAnswerBytes at a time

	// Counters of the requests made, and a hook called after every attempt
	// (method, path, 1-based attempt, status or 0), for tests.
	calls, attempts, retries, rateLimited, serverErrors atomic.Int64
	onAttempt                                           func(method, path string, attempt, status int)
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	maxRetries, err := cfg.check()
	if err != nil {
		return nil, err
	}
	cfg.fillDefaults()
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
	// The API has no reason to redirect, and following one would carry
	// the key (and a write's body) to wherever it points: hand the 3xx back
	// as the answer, which do reports as an error.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	next := hc.Transport
	if next == nil {
		next = newTransport(base)
	}
	c := &Client{
		base:          base,
		apiKey:        cfg.APIKey,
		userAgent:     cfg.UserAgent,
		timeout:       cfg.RequestTimeout,
		maxRetry:      maxRetries,
		maxRetryAfter: cfg.MaxRetryAfter,
		throttle:      newThrottle(cfg.MaxRetryAfter),
		scrub:         newScrubber(cfg.APIKey),
		largeAnswer:   make(chan struct{}, 1),
	}
	hc.Transport = &attemptTransport{next: next, client: c}

	c.rc = &retryablehttp.Client{
		HTTPClient:   &hc,
		Logger:       nil, // never let the library log; attemptTransport logs through tflog
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      backoff,
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

// check validates the base URL, the key and the retries, and returns the
// number of retries.
func (cfg Config) check() (int, error) {
	if err := ValidateBaseURL(cfg.BaseURL); err != nil {
		return 0, err
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return 0, ErrNoAPIKey
	}
	maxRetries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = *cfg.MaxRetries
	}
	if maxRetries < 0 {
		return 0, fmt.Errorf("the number of retries is negative (%d)", maxRetries)
	}
	return maxRetries, nil
}

// fillDefaults sets the backoff, Retry-After and User-Agent defaults.
func (cfg *Config) fillDefaults() {
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
}

// MaxRetries returns the effective number of retries per call.
func (c *Client) MaxRetries() int { return c.maxRetry }

// newTransport is the default transport: pooled, and with no proxy at all
// for a plain-http (loopback) base URL, so the key never travels in clear
// text through an HTTP_PROXY.
func newTransport(base string) *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	if u, err := url.Parse(base); err == nil && strings.EqualFold(u.Scheme, "http") {
		t.Proxy = nil
	}
	return t
}

// UserAgent builds the User-Agent header
// "terraform-provider-guayaba/<version> Terraform/<cli version>", followed
// by the value of TF_APPEND_USER_AGENT when set. An empty provider version
// becomes "dev"; an empty Terraform version drops the second product.
// Control characters in the appended value become spaces (a header cannot
// carry them).
func UserAgent(providerVersion, terraformVersion string) string {
	if providerVersion == "" {
		providerVersion = "dev"
	}
	ua := "terraform-provider-guayaba/" + providerVersion
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	if extra := strings.TrimSpace(stripControl(os.Getenv(EnvAppendUserAgent))); extra != "" {
		ua += " " + extra
	}
	return ua
}

// ValidateBaseURL checks an API base URL: it must be an absolute http(s)
// URL with a host, no credentials, query or fragment, and it must use
// https:// unless the host is a loopback IP literal (127.0.0.0/8, ::1) or
// exactly "localhost", so the key is never sent in clear text over a
// network. (Other names, *.localhost included, go through DNS and may go
// through a proxy.) A trailing slash is accepted. The error is a
// *BaseURLError.
func ValidateBaseURL(raw string) error {
	s := strings.TrimSpace(raw)
	if s == "" {
		return &BaseURLError{Problem: BaseURLEmpty}
	}
	u, err := url.Parse(s)
	if err != nil {
		return &BaseURLError{URL: raw, Problem: BaseURLInvalid, Detail: unwrapURLError(err).Error()}
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return &BaseURLError{URL: raw, Problem: BaseURLNotAbsolute}
	}
	if u.User != nil {
		return &BaseURLError{URL: redactUser(u), Problem: BaseURLCredentials}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return &BaseURLError{URL: raw, Problem: BaseURLQuery}
	}
	host := u.Hostname()
	if host == "" {
		return &BaseURLError{URL: raw, Problem: BaseURLNoHost}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return &BaseURLError{URL: raw, Problem: BaseURLPort, Detail: p}
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(host) {
			return nil
		}
		return &BaseURLError{URL: raw, Problem: BaseURLInsecure}
	default:
		return &BaseURLError{URL: raw, Problem: BaseURLScheme, Detail: u.Scheme}
	}
}

// BaseURLProblem is what is wrong with a base URL.
type BaseURLProblem int

// The problems of a base URL, in the order ValidateBaseURL checks them.
const (
	BaseURLEmpty       BaseURLProblem = iota + 1
	BaseURLInvalid                    // it does not parse (Detail: why)
	BaseURLNotAbsolute                // no scheme or host
	BaseURLCredentials                // user information
	BaseURLQuery                      // a query or fragment
	BaseURLNoHost                     // an empty host name
	BaseURLPort                       // an invalid port (Detail: the port)
	BaseURLInsecure                   // http:// to a host that is not loopback
	BaseURLScheme                     // neither http nor https (Detail: the scheme)
)

// BaseURLError is a base URL the client refuses.
type BaseURLError struct {
	// URL is the URL as given, its password redacted.
	URL     string
	Problem BaseURLProblem
	// Detail is the parse error, the port or the scheme, by Problem.
	Detail string
}

// Error says what is wrong.
func (e *BaseURLError) Error() string {
	u := fmt.Sprintf("the base URL %q", e.URL)
	switch e.Problem {
	case BaseURLEmpty:
		return "the base URL is empty"
	case BaseURLInvalid:
		return u + " is not a valid URL: " + e.Detail
	case BaseURLNotAbsolute:
		return u + " is not an absolute URL"
	case BaseURLCredentials:
		return u + " contains credentials"
	case BaseURLQuery:
		return u + " has a query or fragment"
	case BaseURLNoHost:
		return u + " has no host"
	case BaseURLPort:
		return fmt.Sprintf("%s has an invalid port %q", u, e.Detail)
	case BaseURLInsecure:
		return u + " uses http://, which would send the API key unencrypted: only https:// is accepted, or http:// " +
			"for a loopback IP address such as 127.0.0.1 or ::1, or the name localhost"
	}
	return fmt.Sprintf("%s has scheme %q: only https:// is accepted, or http:// for a loopback host", u, e.Detail)
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

// isLoopback accepts loopback IP literals and the exact name localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
