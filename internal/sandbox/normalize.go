package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// trimLabel trims a label as the platform's Laravel backend trims request
// strings: Unicode white space, and also the zero-width space (U+200B), the
// zero-width no-break space (U+FEFF) and the left-to-right mark (U+200E).
func trimLabel(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' || r == '\u200E'
	})
}

// normalizeLabel trims l; empty means no label; longer than 255 characters
// is a validation error.
func normalizeLabel(l *string) (*string, error) {
	if l == nil {
		return nil, nil
	}
	t := trimLabel(*l)
	if t == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(t) > MaxLabelLength {
		return nil, &ValidationError{Field: "label", Message: fmt.Sprintf("The label field must not be greater than %d characters.", MaxLabelLength)}
	}
	return &t, nil
}

func labelTaken(a *agent, label *string, exceptKey string) error {
	if label == nil {
		return nil
	}
	for k, o := range a.sessions {
		if k != exceptKey && o.Label != nil && *o.Label == *label {
			return labelInUse(*label)
		}
	}
	return nil
}

func labelInUse(label string) error {
	return &ValidationError{Field: "label", Message: "label already in use: " + label}
}

// cloneJSON deep-copies v through JSON so numbers are float64 everywhere
// and states compare equal whatever the source.
func cloneOrigin(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	if out, ok := cloneFlatOrigin(m); ok {
		return out
	}
	b, err := json.Marshal(m)
	if err != nil {
		return map[string]any{}
	}
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}

// cloneFlatOrigin copies an origin of JSON scalars (valid UTF-8 strings,
// booleans, null, finite numbers, which become float64) as the JSON round
// trip of cloneOrigin would, without it: loading 100,000 generated
// sessions spent most of its time there. ok is false for anything else.
func cloneFlatOrigin(m map[string]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !utf8.ValidString(k) {
			return nil, false
		}
		switch v := v.(type) {
		case string:
			if !utf8.ValidString(v) {
				return nil, false
			}
			out[k] = v
		case bool, nil:
			out[k] = v
		case int:
			if v > 1<<53 || v < -(1<<53) {
				return nil, false
			}
			out[k] = float64(v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, false
			}
			out[k] = v
		default:
			return nil, false
		}
	}
	return out, true
}

func copyLabel(l *string) *string {
	if l == nil {
		return nil
	}
	v := *l
	return &v
}

func (s *Sandbox) normalizeMessages(msgs []Message) ([]Message, error) {
	out := make([]Message, 0, len(msgs))
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: role must be user or assistant", i)}
		}
		if len(m.Content) == 0 {
			m.Content = json.RawMessage(`""`)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, m.Content); err != nil {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: content is not JSON", i)}
		}
		if c := buf.Bytes(); len(c) == 0 || (c[0] != '"' && c[0] != '[') {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: content must be a string or an array of blocks", i)}
		}
		m.Content = json.RawMessage(buf.Bytes())
		if m.ID == "" {
			m.ID = randomHex(8)
		}
		if m.Timestamp == 0 {
			m.Timestamp = s.now().UnixMilli()
		}
		out = append(out, m)
	}
	return out, nil
}

func copyMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Content = slices.Clone(m.Content)
		out[i] = m
	}
	return out
}
