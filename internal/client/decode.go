package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Success bodies of the listing and history calls are bare JSON arrays.
// They are decoded element by element as they stream in, so a call holds
// the decoded list and never the whole body as well.

// decodeSessions decodes a sessions listing: every element must have a
// "key", and no key may appear twice.
func decodeSessions(r io.Reader) ([]Session, error) {
	return decodeArray(r, "session", "key", func(s *Session) string { return s.Key })
}

// decodeArchives decodes an archives listing: every element must have a
// "filename", and no filename may appear twice.
func decodeArchives(r io.Reader) ([]Archive, error) {
	return decodeArray(r, "archive", "filename", func(a *Archive) string { return a.Filename })
}

// decodeMessages decodes a history answer.
func decodeMessages(r io.Reader) ([]ChatMessage, error) {
	return decodeArray[ChatMessage](r, "message", "", nil)
}

// decodeArray decodes a JSON array (null reads as an empty list) of what
// elements. When id is set, every element must have a non-empty identity
// (its field named idField) and no identity may appear twice. The result is
// never nil without an error.
func decodeArray[T any](r io.Reader, what, idField string, id func(*T) string) ([]T, error) {
	dec := json.NewDecoder(&spaceSqueezer{r: r})
	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil, errors.New("empty body, want a JSON array")
	case err != nil:
		return nil, err
	case tok == nil:
		return []T{}, endOfBody(dec)
	case tok != json.Delim('['):
		return nil, errors.New("want a JSON array")
	}
	out := []T{}
	seen := map[string]int{}
	for i := 0; dec.More(); i++ {
		var p *T // stays nil for a null element
		if err := dec.Decode(&p); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, fmt.Errorf("%s %d of the list: %w", what, i+1, err)
		}
		if p == nil {
			return nil, fmt.Errorf("%s %d of the list is null", what, i+1)
		}
		v := *p
		if id != nil {
			k := id(&v)
			if k == "" {
				return nil, fmt.Errorf("%s %d of the list has no %q", what, i+1, idField)
			}
			if j, dup := seen[k]; dup {
				return nil, fmt.Errorf("%ss %d and %d of the list have the same %s %q", what, j+1, i+1, idField, k)
			}
			seen[k] = i
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, err
	}
	return out, endOfBody(dec)
}

// endOfBody fails when anything but white space follows the value.
func endOfBody(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return errors.New("data after the JSON array")
	}
	return nil
}

// spaceSqueezer turns every run of white space outside JSON strings into
// one space. encoding/json's Decoder rescans the white space it has not
// consumed each time it refills its buffer, which makes a body of
// megabytes of white space take minutes; squeezed, it takes milliseconds.
type spaceSqueezer struct {
	r                         io.Reader
	inString, escaped, spaced bool
}

func (s *spaceSqueezer) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		out := 0
		for _, c := range p[:n] {
			switch {
			case s.inString:
				s.inString = s.escaped || c != '"'
				s.escaped = !s.escaped && c == '\\'
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				if s.spaced {
					continue
				}
				s.spaced, c = true, ' '
			default:
				s.spaced = false
				s.inString = c == '"'
			}
			p[out] = c
			out++
		}
		if out > 0 || err != nil || n == 0 {
			return out, err
		}
	}
}
