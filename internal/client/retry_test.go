package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A 500 is retried like a 502, on reads and writes alike, within
// max_retries; and every text about attempts states the real count.

// serverErrorsThen answers the first n requests 500, then 200 with body,
// and counts requests.
func serverErrorsThen(t *testing.T, n int64, body string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if got.Add(1) <= n {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"Internal Server Error","message":"Server Error"}`)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

// One call of each kind: a write (rename) and a read (listing).
var retriedCalls = map[string]func(c *Client) error{
	"rename": func(c *Client) error { return c.Rename(context.Background(), "a", "k", nil) },
	"listing": func(c *Client) error {
		s, err := c.ListSessions(context.Background(), "a")
		if err == nil && (len(s) != 1 || s[0].Key != "k") {
			return errors.New("unexpected listing")
		}
		return err
	},
}

const oneSession = `[{"key":"k","sessionId":"s","label":null,"updatedAt":1}]`

func TestServerErrorRetried(t *testing.T) {
	t.Parallel()
	for name, do := range retriedCalls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, n := serverErrorsThen(t, 1, oneSession)
			c := fastClient(t, srv.URL, nil)
			if err := do(c); err != nil {
				t.Fatalf("a 500 then a 200: %v", err)
			}
			if n.Load() != 2 {
				t.Errorf("the server saw %d requests, want 2 (the 500 and the retry)", n.Load())
			}
			if st := c.Stats(); st.Calls != 1 || st.Attempts != 2 || st.Retries != 1 || st.ServerErrors != 1 {
				t.Errorf("stats %+v, want 1 call, 2 attempts, 1 retry, 1 server error", st)
			}
		})
	}
}

// After max_retries 500s the error is the last 500, with Attempts and the
// text both saying MaxRetries+1.
func TestServerErrorsExhausted(t *testing.T) {
	t.Parallel()
	for name, do := range retriedCalls {
		for _, maxRetries := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s max_retries %d", name, maxRetries), func(t *testing.T) {
				t.Parallel()
				srv, n := serverErrorsThen(t, 100, oneSession)
				c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(maxRetries) })
				err := do(c)
				var ae *APIError
				if !errors.As(err, &ae) || ae.StatusCode != 500 || !errors.Is(err, ErrServer) {
					t.Fatalf("want the last 500 as an *APIError, got %T %v", err, err)
				}
				want := maxRetries + 1
				if n.Load() != int64(want) || ae.Attempts != want {
					t.Errorf("the server saw %d requests and the error says %d attempts, want %d", n.Load(), ae.Attempts, want)
				}
				if text := fmt.Sprintf("gave up after %d attempts", want); !strings.Contains(err.Error(), text) {
					t.Errorf("the error does not say %q: %v", text, err)
				}
				if ae.OutcomeUnknown || errors.Is(err, ErrOutcomeUnknown) {
					t.Errorf("a 5xx is not a 4xx after a retry: %v", err)
				}
			})
		}
	}
}

// A write answered 500 may have been done: the retry that meets a 4xx says
// the outcome is unknown (the caller lists to see); a 4xx at once does not.
func TestWriteAfterServerErrorOutcomeUnknown(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"Not Found","message":"Session not found"}`)
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, nil)
	err := c.Archive(context.Background(), "a", "k")
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrSessionNotFound) || !errors.Is(err, ErrOutcomeUnknown) || !ae.OutcomeUnknown {
		t.Fatalf("an archive answered 500 then 404: want a 404 whose outcome is unknown, got %v", err)
	}
	if ae.Attempts != 2 || n.Load() != 2 || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Errorf("attempts: error %d, server %d: %v", ae.Attempts, n.Load(), err)
	}
	if !strings.Contains(err.Error(), "An earlier attempt got a server error or no answer and may have made the change") {
		t.Errorf("the error does not say the change may have been made: %v", err)
	}
	// A listing answered 500 then 404 is a read: nothing to be unsure of.
	n.Store(0)
	_, err = c.ListSessions(context.Background(), "a")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("a listing answered 500 then 404: %v", err)
	}
}

// A call made once never speaks of attempts in the plural, nor of giving
// up after retries: an error answer with retries off, a 4xx at once, a
// dropped connection with retries off.
func TestSingleAttemptTexts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int // 0: drop the connection
		retry  int
		want   string
	}{
		{"500 with max_retries 0", 500, 0, "HTTP 500"},
		{"409", 409, 3, "HTTP 409"},
		{"dropped with max_retries 0", 0, 0, "no response after 1 attempt: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if tc.status == 0 {
					conn, _, _ := http.NewResponseController(w).Hijack()
					_ = conn.Close()
					return
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(tc.retry) })
			err := c.Rename(context.Background(), "a", "k", nil)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if n.Load() != 1 {
				t.Errorf("%d requests, want 1", n.Load())
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("the error does not say %q: %s", tc.want, msg)
			}
			for _, untrue := range []string{"attempts", "gave up", "every attempt", "retries"} {
				if strings.Contains(msg, untrue) {
					t.Errorf("a single attempt says %q: %s", untrue, msg)
				}
			}
			var ae *APIError
			var te *TransportError
			switch {
			case errors.As(err, &ae):
				if ae.Attempts != 1 {
					t.Errorf("APIError.Attempts = %d, want 1", ae.Attempts)
				}
			case errors.As(err, &te):
				if te.Attempts != 1 {
					t.Errorf("TransportError.Attempts = %d, want 1", te.Attempts)
				}
			default:
				t.Errorf("unexpected error type %T", err)
			}
		})
	}
}
