package client

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

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
		if st != nil && status >= 500 {
			st.unanswered.Store(true)
		}
		if status == http.StatusTooManyRequests {
			c.rateLimited.Add(1)
		} else if status >= 500 {
			c.serverErrors.Add(1)
		}
	}
	if err != nil && st != nil {
		st.unanswered.Store(true)
	}
	logAttempt(ctx, op, req.Method, path, attempt, status, dur, resp, c.scrub.err(err))
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
	// unanswered is set once an attempt got no answer or a 5xx: a write
	// it carried may have been done.
	unanswered atomic.Bool
}

type callStateKey struct{}

func callStateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}
