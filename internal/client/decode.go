package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// Success bodies of the listing and history calls are bare JSON arrays.
// They are decoded element by element as they stream in, each element into
// its typed struct (fields the provider does not use are not kept), and
// handed to the caller one at a time: a call holds one element's bytes,
// never the whole body. Every answer is read within the bounds below
// (see DESIGN.md for why they are what they are); one past a bound ends the
// call with a *LimitError, at once.

// bounds are what one kind of list is read within, on top of the answer's
// size (call.maxBytes).
type bounds struct {
	element      string // "session"
	elementBytes int64  // one element, in bytes as the decoder sees them
	elements     int    // elements in the list
	idField      string // the field that must be set and unique, or ""
}

var (
	sessionBounds = bounds{"session", MaxEntryBytes, MaxListingElements, "key"}
	archiveBounds = bounds{"archive", MaxEntryBytes, MaxListingElements, "filename"}
	messageBounds = bounds{"message", MaxMessageBytes, MaxHistoryMessages, ""}
)

// decodeSessions decodes a sessions listing: every element must have a
// "key", and no key may appear twice.
func decodeSessions(r io.Reader, each func(int, Session) error) error {
	return decodeArray(r, sessionBounds, func(s *Session) string { return s.Key }, each)
}

// decodeArchives decodes an archives listing: every element must have a
// "filename", and no filename may appear twice.
func decodeArchives(r io.Reader, each func(int, Archive) error) error {
	return decodeArray(r, archiveBounds, func(a *Archive) string { return a.Filename }, each)
}

// decodeMessages decodes a history answer.
func decodeMessages(r io.Reader, each func(int, ChatMessage) error) error {
	return decodeArray(r, messageBounds, nil, each)
}

// callbackError carries the error a caller's per-element function
// returned, so that it reaches the caller as it was, unretried.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// contentError is a list of the expected shape (an array of objects) with
// an element whose content the call cannot take.
type contentError struct{ err error }

func (e *contentError) Error() string { return e.err.Error() }
func (e *contentError) Unwrap() error { return e.err }

// decodeArray decodes a JSON array (null reads as an empty list) of
// b.element elements, calling each with every element's 0-based index and
// value, in order. When id is set, every element must have a non-empty
// identity (its field named b.idField) and no identity may appear twice.
// A *LimitError (from r or from the bounds in b) is returned as it is.
func decodeArray[T any](r io.Reader, b bounds, id func(*T) string, each func(int, T) error) error {
	g := &jsonGuard{r: r, b: b, maxDepth: MaxDepth, stopAt: math.MaxInt64}
	dec := json.NewDecoder(g)
	g.window(0)
	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("empty body, want a JSON array")
	case err != nil:
		return g.limitOr(err)
	case tok == nil:
		return endOfBody(dec, g)
	case tok != json.Delim('['):
		return errors.New("want a JSON array")
	}
	seen := map[string]int{}
	for i := 0; ; i++ {
		g.window(dec.InputOffset())
		if !dec.More() {
			break
		}
		var p *T // stays nil for a null element
		if err := dec.Decode(&p); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return err
			}
			var sh *shapeError
			if errors.As(err, &sh) {
				return err
			}
			if le := g.limit(err); le != nil {
				return le
			}
			return &contentError{fmt.Errorf("%s %d of the list: %w", b.element, i+1, err)}
		}
		if p == nil {
			return &contentError{fmt.Errorf("%s %d of the list is null", b.element, i+1)}
		}
		if id != nil {
			k := id(p)
			if k == "" {
				return &contentError{fmt.Errorf("%s %d of the list has no %q", b.element, i+1, b.idField)}
			}
			if j, dup := seen[k]; dup {
				return &contentError{fmt.Errorf("%ss %d and %d of the list have the same %s %q", b.element, j+1, i+1, b.idField, k)}
			}
			seen[k] = i
		}
		if err := each(i, *p); err != nil {
			return &callbackError{err}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return g.limitOr(err)
	}
	return endOfBody(dec, g)
}

// endOfBody fails when anything but white space follows the value. It
// reads what follows itself: the decoder would read a whole value (a string
// of any length) before saying it is there.
func endOfBody(dec *json.Decoder, g *jsonGuard) error {
	g.window(-1)
	rest := io.MultiReader(dec.Buffered(), g)
	var buf [512]byte
	for {
		n, err := rest.Read(buf[:])
		for _, c := range buf[:n] {
			if !isSpace(c) {
				return errors.New("data after the JSON array")
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return g.limitOr(err)
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// jsonGuard sits between an answer and the JSON decoder, and reads the
// answer within the bounds of its list before the decoder sees it:
//
//   - the answer must be an array (or null): anything else is refused at
//     its first byte, so a body that is one huge string is never read;
//   - every element must be an object (or null), refused at its first byte;
//   - nesting deeper than maxDepth ends the read at the first byte too
//     deep, so the decoder's own scanner (which buffers the whole value)
//     never sees it;
//   - the element after b.elements ends the read at its first byte;
//   - no element may take more than b.elementBytes: the decoder is given
//     no byte past its window (set by the caller at the start of each
//     element), so its buffer never grows past it;
//   - white space outside strings is squeezed to one space: encoding/json
//     rescans the white space it has not consumed each time it refills its
//     buffer, which makes megabytes of white space take minutes.
//
// Its first error is kept and returned by every later Read.
type jsonGuard struct {
	r        io.Reader
	b        bounds
	maxDepth int

	inString, escaped, spaced, started bool
	expectElement                      bool // the next value at depth 1 is an element
	depth                              int
	elements                           int   // elements started
	out                                int64 // bytes handed to the decoder
	start, stopAt                      int64 // the current element's window
	err                                error
}

// window starts an element's window at offset from (the decoder's input
// offset); from < 0 removes the window.
func (g *jsonGuard) window(from int64) {
	if from < 0 {
		g.start, g.stopAt = g.out, math.MaxInt64
		return
	}
	g.start, g.stopAt = from, from+g.b.elementBytes
}

func (g *jsonGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.out >= g.stopAt {
		g.err = &LimitError{Bound: BoundElementBytes, Limit: g.b.elementBytes, Seen: g.out - g.start + 1}
		return 0, g.err
	}
	if room := g.stopAt - g.out; int64(len(p)) > room {
		p = p[:room]
	}
	for {
		n, err := g.r.Read(p)
		out := 0
		for _, c := range p[:n] {
			if g.inString {
				g.inString = g.escaped || c != '"'
				g.escaped = !g.escaped && c == '\\'
			} else if isSpace(c) {
				if g.spaced {
					continue
				}
				g.spaced, c = true, ' '
			} else {
				g.spaced = false
				if g.err = g.significant(c); g.err != nil {
					break
				}
			}
			p[out] = c
			out++
		}
		g.out += int64(out)
		if g.err != nil {
			if out > 0 {
				return out, nil
			}
			return 0, g.err
		}
		if out > 0 || err != nil || n == 0 {
			return out, err
		}
	}
}

// significant follows one byte outside strings (not white space): the
// nesting, where elements start, and what they are.
func (g *jsonGuard) significant(c byte) error {
	if !g.started {
		g.started = true
		if c != '[' && c != 'n' {
			return &shapeError{"want a JSON array"}
		}
	}
	if g.depth == 1 && g.expectElement && c != ']' {
		// An element starts.
		g.expectElement = false
		g.elements++
		if g.elements > g.b.elements {
			return &LimitError{Bound: BoundElements, Limit: int64(g.b.elements), Seen: int64(g.elements)}
		}
		if c != '{' && c != 'n' {
			return &shapeError{fmt.Sprintf("%s %d of the list is %s, want an object", g.b.element, g.elements, kindOf(c))}
		}
	}
	switch c {
	case '"':
		g.inString = true
	case ',':
		g.expectElement = g.depth == 1
	case '[', '{':
		g.depth++
		g.expectElement = g.depth == 1
		if g.depth > g.maxDepth {
			return &LimitError{Bound: BoundDepth, Limit: int64(g.maxDepth), Seen: int64(g.depth)}
		}
	case ']', '}':
		g.depth--
	}
	return nil
}

// shapeError is an answer that is not the list the call reads.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return e.msg }

// kindOf names the kind of JSON value that starts with c.
func kindOf(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	}
	return "not JSON"
}

// limit returns err's *LimitError, with what the guard knows of where the
// read stopped, or nil.
func (g *jsonGuard) limit(err error) *LimitError {
	var le *LimitError
	if !errors.As(err, &le) {
		return nil
	}
	le.Element = g.b.element
	if le.Index == 0 {
		le.Index = g.elements
	}
	return le
}

// limitOr returns err's *LimitError, or err.
func (g *jsonGuard) limitOr(err error) error {
	if le := g.limit(err); le != nil {
		return le
	}
	return err
}
