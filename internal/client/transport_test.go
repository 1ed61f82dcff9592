package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "g_master_0123456789abcdef0123456789abcdef0123456789abcdef"

// fastClient returns a client for url with short backoffs.
func fastClient(t *testing.T, url string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:        url,
		APIKey:         testKey,
		MaxRetries:     new(3),
		RequestTimeout: 5 * time.Second,
		RetryWaitMin:   5 * time.Millisecond,
		RetryWaitMax:   20 * time.Millisecond,
		UserAgent:      UserAgent("1.2.3", "1.9.0"),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type recorded struct {
	method, path, rawPath, body, auth, ua, ctype string
}

func TestRequestShapes(t *testing.T) {
	var reqs []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs = append(reqs, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), string(b), r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Content-Type")})
		switch {
		case strings.HasSuffix(r.URL.Path, "/sessions/history"), strings.HasSuffix(r.URL.Path, "/sessions"), strings.HasSuffix(r.URL.Path, "/archives"):
			_, _ = io.WriteString(w, "[]")
		default:
			_, _ = io.WriteString(w, `{"success":true,"message":"ok"}`)
		}
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL+"/api/v1/", nil)
	ctx := context.Background()
	label := "Support"
	agent := "a/b c"
	steps := []func() error{
		func() error { _, err := c.ListSessions(ctx, agent); return err },
		func() error { _, err := c.History(ctx, agent, "agent:main:main", 50); return err },
		func() error { return c.Rename(ctx, agent, "k:1", &label) },
		func() error { return c.Rename(ctx, agent, "k:1", nil) },
		func() error { return c.Archive(ctx, agent, "k:1") },
		func() error { return c.Delete(ctx, agent, "k:1") },
		func() error { _, err := c.ListArchives(ctx, agent); return err },
		func() error { return c.Restore(ctx, agent, "f.jsonl", nil) },
		func() error { return c.Restore(ctx, agent, "f.jsonl", &label) },
		func() error { return c.DeleteArchive(ctx, agent, "f.jsonl") },
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []struct{ method, path, body string }{
		{"GET", "/sessions", ""},
		{"POST", "/sessions/history", `{"sessionKey":"agent:main:main","limit":50}`},
		{"POST", "/sessions/rename", `{"key":"k:1","label":"Support"}`},
		{"POST", "/sessions/rename", `{"key":"k:1","label":null}`},
		{"POST", "/sessions/archive", `{"key":"k:1"}`},
		{"POST", "/sessions/delete", `{"key":"k:1"}`},
		{"GET", "/archives", ""},
		{"POST", "/archives/restore", `{"filename":"f.jsonl"}`},
		{"POST", "/archives/restore", `{"filename":"f.jsonl","label":"Support"}`},
		{"POST", "/archives/delete", `{"filename":"f.jsonl"}`},
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, w := range want {
		r := reqs[i]
		if r.method != w.method || r.rawPath != "/api/v1/agents/a%2Fb%20c"+w.path || r.body != w.body {
			t.Errorf("request %d = %s %s %s, want %s %s", i, r.method, r.rawPath, r.body, w.method, w.body)
		}
		if r.auth != "Bearer "+testKey || r.ua != "terraform-provider-guayaba/1.2.3 Terraform/1.9.0" {
			t.Errorf("request %d headers: %q %q", i, r.auth, r.ua)
		}
		if w.body != "" && r.ctype != "application/json" {
			t.Errorf("request %d content type %q", i, r.ctype)
		}
	}
}

func TestSuccessBodiesIgnored(t *testing.T) {
	for _, body := range []string{"", "{}", `{"success":true,"message":"Session renamed"}`, "OK", "<html>fine</html>"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, body)
		}))
		c := fastClient(t, srv.URL, nil)
		if err := c.Archive(context.Background(), "a", "k"); err != nil {
			t.Errorf("body %q: %v", body, err)
		}
		srv.Close()
	}
}

// statusServer answers every request with status, body and headers, and
// counts requests.
func statusServer(t *testing.T, status int, body string, hdr map[string]string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestErrorMappingAndRetryPolicy(t *testing.T) {
	all := []error{ErrNotFound, ErrAgentNotFound, ErrSessionNotFound, ErrUnauthorized, ErrForbidden, ErrScope,
		ErrSubscription, ErrOtherAgent, ErrConflict, ErrValidation, ErrRateLimited, ErrAgentNotRunning, ErrBadGateway, ErrServer}
	cases := []struct {
		name     string
		status   int
		body     string
		want     []error
		attempts int64
	}{
		{"400", 400, `{"error":"Bad Request","message":"bad"}`, []error{ErrValidation}, 1},
		{"401", 401, `{"error":"Unauthorized","message":"Invalid or revoked API key"}`, []error{ErrUnauthorized}, 1},
		{"403 subscription", 403, `{"error":"Forbidden","message":"An active subscription is required to use the API"}`, []error{ErrForbidden, ErrSubscription}, 1},
		{"403 scope", 403, `{"error":"Forbidden","message":"This API key lacks the required scope: agent:manage"}`, []error{ErrForbidden, ErrScope}, 1},
		{"403 other agent", 403, `{"error":"Forbidden","message":"This API key does not belong to this agent"}`, []error{ErrForbidden, ErrOtherAgent}, 1},
		{"403 html", 403, `<html>denied by WAF</html>`, []error{ErrForbidden}, 1},
		{"404 agent", 404, `{"error":"Not Found","message":"Agent not found"}`, []error{ErrNotFound, ErrAgentNotFound}, 1},
		{"404 session", 404, `{"error":"Not Found","message":"Session not found"}`, []error{ErrNotFound, ErrSessionNotFound}, 1},
		{"404 route", 404, `{"message":"The route api/v1/agents/x/sessions could not be found."}`, []error{ErrNotFound}, 1},
		{"404 archive", 404, `{"error":"Not Found","message":"Archive not found"}`, []error{ErrNotFound, ErrSessionNotFound}, 1},
		{"404 html", 404, `<html>no such page</html>`, []error{ErrNotFound}, 1},
		{"409", 409, `{"error":"Conflict","message":"A session with this key is active"}`, []error{ErrConflict}, 1},
		{"422", 422, `{"message":"The given data was invalid.","errors":{"label":["label already in use: x"]}}`, []error{ErrValidation}, 1},
		{"500", 500, `{"error":"Server Error","message":"boom"}`, []error{ErrServer}, 3},
		{"503 not running", 503, `{"error":"Service Unavailable","message":"Agent container is not running"}`, []error{ErrAgentNotRunning}, 1},
		{"429", 429, `{"message":"Too Many Attempts."}`, []error{ErrRateLimited}, 3},
		{"502", 502, `{"error":"Bad Gateway","message":"Failed to communicate with the agent container"}`, []error{ErrBadGateway}, 3},
		{"502 html", 502, `<html><body><h1>502 Bad Gateway</h1></body></html>`, []error{ErrBadGateway}, 3},
		{"503 other", 503, `{"error":"Service Unavailable","message":"Maintenance"}`, []error{ErrServer}, 3},
		{"504", 504, ``, []error{ErrServer}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := statusServer(t, tc.status, tc.body, nil)
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(2) })
			err := c.Rename(context.Background(), "agent-1", "k", nil)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			if ae.StatusCode != tc.status || ae.Op != "rename session" || ae.Method != "POST" || ae.Path != "/agents/agent-1/sessions/rename" {
				t.Errorf("fields: %+v", ae)
			}
			for _, s := range all {
				want := false
				for _, w := range tc.want {
					want = want || w == s
				}
				if errors.Is(err, s) != want {
					t.Errorf("errors.Is(%v) = %v, want %v (err: %v)", s, !want, want, err)
				}
			}
			if got := n.Load(); got != tc.attempts || int64(ae.Attempts) != tc.attempts {
				t.Errorf("attempts: server %d, error %d, want %d", got, ae.Attempts, tc.attempts)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "rename session: HTTP ") {
				t.Errorf("message: %s", msg)
			}
			if tc.attempts > 1 && !strings.Contains(msg, "gave up after 3 attempts") {
				t.Errorf("message lacks attempts: %s", msg)
			}
			if strings.Contains(msg, "<") {
				t.Errorf("message keeps tags: %s", msg)
			}
			t.Log(msg)
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var n atomic.Int64
	var first time.Time
	var gap time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		case 2:
			gap = time.Since(first)
			w.Header().Set("Retry-After", time.Now().Add(time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
		default:
			_, _ = io.WriteString(w, "[]")
		}
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetryAfter = 2 * time.Second })
	if _, err := c.ListSessions(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if gap < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 waited only %v", gap)
	}
	if st := c.Stats(); st.Attempts != 3 || st.Retries != 2 || st.RateLimited != 1 || st.ServerErrors != 1 || st.Calls != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"86400", 24 * time.Hour, true},
		{"86401", 24 * time.Hour, true},
		{"99999999999999999999999", 24 * time.Hour, true},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for i := 0; i < 10; i++ {
		d := backoff(100*time.Millisecond, time.Second, i, nil)
		if d < 50*time.Millisecond || d > time.Second {
			t.Errorf("backoff %d = %v", i, d)
		}
	}
}

func TestDroppedConnectionRetried(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	var seen []int
	c := fastClient(t, srv.URL, nil)
	c.OnAttempt(func(_, _ string, attempt, status int) { seen = append(seen, attempt, status) })
	if err := c.Archive(context.Background(), "a", "k"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("server saw %d requests", n.Load())
	}
	if want := []int{1, 0, 2, 0, 3, 200}; len(seen) != 6 || seen[0] != 1 || seen[4] != 3 || seen[5] != 200 {
		t.Errorf("OnAttempt saw %v, want %v", seen, want)
	}
}

func TestDroppedConnectionExhausted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := http.NewResponseController(w).Hijack()
		_ = conn.Close()
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(2) })
	err := c.Delete(context.Background(), "a", "k")
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 3 || te.Timeout {
		t.Fatalf("got %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "delete session: POST /agents/a/sessions/delete: no response after 3 attempts: ") {
		t.Errorf("message %s", err)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.ReadAll(r.Body)
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(2)
		cfg.RequestTimeout = 200 * time.Millisecond
	})
	start := time.Now()
	err := c.Rename(context.Background(), "a", "k", nil)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout || te.Attempts != 3 {
		t.Fatalf("got %#v", err)
	}
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Errorf("took %v", el)
	}
	want := "rename session: POST /agents/a/sessions/rename: no response after 3 attempts: timeout after 200ms per attempt"
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
}

func TestCancelledContextStopsRetries(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(10)
		cfg.RetryWaitMin = 2 * time.Second
		cfg.RetryWaitMax = 2 * time.Second
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ListSessions(ctx, "a")
	el := time.Since(start)
	var te *TransportError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &te) || te.Attempts != 1 || te.LastStatus != 503 {
		t.Fatalf("got %v", err)
	}
	if el > 800*time.Millisecond {
		t.Errorf("cancel took %v", el)
	}
	if _, err := c.ListSessions(ctx, "a"); !errors.Is(err, context.Canceled) || !errors.As(err, &te) || te.Attempts != 0 {
		t.Errorf("cancelled context: %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", n.Load())
	}
}

func TestCancelledContextReportsLastStatus(t *testing.T) {
	srv, n := statusServer(t, 502, `{"error":"Bad Gateway","message":"x"}`, nil)
	c := fastClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(10)
		cfg.RetryWaitMin = time.Second
		cfg.RetryWaitMax = time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.ListArchives(ctx, "a")
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.LastStatus != 502 || te.Attempts != 1 {
		t.Fatalf("got %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("server saw %d", n.Load())
	}
	if !strings.Contains(err.Error(), "stopped after 1 attempt") || !strings.Contains(err.Error(), "last response: HTTP 502") {
		t.Errorf("message %s", err)
	}
}

func TestMaxRetriesZero(t *testing.T) {
	srv, n := statusServer(t, 429, `{"message":"Too Many Attempts."}`, map[string]string{"Retry-After": "7"})
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(0) })
	_, err := c.ListSessions(context.Background(), "a")
	var ae *APIError
	if !errors.As(err, &ae) || ae.RetryAfter != 7*time.Second || ae.Attempts != 1 || n.Load() != 1 {
		t.Fatalf("%v %+v", err, ae)
	}
	// The zero value is the default; a negative count is refused.
	d, err := New(Config{BaseURL: srv.URL, APIKey: "k"})
	if err != nil || d.MaxRetries() != DefaultMaxRetries {
		t.Errorf("default retries %d (%v)", d.MaxRetries(), err)
	}
	if _, err := New(Config{BaseURL: srv.URL, APIKey: "k", MaxRetries: new(-1)}); err == nil {
		t.Error("a negative number of retries accepted")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{BaseURL: "http://example.com", APIKey: "k"}); err == nil {
		t.Error("http non-loopback accepted")
	}
	if _, err := New(Config{BaseURL: "https://example.com", APIKey: " "}); !errors.Is(err, ErrNoAPIKey) {
		t.Errorf("empty key: %v, want ErrNoAPIKey", err)
	}
	c, err := New(Config{BaseURL: "https://example.com/api/v1/", APIKey: "k"})
	if err != nil || c.base != "https://example.com/api/v1" || c.timeout != DefaultRequestTimeout {
		t.Errorf("%v %+v", err, c)
	}
}

func TestValidateBaseURL(t *testing.T) {
	ok := []string{
		"https://api.guayaba.run/api/v1", "https://api.guayaba.run/api/v1/", "HTTPS://API.GUAYABA.RUN/api/v1",
		"http://127.0.0.1:8080/api/v1", "http://127.1.2.3/api/v1", "http://[::1]:9000/api/v1",
		"http://localhost:8080/api/v1", "http://LOCALHOST/api/v1", "https://10.0.0.1/api/v1", "https://app.localhost/api/v1",
	}
	bad := map[string]string{
		"":                                         "empty",
		"http://api.guayaba.run/api/v1":            "https://",
		"http://10.0.0.1/api/v1":                   "https://",
		"http://localhost.example.com/api/v1":      "https://",
		"http://[::2]/api/v1":                      "https://",
		"ftp://api.guayaba.run":                    "scheme",
		"api.guayaba.run/api/v1":                   "absolute",
		"/api/v1":                                  "absolute",
		"https://":                                 "absolute",
		"https://user:secret@api.guayaba.run/":     "credentials",
		"https://api.guayaba.run/api/v1?x=1":       "query",
		"https://api.guayaba.run/api/v1#frag":      "fragment",
		"https://api.guayaba.run:99999/api/v1":     "port",
		"https://api.guayaba.run:bad/api/v1":       "valid URL",
		"https://api guayaba.run/api/v1":           "valid URL",
		"mailto:someone@example.com":               "absolute",
		"https://%zz/":                             "valid URL",
		"http://127.0.0.1.evil.example.com/api/v1": "https://",
		"http://app.localhost/api/v1":              "https://",
		"http://localhost./api/v1":                 "https://",
		"http://127.0.0.1.nip.io/api/v1":           "https://",
	}
	for _, s := range ok {
		if err := ValidateBaseURL(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for s, want := range bad {
		err := ValidateBaseURL(s)
		var be *BaseURLError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want a *BaseURLError containing %q", s, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error leaks credentials: %v", s, err)
		}
	}
}

func TestUserAgent(t *testing.T) {
	if got := UserAgent("1.0.0", "1.10.2"); got != "terraform-provider-guayaba/1.0.0 Terraform/1.10.2" {
		t.Error(got)
	}
	if got := UserAgent("", ""); got != "terraform-provider-guayaba/dev" {
		t.Error(got)
	}
}

func TestErrorBodyJSONShapes(t *testing.T) {
	// Odd but valid JSON error bodies never break the mapping.
	for _, body := range []string{`{"error":5,"message":{"x":1}}`, `[]`, `null`, `"text"`, `{"errors":["a"]}`, `{"errors":{"label":"one"}}`} {
		e := &APIError{StatusCode: 422}
		e.parseErrorBody([]byte(body), nil)
		if !errors.Is(e, ErrValidation) || e.Error() == "" {
			t.Errorf("%s: %+v", body, e)
		}
	}
	b, _ := json.Marshal(strings.Repeat("é", 5000))
	e := &APIError{StatusCode: 500}
	e.parseErrorBody(b[1:len(b)-1], nil)
	if len([]rune(e.Body)) > maxErrorBody+1 {
		t.Errorf("body not truncated: %d", len(e.Body))
	}
}
