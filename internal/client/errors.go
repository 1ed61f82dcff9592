package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Sentinel errors matched by *APIError through errors.Is. Refinements also
// match their parent: ErrScope, ErrSubscription and ErrOtherAgent match
// ErrForbidden; ErrAgentNotFound and ErrSessionNotFound match ErrNotFound;
// ErrLabelInUse matches ErrValidation. ErrOutcomeUnknown and
// ErrRetryAfterTooLong come on top of the status's own sentinels.
var (
	// ErrRedirect matches a 3xx: the client never follows a redirect.
	ErrRedirect = errors.New("redirect not followed")
	// ErrNotFound matches every 404.
	ErrNotFound = errors.New("not found")
	// ErrAgentNotFound matches a 404 whose message is "Agent not found".
	ErrAgentNotFound = errors.New("agent not found")
	// ErrSessionNotFound matches a JSON 404 with a message about anything
	// but the agent (an unknown session key or archive filename: "Session
	// not found", "Session could not be found"). A 404 whose body is empty
	// or not JSON (a proxy page) or is Laravel's "The route ... could not be
	// found." (a wrong base_url) matches only ErrNotFound, so it is never
	// mistaken for a deleted session: test for ErrSessionNotFound before
	// dropping state.
	ErrSessionNotFound = errors.New("session or archive not found")
	// ErrUnauthorized matches 401: a missing, unknown, revoked or expired key.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden matches every 403.
	ErrForbidden = errors.New("forbidden")
	// ErrScope matches a 403 for an agent key lacking the agent:manage scope.
	ErrScope = errors.New("API key lacks the agent:manage scope")
	// ErrSubscription matches a 403 for an owner without an active subscription.
	ErrSubscription = errors.New("no active subscription")
	// ErrOtherAgent matches any other 403 with a JSON message, in practice
	// an agent key used on an agent it does not belong to. An empty or
	// non-JSON 403 (a proxy or firewall) matches only ErrForbidden.
	ErrOtherAgent = errors.New("API key not allowed on this agent")
	// ErrConflict matches 409.
	ErrConflict = errors.New("conflict")
	// ErrValidation matches 422 (and 400).
	ErrValidation = errors.New("validation failed")
	// ErrLabelInUse matches a 422 saying that another active session holds
	// the label ("label already in use: <label>").
	ErrLabelInUse = errors.New("label already in use")
	// ErrRateLimited matches 429.
	ErrRateLimited = errors.New("rate limited")
	// ErrAgentNotRunning matches a 503 whose JSON message is the platform's
	// "Agent container is not running". It is never retried.
	ErrAgentNotRunning = errors.New("agent container is not running")
	// ErrBadGateway matches 502.
	ErrBadGateway = errors.New("bad gateway")
	// ErrServer matches any other 5xx (500, 503 other than "not running", 504, ...).
	ErrServer = errors.New("server error")
	// ErrRetryAfterTooLong matches an answer whose Retry-After asked for
	// longer than the client waits (Config.MaxRetryAfter): the call stopped
	// at once instead of retrying.
	ErrRetryAfterTooLong = errors.New("Retry-After longer than the client waits")
	// ErrOutcomeUnknown matches a 4xx answered to a write after an earlier
	// attempt of it got no answer or a 5xx. That attempt may have done the
	// write, and the 4xx may be its consequence (a retried restore meets
	// 409, its own key now active; a retried archive meets 404): only a
	// listing tells whether the write happened.
	ErrOutcomeUnknown = errors.New("outcome unknown after a retried write")
)

// APIError is an HTTP error response from the Guayaba API.
type APIError struct {
	// Op names the client call, e.g. "rename session".
	Op string
	// Method and Path identify the request; Path is relative to the base URL.
	Method string
	Path   string
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Category is the "error" field of the body ("Forbidden", "Not Found", ...);
	// empty for Laravel validation and throttling bodies.
	Category string
	// Message is the "message" field of the body.
	Message string
	// FieldErrors holds Laravel validation errors ("errors" field).
	FieldErrors map[string][]string
	// Body is the start of the body, as text (tags stripped, white space
	// collapsed), when it was not a JSON object.
	Body string
	// Location is a redirect's target, without user information, query or
	// fragment.
	Location string
	// Attempts is how many requests were made for this call.
	Attempts int
	// RetryAfter is the parsed Retry-After header, when present (a day at
	// most: longer values read as a day).
	RetryAfter time.Duration
	// RetryAfterMax is set when the call stopped because RetryAfter was
	// longer than the client waits; it is that limit.
	RetryAfterMax time.Duration
	// OutcomeUnknown is set on a 4xx answered to a write after an earlier
	// attempt got no answer or a 5xx; see ErrOutcomeUnknown.
	OutcomeUnknown bool
}

const maxErrorBody = 2048

// Error renders the facts of the error: the call, the status, the request,
// the server's message (or the start of a non-JSON body), field errors,
// the number of attempts when retried, and what the status alone does not
// say (a redirect not followed, a Retry-After longer than the client waits,
// a write whose outcome is unknown). What they mean for the caller, and
// what to do, is the caller's to say. Every text from the server has been
// scrubbed of the key and control characters.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	fmt.Fprintf(&b, " from %s %s", e.Method, e.Path)
	switch {
	case e.Message != "":
		b.WriteString(": " + strings.TrimRight(e.Message, ". "))
	case e.Body != "":
		b.WriteString(": non-JSON body: " + truncate(e.Body, 200))
	case e.Category != "":
		b.WriteString(": " + e.Category)
	}
	if len(e.FieldErrors) > 0 {
		keys := make([]string, 0, len(e.FieldErrors))
		for k := range e.FieldErrors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, strings.Join(e.FieldErrors[k], " "))
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	if more := e.unsaid(); more != "" {
		b.WriteString(". " + more)
	}
	return b.String()
}

// unsaid is what the status alone does not say.
func (e *APIError) unsaid() string {
	switch {
	case e.RetryAfterMax > 0:
		wait := e.RetryAfter.Round(time.Second).String()
		if e.RetryAfter >= maxRetryAfter {
			wait = "a day or more"
		}
		return fmt.Sprintf("The platform asked to wait %s before trying again, longer than the client waits (%s)",
			wait, e.RetryAfterMax)
	case e.StatusCode >= 300 && e.StatusCode <= 399:
		to := "no Location"
		if e.Location != "" {
			to = e.Location
		}
		return "Redirect to " + to + ", not followed"
	case e.OutcomeUnknown:
		return "An earlier attempt got a server error or no answer and may have made the change"
	}
	return ""
}

// Retried tells whether the client retries an answer like this one (a
// status it retries, without a Retry-After longer than it waits), so that
// more retries might have outlasted it.
func (e *APIError) Retried() bool {
	return retriedStatus(e.StatusCode, e.Message) && e.RetryAfterMax == 0
}

// Is reports whether target is one of the sentinel errors that describes e.
func (e *APIError) Is(target error) bool {
	for _, s := range e.sentinels() {
		if s == target {
			return true
		}
	}
	return false
}

func (e *APIError) sentinels() []error {
	list := e.statusSentinels()
	if e.OutcomeUnknown {
		list = append(list, ErrOutcomeUnknown)
	}
	if e.RetryAfterMax > 0 {
		list = append(list, ErrRetryAfterTooLong)
	}
	return list
}

func (e *APIError) statusSentinels() []error {
	// A JSON answer of the platform, not an empty or non-JSON one of a
	// proxy in front of it.
	fromPlatform := e.Body == "" && (e.Message != "" || e.Category != "")
	msg := strings.ToLower(e.Message)
	switch s := e.StatusCode; {
	case s >= 300 && s <= 399:
		return []error{ErrRedirect}
	case s == http.StatusUnauthorized:
		return []error{ErrUnauthorized}
	case s == http.StatusForbidden:
		switch {
		case strings.Contains(msg, "subscription"):
			return []error{ErrForbidden, ErrSubscription}
		case strings.Contains(msg, "scope"):
			return []error{ErrForbidden, ErrScope}
		case fromPlatform:
			return []error{ErrForbidden, ErrOtherAgent}
		}
		return []error{ErrForbidden}
	case s == http.StatusNotFound:
		switch {
		case strings.Contains(msg, "agent not found"):
			return []error{ErrNotFound, ErrAgentNotFound}
		case isRouteNotFound(msg):
			return []error{ErrNotFound}
		case fromPlatform:
			return []error{ErrNotFound, ErrSessionNotFound}
		}
		return []error{ErrNotFound}
	case s == http.StatusConflict:
		return []error{ErrConflict}
	case s == http.StatusUnprocessableEntity && e.isLabelInUse():
		return []error{ErrValidation, ErrLabelInUse}
	case s == http.StatusUnprocessableEntity || s == http.StatusBadRequest:
		return []error{ErrValidation}
	case s == http.StatusTooManyRequests:
		return []error{ErrRateLimited}
	case s == http.StatusBadGateway:
		return []error{ErrBadGateway}
	case s == http.StatusServiceUnavailable && fromPlatform && isNotRunning(e.Message):
		return []error{ErrAgentNotRunning}
	case s >= 500:
		return []error{ErrServer}
	}
	return nil
}

// isRouteNotFound recognises Laravel's answer to an unknown URL ("The route
// agents/x/sessions could not be found."), which means a wrong base_url, not
// a missing session.
func isRouteNotFound(lowerMsg string) bool {
	return strings.HasPrefix(lowerMsg, "the route ") && strings.Contains(lowerMsg, "could not be found")
}

// isNotRunning recognises the platform's own 503 message, and no other
// text that happens to say "not running".
func isNotRunning(message string) bool {
	return strings.EqualFold(strings.TrimRight(strings.TrimSpace(message), ". "), "Agent container is not running")
}

// isLabelInUse recognises the runtime's "label already in use: <label>", in
// the label's field errors or in the message.
func (e *APIError) isLabelInUse() bool {
	for _, m := range append([]string{e.Message}, e.FieldErrors["label"]...) {
		m = strings.ToLower(m)
		if strings.Contains(m, "label") && strings.Contains(m, "in use") || strings.Contains(m, "already been taken") {
			return true
		}
	}
	return false
}

// errorBody is the union of the platform's and Laravel's error formats.
type errorBody struct {
	Error   json.RawMessage `json:"error"`
	Message json.RawMessage `json:"message"`
	Errors  json.RawMessage `json:"errors"`
}

// parseErrorBody fills Category, Message, FieldErrors, or Body when the body
// is not a JSON object, every text scrubbed by s (nil: key shapes and
// control characters only). It never fails.
func (e *APIError) parseErrorBody(body []byte, s *scrubber) {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return
	}
	var eb errorBody
	if !strings.HasPrefix(trimmed, "{") || json.Unmarshal([]byte(trimmed), &eb) != nil {
		e.Body = s.text(summarizeBody(trimmed, maxErrorBody))
		return
	}
	e.Category = s.text(jsonText(eb.Error))
	e.Message = s.text(jsonText(eb.Message))
	if len(eb.Errors) > 0 {
		var fe map[string]json.RawMessage
		if json.Unmarshal(eb.Errors, &fe) == nil && len(fe) > 0 {
			e.FieldErrors = make(map[string][]string, len(fe))
			for k, v := range fe {
				k = s.text(k)
				var list []json.RawMessage
				if json.Unmarshal(v, &list) == nil {
					for _, item := range list {
						e.FieldErrors[k] = append(e.FieldErrors[k], s.text(jsonText(item)))
					}
				} else {
					e.FieldErrors[k] = append(e.FieldErrors[k], s.text(jsonText(v)))
				}
			}
		}
	}
}

// jsonText renders a JSON value as text: strings unquoted, null empty,
// anything else compact JSON.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if t == "null" {
		return ""
	}
	return truncate(t, maxErrorBody)
}

var (
	tagRe   = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// summarizeBody strips HTML tags, collapses white space and truncates to n
// runes.
func summarizeBody(body string, n int) string {
	s := tagRe.ReplaceAllString(body, " ")
	s = html.UnescapeString(s)
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	return truncate(s, n)
}

// truncate cuts s to at most n runes, adding "…" when it cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// TransportError is a call that got no usable HTTP response: the connection
// failed, was dropped, timed out on every attempt, or the caller's context
// ended. When an earlier attempt did get a response (for instance a 503
// before the context was cancelled), LastStatus records it.
type TransportError struct {
	// Op names the client call, e.g. "rename session".
	Op string
	// Method and Path identify the request; Path is relative to the base URL.
	Method string
	Path   string
	// Attempts is how many requests were made for this call.
	Attempts int
	// Timeout is true when the last attempt hit the per-attempt timeout.
	Timeout bool
	// PerAttemptTimeout is the configured per-attempt timeout.
	PerAttemptTimeout time.Duration
	// LastStatus is the HTTP status of the last attempt that got a
	// response, or 0.
	LastStatus int
	// Err is the underlying error (a *url.Error, io.EOF, context.Canceled, ...).
	Err error
}

// Error names the call, the request, the attempts and the cause.
func (e *TransportError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	attempts := "1 attempt"
	if e.Attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", e.Attempts)
	}
	cause := "<nil>"
	if e.Err != nil {
		cause = e.Err.Error()
	}
	switch {
	case e.Timeout:
		fmt.Fprintf(&b, "no response after %s: timeout after %s per attempt", attempts, e.PerAttemptTimeout)
	case errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded):
		fmt.Fprintf(&b, "stopped after %s: %s", attempts, cause)
	default:
		fmt.Fprintf(&b, "no response after %s: %s", attempts, cause)
	}
	if e.LastStatus != 0 {
		fmt.Fprintf(&b, " (last response: HTTP %d)", e.LastStatus)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is a success response whose body could not be decoded.
type DecodeError struct {
	// Op names the client call, e.g. "list sessions".
	Op string
	// Method and Path identify the request.
	Method string
	Path   string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Body is the start of the body as text (omitted for history responses,
	// which hold transcripts).
	Body string
	// InElement is set when the body is a JSON array of objects, as the
	// call expects, and what could not be decoded is one element's content
	// (a field of another type, a null element, a missing or repeated key
	// or filename). It is false for a body of another shape: not JSON (an
	// HTML page), not an array, an array of something else, data after
	// the array.
	InElement bool
	// Err is the decoding error.
	Err error
}

// Error names the call and what was wrong with the body.
func (e *DecodeError) Error() string {
	s := fmt.Sprintf("%s: %s %s: HTTP %d with an unexpected body: %v", e.Op, e.Method, e.Path, e.StatusCode, e.Err)
	if e.Body != "" {
		s += ": " + truncate(e.Body, 200)
	}
	return s
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Bound names one of the bounds a listing or history answer is read within
// (see MaxAnswerBytes).
type Bound string

// The bounds of a listing or history answer.
const (
	// BoundAnswerBytes is the size of the whole answer (MaxAnswerBytes).
	BoundAnswerBytes Bound = "answer size"
	// BoundElementBytes is the size of one element of the list
	// (MaxEntryBytes for a session or archive, MaxMessageBytes for a
	// message).
	BoundElementBytes Bound = "element size"
	// BoundElements is the number of elements of the list
	// (MaxListingElements, MaxHistoryMessages).
	BoundElements Bound = "element count"
	// BoundDepth is how deeply the answer nests arrays and objects
	// (MaxDepth).
	BoundDepth Bound = "nesting depth"
)

// LimitError is a 2xx answer to a listing or a history that was, as far as
// it was read, the JSON the API sends, but went past one of the bounds the
// client reads an answer within. Reading stopped there and the call failed
// (what a per-element callback was given before is incomplete). It is not
// retried: the same answer would go past the same bound.
type LimitError struct {
	// Op names the client call, e.g. "list sessions".
	Op string
	// Method and Path identify the request.
	Method string
	Path   string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Bound is the bound the answer went past.
	Bound Bound
	// Limit is the bound's value: bytes, elements or levels.
	Limit int64
	// Seen is how far the answer had gone, in the bound's unit, when
	// reading stopped: always more than Limit, and a lower bound of the
	// true size.
	Seen int64
	// Element names what the list holds: "session", "archive", "message".
	Element string
	// Index is the 1-based position in the list of the element being read
	// when reading stopped; 0 before the first.
	Index int
	// Read is how many bytes of the answer were read (after
	// decompression).
	Read int64
}

// Error names the call, the bound, and how far the answer went past it.
func (e *LimitError) Error() string {
	var what string
	switch e.Bound {
	case BoundAnswerBytes:
		what = fmt.Sprintf("the answer is larger than the %s the client reads of one answer", sizeText(e.Limit))
	case BoundElementBytes:
		what = fmt.Sprintf("%s %d of the list is larger than the %s the client reads of one %s",
			e.Element, e.Index, sizeText(e.Limit), e.Element)
	case BoundElements:
		what = fmt.Sprintf("the list has more than %d %ss, the most the client reads of one answer", e.Limit, e.Element)
	case BoundDepth:
		what = fmt.Sprintf("%s %d of the list nests arrays and objects deeper than %d levels, the most the client reads",
			e.Element, e.Index, e.Limit)
	default:
		what = fmt.Sprintf("the answer went past the client's %s bound of %d", e.Bound, e.Limit)
	}
	at := fmt.Sprintf("at %s %d", e.Element, e.Index)
	if e.Index == 0 {
		at = "before the first " + e.Element
	}
	return fmt.Sprintf("%s: %s %s: HTTP %d: %s (reading stopped %s, after %s of the answer)",
		e.Op, e.Method, e.Path, e.StatusCode, what, at, sizeText(e.Read))
}

// sizeText renders a byte count: "512 bytes", "4 MiB", "18.3 MiB", "1 GiB".
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KiB"
	case n < 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MiB"
	}
	return trimZero(fmt.Sprintf("%.2f", float64(n)/(1<<30))) + " GiB"
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
