package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A 429 closes the gate for every request of the Client, not only the one
// that was throttled: a call started while the gate is closed waits for the
// Retry-After instant before its first attempt.
func TestThrottleGateSharedByAllCalls(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	var mu sync.Mutex
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, time.Now())
		mu.Unlock()
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(0) })
	ctx := context.Background()
	if _, err := c.ListSessions(ctx, "a"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("first call: %v", err)
	}
	start := time.Now()
	if _, err := c.ListSessions(ctx, "a"); err != nil {
		t.Fatalf("second call: %v", err)
	}
	mu.Lock()
	gap := seen[1].Sub(seen[0])
	mu.Unlock()
	if gap < 900*time.Millisecond || time.Since(start) > 3*time.Second {
		t.Errorf("second call sent %v after the 429, want about 1s", gap)
	}
	st := c.Stats()
	if st.Attempts != 2 || st.Retries != 0 {
		t.Errorf("waiting at the gate must not count as a retry: %+v", st)
	}
	if ts := c.ThrottleStats(); ts.Waits != 1 || ts.Signals != 1 || ts.PaceInterval != 0 {
		t.Errorf("throttle stats %+v (no X-RateLimit-Limit: no pacing)", ts)
	}
}

// Waiting at the gate honours the caller's context, and an attempt that was
// never sent is not counted.
func TestThrottleGateHonoursContext(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(0)
		cfg.MaxRetryAfter = time.Minute
	})
	if _, err := c.ListSessions(context.Background(), "a"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("first call: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Rename(ctx, "a", "k", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context's deadline, got %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("cancelled wait took %v", el)
	}
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 0 || te.Op != "rename session" {
		t.Errorf("want a TransportError with 0 attempts, got %#v", err)
	}
	if n.Load() != 1 || c.Stats().Attempts != 1 {
		t.Errorf("server saw %d requests, client counted %d attempts; want 1 and 1", n.Load(), c.Stats().Attempts)
	}
}

// The per-attempt timeout starts after the gate: a wait longer than the
// timeout does not make the attempt time out.
func TestThrottleTimeoutStartsAfterGate(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		time.Sleep(100 * time.Millisecond)
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(0)
		cfg.RequestTimeout = 400 * time.Millisecond
	})
	_, _ = c.ListSessions(context.Background(), "a")
	start := time.Now()
	if _, err := c.ListSessions(context.Background(), "a"); err != nil {
		t.Fatalf("call after a 1s gate with a 400ms per-attempt timeout: %v", err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("did not wait at the gate: %v", el)
	}
}

// X-RateLimit-Remaining: 0 with X-RateLimit-Limit turns pacing on (one
// request per window/limit); a response with spare burst turns it off.
func TestThrottlePacing(t *testing.T) {
	t.Parallel()
	var remaining atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "600") // 10/s: 105ms apart when paced
		w.Header().Set("X-RateLimit-Remaining", itoa(remaining.Load()))
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, nil)
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 6; i++ {
		if _, err := c.ListSessions(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 500*time.Millisecond {
		t.Errorf("6 calls with Remaining 0 took %v, want them paced about 105ms apart", el)
	}
	if ts := c.ThrottleStats(); ts.PaceInterval < 100*time.Millisecond || ts.PaceInterval > 110*time.Millisecond {
		t.Errorf("pace interval %v", ts.PaceInterval)
	}
	remaining.Store(paceRelease)
	_, _ = c.ListSessions(ctx, "a") // waits its slot, then releases pacing
	start = time.Now()
	for i := 0; i < 5; i++ {
		if _, err := c.ListSessions(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > 300*time.Millisecond {
		t.Errorf("pacing not released: 5 calls took %v", el)
	}
	if ts := c.ThrottleStats(); ts.PaceInterval != 0 {
		t.Errorf("pace interval %v after release", ts.PaceInterval)
	}
}

// A fleet of workers meeting a token bucket: after the first wave of 429s,
// they queue at the gate and go out at the advertised rate, so every call
// succeeds with a single retry.
func TestThrottleFleetQueues(t *testing.T) {
	t.Parallel()
	const perMinute, burst = 600, 3
	var mu sync.Mutex
	tokens, last := float64(burst), time.Now()
	var limited, total atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total.Add(1)
		mu.Lock()
		now := time.Now()
		tokens = min(burst, tokens+now.Sub(last).Seconds()*perMinute/60)
		last = now
		ok := tokens >= 1
		if ok {
			tokens--
		}
		rem := int64(tokens)
		mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", itoa(perMinute))
		if !ok {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-RateLimit-Remaining", "0")
			limited.Add(1)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", itoa(rem))
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	// Three retries: a worker delayed by a loaded machine may still meet one
	// 429 now and then; the 429 count below is what shows the queueing.
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(3) })
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	start := time.Now()
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				if _, err := c.ListSessions(context.Background(), "a"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("call failed: %v", err)
	}
	st, ts := c.Stats(), c.ThrottleStats()
	t.Logf("40 calls from 10 workers at %d/min burst %d: %v, %d attempts, %d 429s, throttle %+v",
		perMinute, burst, time.Since(start).Round(time.Millisecond), total.Load(), limited.Load(), ts)
	if st.Calls != 40 || st.Attempts != total.Load() || st.RateLimited != limited.Load() {
		t.Errorf("stats %+v, server saw %d requests and sent %d 429s", st, total.Load(), limited.Load())
	}
	if limited.Load() > 15 {
		t.Errorf("%d 429s: the workers hammered instead of queueing", limited.Load())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
