package client

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Client-side throttling.
//
// Retrying each call on its own does not survive a rate limit shared by many
// workers: with terraform -parallelism=10, ten calls get 429 together, sleep
// the same Retry-After, wake together, one wins and nine are throttled again,
// until their retries run out. The throttle makes the workers of one Client
// queue on the client side instead:
//
//   - A 429, or any response saying X-RateLimit-Remaining: 0 with a
//     Retry-After, closes the gate for every request of the Client until the
//     Retry-After instant (capped by Config.MaxRetryAfter).
//   - From then on, when the server advertised its limit (X-RateLimit-Limit,
//     requests per minute), requests are paced through a token bucket of that
//     rate with a burst of 1 (spaced a little more widely than the limit, to
//     absorb clock and network jitter), so the workers go out one by one at
//     the rate the server accepts. A response with X-RateLimit-Remaining: 0
//     and no Retry-After also turns pacing on. Pacing stops when a response
//     shows at least paceRelease requests of spare burst, or once a whole
//     rate-limit window has passed without a throttling signal (a platform
//     that sends X-RateLimit-Limit on its 429s only never says it has
//     spare burst again).
//   - A Retry-After longer than Config.MaxRetryAfter closes nothing: the
//     call that got it stops with an error, and so does every other call
//     that meets it, at once instead of after a useless wait.
//
// Waiting at the gate is not an attempt and not a retry: it happens before
// each attempt (including the first), before the per-attempt timeout starts,
// and it ends early when the caller's context ends.

// paceMargin widens the pacing interval beyond window/limit so that paced
// requests never arrive faster than the server's bucket refills.
const paceMargin = 0.05

// paceRelease is the X-RateLimit-Remaining from which pacing is turned off:
// the server has a burst to spare again.
const paceRelease = 3

// rateLimitWindow is the period of X-RateLimit-Limit (Laravel's throttle
// middleware counts per minute).
const rateLimitWindow = time.Minute

type throttle struct {
	maxRetryAfter time.Duration

	mu       sync.Mutex
	until    time.Time     // the gate is closed until this instant
	interval time.Duration // pacing interval while pacing; 0 = no pacing
	next     time.Time     // the next free pacing slot
	signal   time.Time     // the last throttling signal
	gen      uint64        // bumped whenever the gate closes further

	waits    atomic.Int64 // attempts that had to wait at the gate
	waitedNs atomic.Int64 // total time spent waiting
	closings atomic.Int64 // throttle signals received (429 or Remaining 0)
}

func newThrottle(maxRetryAfter time.Duration) *throttle {
	return &throttle{maxRetryAfter: maxRetryAfter}
}

// reserve returns the instant at which the caller may send, taking a pacing
// slot when pacing, and the generation it was computed under.
func (t *throttle) reserve(now time.Time) (time.Time, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at := now
	if t.until.After(at) {
		at = t.until
	}
	if t.interval > 0 && now.Sub(t.signal) >= rateLimitWindow {
		// A clean window: the platform no longer throttles.
		t.interval = 0
	}
	if t.interval > 0 {
		if t.next.After(at) {
			at = t.next
		}
		t.next = at.Add(t.interval)
	}
	return at, t.gen
}

// stillValid reports whether a reservation made under gen still holds: the
// gate has not been closed beyond at since.
func (t *throttle) stillValid(gen uint64, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gen == gen || !t.until.After(at)
}

// wait blocks until the gate lets one attempt through, or ctx ends.
func (t *throttle) wait(ctx context.Context) error {
	start := time.Now()
	waited := false
	defer func() {
		if waited {
			t.waits.Add(1)
			t.waitedNs.Add(int64(time.Since(start)))
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := time.Now()
		at, gen := t.reserve(now)
		d := at.Sub(now)
		if d <= 0 {
			return nil
		}
		if !waited {
			waited = true
			tflog.SubsystemDebug(ctx, LogSubsystem, "Guayaba API rate limit: waiting before the next attempt", map[string]any{
				"wait_ms": d.Milliseconds(),
			})
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		if t.stillValid(gen, at) {
			return nil
		}
		// A 429 closed the gate further while we slept: queue again.
	}
}

// observe reads the throttling headers of a response.
func (t *throttle) observe(resp *http.Response, now time.Time) {
	if resp == nil {
		return
	}
	h := resp.Header
	limited := resp.StatusCode == http.StatusTooManyRequests
	remaining, hasRemaining := headerInt(h, "X-RateLimit-Remaining")
	exhausted := hasRemaining && remaining <= 0
	limit, hasLimit := headerInt(h, "X-RateLimit-Limit")
	if !limited && !exhausted {
		if hasRemaining && remaining >= paceRelease {
			t.mu.Lock()
			t.interval = 0
			t.mu.Unlock()
		}
		return
	}
	t.closings.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.signal = now
	var interval time.Duration
	if hasLimit && limit > 0 {
		interval = time.Duration(float64(rateLimitWindow) / float64(limit) * (1 + paceMargin))
		t.interval = interval
	}
	if ra, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		if ra > t.maxRetryAfter {
			return // the call stops; see checkRetry
		}
		if u := now.Add(ra); u.After(t.until) {
			t.until = u
			t.gen++
		}
	} else if interval > 0 {
		// No Retry-After (a success that used the last token): the next
		// request may go one interval from now.
		if u := now.Add(interval); u.After(t.next) {
			t.next = u
		}
	}
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	return n, true
}
