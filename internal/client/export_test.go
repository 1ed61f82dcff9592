package client

import "time"

// What the tests read of a Client beyond its API: the requests it made and
// its throttle.

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

// ThrottleStats describes the client-side throttle of a Client.
type ThrottleStats struct {
	// Signals counts responses that closed the gate or started pacing
	// (429, or X-RateLimit-Remaining: 0).
	Signals int64
	// Waits counts attempts that waited at the gate before being sent.
	Waits int64
	// Waited is the total time attempts spent waiting at the gate.
	Waited time.Duration
	// PaceInterval is the current pacing interval, 0 when not pacing.
	PaceInterval time.Duration
}

// ThrottleStats returns the throttle's counters.
func (c *Client) ThrottleStats() ThrottleStats {
	t := c.throttle
	t.mu.Lock()
	iv := t.interval
	t.mu.Unlock()
	return ThrottleStats{
		Signals:      t.closings.Load(),
		Waits:        t.waits.Load(),
		Waited:       time.Duration(t.waitedNs.Load()),
		PaceInterval: iv,
	}
}

// OnAttempt makes the client call f after every attempt with the method, the
// path relative to the base URL, the 1-based attempt number and the status
// (0 when no response was received). Call it before the first request.
func (c *Client) OnAttempt(f func(method, path string, attempt, status int)) { c.onAttempt = f }
