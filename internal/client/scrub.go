package client

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Everything taken from an answer (messages, field errors, HTML pages,
// decode errors, a redirect's Location, even a malformed status line in a
// transport error) is scrubbed before it becomes an error: a server or proxy
// that echoes the key must not put it into diagnostics, the terminal or
// terraform-plugin-go's own log lines, which the client's masked log
// subsystem does not cover. Control characters (ANSI escapes, newlines)
// are removed too, so a server cannot rewrite the user's terminal.

// redacted replaces a secret in a text.
const redacted = "[REDACTED]"

var (
	// anyKeyPattern matches Guayaba keys, and the start of one cut short
	// by truncation.
	anyKeyPattern = regexp.MustCompile(`g_(?:master|agent)_[0-9A-Za-z]+`)
	// ansiPattern matches ANSI escape sequences (CSI, OSC and two-byte).
	ansiPattern = regexp.MustCompile("\x1b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[@-Z\\\\-_])")
)

// scrubber removes one client's key, anything shaped like a Guayaba key
// and control characters from texts. The zero value (and nil) removes key
// shapes and control characters only.
type scrubber struct {
	key  string
	tail *regexp.Regexp // the key's random part, in any letter case
}

func newScrubber(key string) *scrubber {
	s := &scrubber{}
	if len(key) >= 8 {
		s.key = key
	}
	tail := key
	for _, p := range []string{"g_master_", "g_agent_"} {
		tail = strings.TrimPrefix(tail, p)
	}
	if len(tail) >= 8 {
		s.tail = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(tail))
	}
	return s
}

// text returns v with control characters and secrets removed.
func (s *scrubber) text(v string) string {
	v = stripControl(v)
	if s != nil && s.key != "" {
		v = strings.ReplaceAll(v, s.key, redacted)
	}
	if s != nil && s.tail != nil {
		v = s.tail.ReplaceAllString(v, redacted)
	}
	return anyKeyPattern.ReplaceAllString(v, redacted)
}

// err returns err with its text scrubbed; errors.Is and errors.As still
// see the original.
func (s *scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.text(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// stripControl removes ANSI escape sequences and turns every other control
// or invisible formatting character (newlines, bidirectional overrides)
// into a space.
func stripControl(v string) string {
	v = ansiPattern.ReplaceAllString(v, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, v)
}

// redactLocation keeps a redirect target's scheme, host and path: its user
// information, query and fragment may carry secrets.
func redactLocation(loc string) string {
	if loc == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return "(an invalid URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
