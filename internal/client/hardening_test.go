package client

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The client against a hostile or broken server: redirects, echoed keys,
// oversized and compressed answers, stalled bodies, misleading statuses,
// long Retry-After values and malformed listings.

// A redirect is never followed, whatever its status and method: the key and
// the body stay home, a rename turned into a GET is not taken for success,
// and the error names the target (without its query), as a fact: what to do
// about it is the provider's to say.
func TestRedirectNeverFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = io.WriteString(w, "[]")
	}))
	defer target.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			srv, n := statusServer(t, status, "", map[string]string{
				"Location": target.URL + "/api/v1/agents/a/sessions/rename?token=" + testKey + "#frag",
			})
			c := fastClient(t, srv.URL+"/api/v1", nil)
			for name, call := range map[string]func() error{
				"rename": func() error { return c.Rename(context.Background(), "a", "k", nil) },
				"list":   func() error { _, err := c.ListSessions(context.Background(), "a"); return err },
			} {
				err := call()
				var ae *APIError
				if !errors.As(err, &ae) || !errors.Is(err, ErrRedirect) || ae.StatusCode != status || ae.Attempts != 1 {
					t.Fatalf("%s: want a redirect error after one attempt, got %v", name, err)
				}
				msg := err.Error()
				for _, want := range []string{target.URL + "/api/v1/agents/a/sessions/rename", "not followed"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: error lacks %q: %s", name, want, msg)
					}
				}
				if strings.Contains(msg, "base_url") {
					t.Errorf("%s: the client's error gives Terraform advice: %s", name, msg)
				}
				if strings.Contains(msg, "token") || strings.Contains(msg, "frag") || strings.Contains(msg, testKey[9:]) {
					t.Errorf("%s: error keeps the Location's query or fragment: %s", name, msg)
				}
			}
			if n.Load() != 2 {
				t.Errorf("the redirecting server saw %d requests, want 2 (never retried)", n.Load())
			}
		})
	}
	t.Cleanup(func() {
		if elsewhere.Load() != 0 {
			t.Errorf("the redirect target got %d requests", elsewhere.Load())
		}
	})
}

// A server echoing the key (plain, JSON-escaped, as HTML entities, in any
// letter case, in field errors, in a malformed status line) and writing
// ANSI escapes and newlines: no error text carries any of it.
func TestEchoedKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	tail := strings.TrimPrefix(testKey, "g_master_")
	escaped := `\u0067_master_` + tail
	entities := "&#103;_master_" + tail
	cases := []struct {
		name, body string
		status     int
		list       bool
	}{
		{"401 message", `{"error":"Unauthorized","message":"Invalid key ` + testKey + `"}`, 401, false},
		{"401 escaped", `{"error":"Unauthorized","message":"Invalid key ` + escaped + `"}`, 401, false},
		{"422 field errors", `{"message":"bad","errors":{"` + testKey + `":["` + strings.ToUpper(tail) + `"]}}`, 422, false},
		{"502 html", `<html><body><h1>502</h1><pre>Authorization: Bearer ` + testKey + `</pre></body></html>`, 502, false},
		{"502 html entities", `<html><body>Bearer ` + entities + `</body></html>`, 502, false},
		{"403 ansi", `{"error":"Forbidden","message":"\u001b[2J\u001b]0;pwned\u0007denied\nline two\r` + tail + `"}`, 403, false},
		{"200 html list", `<html>` + testKey + `</html>`, 200, true},
		{"200 bad element", `[{"key":"` + testKey + `","label":{"x":"` + testKey + `"}}]`, 200, true},
		{"200 duplicate", `[{"key":"` + testKey + `"},{"key":"` + testKey + `"}]`, 200, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := statusServer(t, tc.status, tc.body, nil)
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(0) })
			var err error
			if tc.list {
				_, err = c.ListSessions(context.Background(), "a")
			} else {
				err = c.Rename(context.Background(), "a", "k", nil)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			expectClean(t, err.Error())
		})
	}
	t.Run("malformed status line", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = fmt.Fprintf(buf, "HTTP/1.1 2x0 %s\x1b[31m\r\n\r\n", testKey)
			_ = buf.Flush()
		}))
		defer srv.Close()
		c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(0) })
		_, err := c.ListSessions(context.Background(), "a")
		var te *TransportError
		if !errors.As(err, &te) {
			t.Fatalf("want a transport error, got %v", err)
		}
		expectClean(t, err.Error())
	})
}

func expectClean(t *testing.T, msg string) {
	t.Helper()
	tail := strings.TrimPrefix(testKey, "g_master_")
	for _, s := range []string{tail, strings.ToUpper(tail), tail[:16], "\x1b", "\n", "\r", "\a", "_master_0123"} {
		if strings.Contains(msg, s) {
			t.Errorf("error contains %q: %q", s, msg)
		}
	}
	t.Log(msg)
}

// Plain http is for loopback only, and never through a proxy.
func TestPlainHTTPNeverProxied(t *testing.T) {
	t.Parallel()
	if tr := newTransport("http://127.0.0.1:8080/api/v1"); tr.Proxy != nil {
		t.Error("a plain-http base uses the environment's proxy")
	}
	if tr := newTransport("https://api.guayaba.run/api/v1"); tr.Proxy == nil {
		t.Error("an https base ignores the environment's proxy")
	}
}

// hugeBody streams prefix, then filler bytes until n bytes in all or the
// client hangs up, and counts what it wrote.
func hugeBody(w io.Writer, prefix string, filler byte, n int64, written *atomic.Int64) {
	chunk := make([]byte, 32<<10)
	for i := range chunk {
		chunk[i] = filler
	}
	m, err := io.WriteString(w, prefix)
	written.Add(int64(m))
	for err == nil && written.Load() < n {
		m, err = w.Write(chunk)
		written.Add(int64(m))
	}
}

// An error answer and a write's answer are read a few KiB deep, however
// long they are (listings and histories are read within their bounds:
// decode_bounds_test.go).
func TestAnswerLimits(t *testing.T) {
	t.Parallel()
	const huge = 1 << 30
	cases := []struct {
		name    string
		status  int
		prefix  string
		filler  byte
		call    func(c *Client) error
		wantErr string
	}{
		{"error answer", 409, `{"error":"Conflict","message":"`, 'x',
			func(c *Client) error { return c.Rename(context.Background(), "a", "k", nil) }, "HTTP 409"},
		{"write answer", 200, `{"success":true,"message":"`, 'x',
			func(c *Client) error { return c.Archive(context.Background(), "a", "k") }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var requests, written atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.WriteHeader(tc.status)
				hugeBody(w, tc.prefix, tc.filler, huge, &written)
			}))
			defer srv.Close()
			// Reading a limit's worth is slow under the race detector: give
			// it time, so that only the limit ends the call.
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 2 * time.Minute })
			err := tc.call(c)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if err != nil && len(err.Error()) > 1000 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
			if requests.Load() != 1 {
				t.Errorf("%d requests, want 1", requests.Load())
			}
			srv.CloseClientConnections()
			if w := written.Load(); w > 40<<20 {
				t.Errorf("the server wrote %d MiB before the client hung up", w>>20)
			}
		})
	}
}

// A gzip bomb (a few hundred KiB inflating to 300 MiB, one session entry)
// is stopped at the entry's bound counted on the inflated bytes, and the
// call allocates a small multiple of that bound, not the inflated size.
func TestGzipBombStopsAtTheLimit(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		hugeBody(zw, `[{"key":"a","origin":"`, 'x', 300<<20, &written)
		_ = zw.Close()
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 2 * time.Minute })
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.ListSessions(context.Background(), "a")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "session 1 of the list is larger than the 4 MiB") {
		t.Fatalf("want a too-large error, got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6*MaxEntryBytes {
		t.Errorf("the call allocated %d MiB for a bound of %d MiB", alloc>>20, MaxEntryBytes>>20)
	} else {
		t.Logf("allocated %d MiB; the server inflated %d MiB before the client hung up", alloc>>20, written.Load()>>20)
	}
}

// A write whose 2xx status arrived is done, even when its body then stalls
// past the per-attempt timeout: it is never sent again.
func TestWriteAnswered2xxIsDone(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(200)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `[{"key":"a"},`)
		} else {
			_, _ = io.WriteString(w, `{"success":`)
		}
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 300 * time.Millisecond })
	if err := c.Archive(context.Background(), "a", "k"); err != nil {
		t.Fatalf("archive answered 200: %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("the archive was sent %d times", n.Load())
	}
	// A read whose body stalls is retried: it needs the body.
	n.Store(0)
	_, err := c.ListSessions(context.Background(), "a")
	if err == nil || n.Load() != 4 {
		t.Errorf("stalled listing: %v after %d attempts, want an error after 4", err, n.Load())
	}
}

// A write answered 4xx after an attempt that got no answer or a 5xx (500
// as 502) may have been done by that attempt: a retried restore meeting 409
// says so (ErrOutcomeUnknown), a first-attempt 409 does not.
func TestRetriedWriteOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"drop", "500", "502", "409"} {
		t.Run(first, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadAll(r.Body)
				if n.Add(1) == 1 {
					switch first {
					case "drop":
						conn, _, _ := http.NewResponseController(w).Hijack()
						_ = conn.Close()
						return
					case "500", "502":
						code, _ := strconv.Atoi(first)
						w.WriteHeader(code)
						return
					}
				}
				w.WriteHeader(409)
				_, _ = io.WriteString(w, `{"error":"Conflict","message":"A session with this key already exists"}`)
			}))
			defer srv.Close()
			c := fastClient(t, srv.URL, nil)
			err := c.Restore(context.Background(), "a", "f.jsonl", nil)
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("want a conflict, got %v", err)
			}
			if unknown := errors.Is(err, ErrOutcomeUnknown); unknown != (first != "409") {
				t.Errorf("ErrOutcomeUnknown = %v after a first attempt %s: %v", unknown, first, err)
			}
			t.Log(err)
		})
	}
}

// Statuses that used to be misread: an empty 403 is not "another agent's
// key", "Session could not be found" is a missing session and not a wrong
// route, a proxy's 503 that says "not running" is retried; and each status
// matches the sentinel the provider explains it by.
func TestStatusesClassified(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		is       []error
		isNot    []error
		attempts int64
		next     string
	}{
		{"403 empty", 403, ``, []error{ErrForbidden}, []error{ErrOtherAgent, ErrScope, ErrSubscription}, 1, ""},
		{"403 json without message", 403, `{}`, []error{ErrForbidden}, []error{ErrOtherAgent}, 1, ""},
		{"404 could not be found", 404, `{"error":"Not Found","message":"Session could not be found"}`, []error{ErrNotFound, ErrSessionNotFound}, nil, 1, ""},
		{"404 route", 404, `{"message":"The route api/v1/agents/a/sessions/rename could not be found."}`, []error{ErrNotFound}, []error{ErrSessionNotFound}, 1, ""},
		{"404 empty", 404, ``, []error{ErrNotFound}, []error{ErrSessionNotFound}, 1, ""},
		{"503 proxy not running", 503, `{"message":"upstream worker not running"}`, []error{ErrServer}, []error{ErrAgentNotRunning}, 3, ""},
		{"503 platform not running", 503, `{"error":"Service Unavailable","message":"Agent container is not running."}`, []error{ErrAgentNotRunning}, []error{ErrServer}, 1, ""},
		{"409", 409, `{"error":"Conflict","message":"A session with this key already exists"}`, []error{ErrConflict}, []error{ErrOutcomeUnknown}, 1, ""},
		{"500", 500, `{"error":"Server Error","message":"Server Error"}`, []error{ErrServer}, []error{ErrBadGateway, ErrConflict}, 3, ""},
		{"502", 502, `<html>bad gateway</html>`, []error{ErrBadGateway}, []error{ErrServer}, 3, ""},
		{"504", 504, ``, []error{ErrServer}, []error{ErrBadGateway}, 3, ""},
		{"422 label in use", 422, `{"message":"label already in use: Support"}`, []error{ErrValidation, ErrLabelInUse}, nil, 1, ""},
		{"422 other", 422, `{"message":"The given data was invalid.","errors":{"label":["The label may not be greater than 255 characters."]}}`, []error{ErrValidation}, []error{ErrLabelInUse}, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := statusServer(t, tc.status, tc.body, nil)
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(2) })
			err := c.Rename(context.Background(), "a", "k", nil)
			for _, s := range tc.is {
				if !errors.Is(err, s) {
					t.Errorf("not %v: %v", s, err)
				}
			}
			for _, s := range tc.isNot {
				if errors.Is(err, s) {
					t.Errorf("wrongly %v: %v", s, err)
				}
			}
			if n.Load() != tc.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tc.attempts)
			}
			if tc.next != "" && !strings.Contains(err.Error(), tc.next) {
				t.Errorf("no next step %q: %v", tc.next, err)
			}
		})
	}
}

// A Retry-After longer than the client waits stops the call at once with
// an error saying how long the platform asked for; a number too large to
// parse counts as too long, never as zero.
func TestRetryAfterBeyondTheLimitStops(t *testing.T) {
	t.Parallel()
	for ra, want := range map[string]string{"3600": "wait 1h0m0s", "99999999999999999999999": "wait a day or more"} {
		t.Run(ra, func(t *testing.T) {
			t.Parallel()
			srv, n := statusServer(t, 429, `{"message":"Too Many Attempts."}`, map[string]string{"Retry-After": ra})
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetryAfter = 2 * time.Second })
			start := time.Now()
			_, err := c.ListSessions(context.Background(), "a")
			var ae *APIError
			if !errors.As(err, &ae) || !errors.Is(err, ErrRateLimited) || !errors.Is(err, ErrRetryAfterTooLong) || ae.RetryAfterMax != 2*time.Second {
				t.Fatalf("got %v", err)
			}
			if n.Load() != 1 || time.Since(start) > time.Second {
				t.Errorf("%d attempts in %v, want 1 at once", n.Load(), time.Since(start))
			}
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "longer than the client waits (2s)") {
				t.Errorf("message: %v", err)
			}
			// The next call is not held at the gate either.
			start = time.Now()
			_, _ = c.ListSessions(context.Background(), "a")
			if time.Since(start) > time.Second {
				t.Errorf("the next call waited %v", time.Since(start))
			}
		})
	}
}

// Pacing ends after a clean window, even when the platform never sends
// X-RateLimit-Remaining again.
func TestThrottleRelaxesAfterACleanWindow(t *testing.T) {
	t.Parallel()
	th := newThrottle(time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th.observe(&http.Response{StatusCode: 429, Header: http.Header{
		"Retry-After": {"1"}, "X-Ratelimit-Limit": {"60"},
	}}, t0)
	// Paced within the window: one request a second or so.
	now := t0.Add(2 * time.Second)
	a, _ := th.reserve(now)
	b, _ := th.reserve(now)
	if !a.Equal(now) || b.Sub(a) < time.Second {
		t.Fatalf("not paced inside the window: %v then %v", a.Sub(now), b.Sub(now))
	}
	// Plain successes (no rate-limit headers) for a whole window.
	for i := range 6 {
		th.observe(&http.Response{StatusCode: 200, Header: http.Header{}}, t0.Add(time.Duration(i*10)*time.Second))
	}
	later := t0.Add(rateLimitWindow + 2*time.Second)
	for i := range 5 {
		if at, _ := th.reserve(later); !at.Equal(later) {
			t.Fatalf("request %d after a clean window waits %v", i, at.Sub(later))
		}
	}
}

// Malformed listings are decode errors: null elements, elements without
// their identity, and duplicate identities.
func TestMalformedListings(t *testing.T) {
	t.Parallel()
	sessions := map[string]string{
		`[null]`:                           "session 1 of the list is null",
		`[{}]`:                             `session 1 of the list has no "key"`,
		`[{"key":"a"},{"key":""}]`:         `session 2 of the list has no "key"`,
		`[{"key":"a"},{"key":"a"}]`:        `sessions 1 and 2 of the list have the same key "a"`,
		`[{"key":"a"}] [{"key":"b"}]`:      "data after the JSON array",
		`[{"key":"a"},{"key":"b"},`:        "EOF",
		`[{"key":"a","updatedAt":"soon"}]`: "updatedAt",
	}
	for body, want := range sessions {
		var got []Session
		err := decodeList(call{op: "list sessions", method: "GET", path: "/p"}, 200, []byte(body), &got)
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want a decode error containing %q", body, err, want)
		}
	}
	archives := map[string]string{
		`[null]`:                              "archive 1 of the list is null",
		`[{"label":"x"}]`:                     `archive 1 of the list has no "filename"`,
		`[{"filename":"f"},{"filename":"f"}]`: `archives 1 and 2 of the list have the same filename "f"`,
	}
	for body, want := range archives {
		var got []Archive
		if err := decodeList(call{op: "list archives"}, 200, []byte(body), &got); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", body, err, want)
		}
	}
	var msgs []ChatMessage
	if err := decodeList(call{op: "read session history", sensitiveResponse: true}, 200, []byte(`[{"id":"1"},null]`), &msgs); err == nil ||
		!strings.Contains(err.Error(), "message 2 of the list is null") {
		t.Errorf("history with a null message: %v", err)
	}
}

// TF_APPEND_USER_AGENT is appended to the User-Agent, without control
// characters.
func TestUserAgentAppend(t *testing.T) {
	t.Setenv(EnvAppendUserAgent, " my-pipeline/2.0 (ci)\r\nX-Evil: 1 ")
	if got, want := UserAgent("1.0.0", "1.10.2"), "terraform-provider-guayaba/1.0.0 Terraform/1.10.2 my-pipeline/2.0 (ci)  X-Evil: 1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "" })
	if _, err := c.ListSessions(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(ua, " my-pipeline/2.0 (ci)  X-Evil: 1") {
		t.Errorf("sent User-Agent %q", ua)
	}
	t.Setenv(EnvAppendUserAgent, "  ")
	if got := UserAgent("1.0.0", ""); got != "terraform-provider-guayaba/1.0.0" {
		t.Errorf("blank TF_APPEND_USER_AGENT: %q", got)
	}
}
