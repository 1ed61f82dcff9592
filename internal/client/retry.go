package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// checkRetry retries 429, 500, 502, 503 (except the platform's "Agent
// container is not running", a state only the user can fix: retrying would
// only delay the error by minutes), 504 and transport errors (refused or
// dropped connections, EOF, per-attempt timeouts), reads and writes alike:
// a write answered 5xx or not at all may have been done, which the caller
// judges by a listing (a 4xx after such an attempt is marked
// OutcomeUnknown). It never retries other statuses
// (a redirect included), an answer past a bound or malformed, an error of
// the caller's per-element function, or an
// answer whose Retry-After asks for longer than the client waits; and it
// stops as soon as the caller's context ends.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var de *DecodeError
		var le *LimitError
		var ce *callbackError
		if errors.As(err, &de) || errors.As(err, &le) || errors.As(err, &ce) {
			return false, err
		}
		// Redirect loops, bad schemes, bad headers and TLS certificate
		// failures are permanent; everything else is worth another try.
		return retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err)
	}
	if resp == nil {
		return true, nil
	}
	if !retriedStatus(resp.StatusCode, "") {
		return false, nil
	}
	if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && ra > c.maxRetryAfter {
		return false, nil
	}
	if resp.StatusCode == http.StatusServiceUnavailable && !retriedStatus(resp.StatusCode, peekErrorMessage(resp)) {
		return false, nil
	}
	return true, nil
}

// retriedStatus tells whether an answer with status and error message is
// retried: 429, 500, 502, 503 (except the platform's "Agent container is not
// running") and 504.
func retriedStatus(status int, message string) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	case http.StatusServiceUnavailable:
		return !isNotRunning(message)
	}
	return false
}

// peekErrorMessage reads an error body (at most maxErrorBytes), puts it back
// so it can be read again, and returns its JSON "message", if any.
func peekErrorMessage(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b := readErrorBody(resp.Body)
	_ = resp.Body.Close()
	resp.Body = bodyOf(b)
	var e APIError
	e.parseErrorBody(b, nil)
	return e.Message
}

// backoff waits for Retry-After when the response carries one (checkRetry
// has already stopped when it is too long), else exponentially from
// minWait, doubling per retry up to maxWait, with "equal jitter": a random
// wait in [d/2, d].
func backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
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

// maxRetryAfter is the longest Retry-After parsed; longer values, and
// numbers too large to parse, read as this much ("a day or more").
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter parses a Retry-After header: delay-seconds or an HTTP date.
// A number of seconds beyond a day, even one too large for an integer,
// reads as a day: always too long to wait, never zero.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return min(d, maxRetryAfter), true
	}
	return 0, false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
