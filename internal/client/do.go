package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Bounds of a listing or history answer (a 2xx answer of a read). Such an
// answer is decoded element by element as it streams in, and what the
// caller keeps is all that grows with its size, so no bound is a size
// wall for a legitimate answer: each is far past the largest one, and stops
// a hostile or broken answer (endless, one huge string, deep nesting, an
// endless list of tiny elements) early, with a *LimitError. DESIGN.md says
// why each number is what it is.
const (
	// MaxAnswerBytes bounds the whole answer, counted after
	// decompression: 1 GiB, 25 times a listing of 100,000 sessions
	// (about 40 MB) and 40 times a history of 1,000 messages of 24 KiB.
	MaxAnswerBytes = 1 << 30
	// MaxEntryBytes bounds one session or archive entry of a listing:
	// 4 MiB, 10,000 times a documented session (about 400 bytes), room for
	// any fields the platform adds.
	MaxEntryBytes = 4 << 20
	// MaxMessageBytes bounds one message of a history: 8 MiB, 340 times
	// the 24 KiB average of a long conversation with tool output, and room
	// for an image block of the 5 MB most model APIs take, base64-encoded
	// (6.7 MB); a text longer than that is past any model's context.
	MaxMessageBytes = 8 << 20
	// MaxListingElements bounds the entries of one listing: 200,000,
	// twice the largest agent tested (100,000 sessions). It is also what
	// bounds the memory of an endless list of small valid entries, which
	// nothing else stops: one call keeps about 85 MiB of heap at its peak
	// for 200,000 of them (it would be 260 MiB for 500,000).
	MaxListingElements = 200_000
	// MaxHistoryMessages bounds the messages of one history answer:
	// 10,000, ten times the most one call asks for (limit 1..1000).
	MaxHistoryMessages = 10_000
	// MaxDepth bounds how deeply an answer nests arrays and objects, the
	// list's own array included: 128 levels.
	MaxDepth = 128
	// smallAnswerBytes is how much of an answer a call reads on its own:
	// 256 KiB, a listing of about 600 sessions. Past it, the call waits
	// for the client's single large-answer slot, so that however many
	// calls run at once (terraform -parallelism), one answer at most grows
	// past it: one element buffer towards its bound and one list towards
	// its count, not ten; and each answer that waits holds only what it
	// decoded of its first 256 KiB.
	smallAnswerBytes = 256 << 10
	// maxErrorBytes bounds what is read of an error answer, of which only
	// the message is used; the rest is left unread.
	maxErrorBytes = 8 << 10
	// maxWriteAnswerBytes bounds what is drained of a write's 2xx answer,
	// which is never used.
	maxWriteAnswerBytes = 4 << 10
)

// call describes one API call.
type call struct {
	op     string // "rename session"
	method string
	path   string // escaped, relative to base
	body   any    // JSON-encoded request body, or nil
	// decode reads the 2xx answer of a read (at most maxBytes of it) as it
	// streams in, within the bounds of its list (decode.go). It is nil for a write: a 2xx status ends a write, and
	// its answer is drained best-effort and ignored.
	decode   func(io.Reader) error
	maxBytes int64
	// sensitiveResponse keeps the answer out of logs and errors.
	sensitiveResponse bool
}

// do performs a call. For a read, cl.decode has consumed the 2xx answer when
// do returns nil. Otherwise it returns an *APIError for an error answer (a
// redirect included), a *DecodeError for a 2xx answer that could not be
// decoded, or a *TransportError when no usable answer came.
func (c *Client) do(ctx context.Context, cl call) error {
	c.calls.Add(1)
	ctx, st, err := c.startCall(ctx, cl)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return err
	}
	// The response handler runs inside the retry loop, on every answer
	// that is not retried on its status, so that a connection dropped or
	// timed out while a read's body streams in is retried like any other
	// transport failure.
	var handled *http.Response
	var errBody []byte
	req.SetResponseHandler(func(resp *http.Response) error {
		handled = resp
		b, err := c.readAnswer(ctx, cl, resp)
		errBody = b
		return err
	})
	resp, err := c.rc.Do(req)
	if err != nil {
		return c.failed(ctx, cl, st, resp, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	if handled != resp {
		// Retries ran out on a retryable status: the handler did not run.
		errBody = readErrorBody(resp.Body)
	}
	return c.apiError(ctx, cl, st, resp, errBody)
}

// startCall sets up the call's context (logging, per-call bookkeeping), or
// fails at once when the caller has already given up.
func (c *Client) startCall(ctx context.Context, cl call) (context.Context, *callState, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, &TransportError{Op: cl.op, Method: cl.method, Path: cl.path, PerAttemptTimeout: c.timeout, Err: err}
	}
	ctx = c.logContext(ctx)
	st := &callState{op: cl.op, path: cl.path}
	return context.WithValue(ctx, callStateKey{}, st), st, nil
}

// newRequest builds the request: JSON body (replayed on every retry), key,
// user agent.
func (c *Client) newRequest(ctx context.Context, cl call) (*retryablehttp.Request, error) {
	var reqBody any
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding request: %w", cl.op, err)
		}
		c.logBody(ctx, "request body", cl, b)
		reqBody = b // a byte slice is replayed on every retry
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, c.base+cl.path, reqBody)
	if err != nil {
		return nil, fmt.Errorf("%s: building request: %w", cl.op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// readAnswer consumes one answer that is not retried on its status. A 2xx
// answer to a write is drained (at most maxWriteAnswerBytes, errors
// ignored): the status alone says the write was done, and re-sending it
// because its body stalled would repeat it. A 2xx answer to a read is
// decoded as it streams in: a failure to read it is returned as is (and
// retried), an answer past one of its bounds as a *LimitError, one that is
// not the JSON the call reads as a *DecodeError, and an error of the
// caller's per-element function as a *callbackError (none retried). An error answer is read up to maxErrorBytes
// and returned.
func (c *Client) readAnswer(ctx context.Context, cl call, resp *http.Response) ([]byte, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b := readErrorBody(resp.Body)
		_ = resp.Body.Close()
		resp.Body = bodyOf(b) // checkRetry looks at it again
		return b, nil
	}
	if cl.decode == nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxWriteAnswerBytes))
		c.logBody(ctx, "response body", cl, b)
		return nil, nil
	}
	ar := &answerReader{r: resp.Body, limit: cl.maxBytes, grow: func() error { return c.waitLargeAnswer(ctx) }}
	defer func() {
		if ar.grown {
			<-c.largeAnswer
		}
	}()
	err := cl.decode(ar)
	if !cl.sensitiveResponse {
		c.logBody(ctx, "response body (start)", cl, ar.head)
	}
	var le *LimitError
	var ce *callbackError
	switch {
	case errors.As(err, &ce):
		return nil, ce // the caller's own error: not retried, returned as is
	case errors.As(err, &le) || errors.As(ar.err, &le):
		le.Op, le.Method, le.Path, le.StatusCode, le.Read = cl.op, cl.method, cl.path, resp.StatusCode, ar.read
		return nil, le
	case ar.err != nil:
		return nil, ar.err // the connection failed: retry
	case err == nil:
		return nil, nil
	}
	var content *contentError
	de := &DecodeError{Op: cl.op, Method: cl.method, Path: cl.path, StatusCode: resp.StatusCode, Err: c.scrub.err(err),
		InElement: errors.As(err, &content)}
	if !cl.sensitiveResponse {
		de.Body = c.scrub.text(summarizeBody(string(ar.head), 200))
	}
	return nil, de
}

// failed turns what the retry loop ended with into the call's error.
func (c *Client) failed(ctx context.Context, cl call, st *callState, resp *http.Response, err error) error {
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	var de *DecodeError
	if errors.As(err, &de) {
		logFailure(ctx, de)
		return de
	}
	var le *LimitError
	if errors.As(err, &le) {
		logFailure(ctx, le)
		return le
	}
	var ce *callbackError
	if errors.As(err, &ce) {
		return ce.err
	}
	te := &TransportError{
		Op: cl.op, Method: cl.method, Path: cl.path,
		Attempts: int(st.attempts.Load()), PerAttemptTimeout: c.timeout,
		LastStatus: int(st.lastStatus.Load()),
		Err:        c.scrub.err(err),
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
	return te
}

// apiError describes an error answer.
func (c *Client) apiError(ctx context.Context, cl call, st *callState, resp *http.Response, body []byte) error {
	ae := &APIError{
		Op: cl.op, Method: cl.method, Path: cl.path,
		StatusCode: resp.StatusCode, Attempts: int(st.attempts.Load()),
		// A write answered 4xx after an attempt that got no answer or a
		// 5xx: that attempt may have done the write.
		OutcomeUnknown: cl.decode == nil && resp.StatusCode < 500 && st.unanswered.Load(),
	}
	if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		ae.RetryAfter = ra
		if ra > c.maxRetryAfter {
			ae.RetryAfterMax = c.maxRetryAfter
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		ae.Location = c.scrub.text(redactLocation(resp.Header.Get("Location")))
	}
	ae.parseErrorBody(body, c.scrub)
	c.logBody(ctx, "error response body", cl, body)
	logFailure(ctx, ae)
	return ae
}

// readErrorBody reads at most maxErrorBytes of an error answer; a read error
// keeps what arrived. The result is never nil.
func readErrorBody(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, maxErrorBytes))
	if b == nil {
		b = []byte{}
	}
	return b
}

func bodyOf(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// waitLargeAnswer takes the client's large-answer slot, waiting at most one
// per-attempt timeout (then the attempt fails, and is retried).
func (c *Client) waitLargeAnswer(ctx context.Context) error {
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case c.largeAnswer <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("waited %s for another answer larger than %s to be read", c.timeout, sizeText(smallAnswerBytes))
	}
}

// answerReader reads at most limit bytes, then fails with a *LimitError;
// past smallAnswerBytes it first calls grow, once. It keeps the first bytes
// (for error messages) and the first read error.
type answerReader struct {
	r     io.Reader
	limit int64
	read  int64
	grow  func() error
	grown bool
	head  []byte
	err   error
}

const answerHead = 512

func (a *answerReader) Read(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	if !a.grown && a.read >= smallAnswerBytes && a.read < a.limit {
		if err := a.grow(); err != nil {
			a.err = err
			return 0, err
		}
		a.grown = true
	}
	if a.read >= a.limit {
		// One byte past the limit tells a body of exactly the limit from
		// a larger one.
		var one [1]byte
		n, err := a.r.Read(one[:])
		if n > 0 {
			a.err = &LimitError{Bound: BoundAnswerBytes, Limit: a.limit, Seen: a.read + 1}
			return 0, a.err
		}
		if err != nil && err != io.EOF {
			a.err = err
		}
		return 0, err
	}
	allowed := a.limit - a.read
	if !a.grown {
		allowed = min(allowed, smallAnswerBytes-a.read)
	}
	if int64(len(p)) > allowed {
		p = p[:allowed]
	}
	n, err := a.r.Read(p)
	a.read += int64(n)
	if len(a.head) < answerHead {
		a.head = append(a.head, p[:min(n, answerHead-len(a.head))]...)
	}
	if err != nil && err != io.EOF {
		a.err = err
	}
	return n, err
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
