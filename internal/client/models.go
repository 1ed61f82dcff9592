package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Session is an active chat session as GET /agents/{id}/sessions returns it.
//
// Every documented field is decoded losslessly; unknown fields are ignored.
// Label distinguishes null and absent through LabelPresent.
type Session struct {
	Key         string `json:"key"`
	SessionID   string `json:"sessionId"`
	SessionFile string `json:"sessionFile"`
	// Label is nil when the session has no label (null or absent).
	Label *string `json:"label"`
	// LabelPresent is false when the "label" field was absent from the body.
	LabelPresent bool `json:"-"`
	// UpdatedAt is the last activity as Unix milliseconds.
	UpdatedAt   int64  `json:"updatedAt"`
	ChatType    string `json:"chatType"`
	LastChannel string `json:"lastChannel"`
	// Origin is the origin object exactly as sent (nil when absent).
	Origin json.RawMessage `json:"origin,omitempty"`
}

// Archive is an archived session as GET /agents/{id}/archives returns it.
// Archives do not carry the session key.
type Archive struct {
	Filename   string  `json:"filename"`
	Label      *string `json:"label"`
	ArchivedAt string  `json:"archivedAt"`
	SessionID  string  `json:"sessionId"`
}

// ChatMessage is one transcript message. Content is kept exactly as sent:
// a JSON string or an array of blocks (text, thinking, toolCall, ...).
type ChatMessage struct {
	ID        string          `json:"id"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	Timestamp int64           `json:"timestamp"`
}

// UnmarshalJSON decodes a session, recording whether "label" was present,
// keeping "origin" as raw JSON and accepting "updatedAt" as an integer, a
// float (1.7e12; fractional milliseconds are truncated), a numeric string or
// null. Unknown fields are ignored.
func (s *Session) UnmarshalJSON(data []byte) error {
	var aux struct {
		Key         string          `json:"key"`
		SessionID   string          `json:"sessionId"`
		SessionFile string          `json:"sessionFile"`
		Label       json.RawMessage `json:"label"`
		UpdatedAt   json.RawMessage `json:"updatedAt"`
		ChatType    string          `json:"chatType"`
		LastChannel string          `json:"lastChannel"`
		Origin      json.RawMessage `json:"origin"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	out := Session{
		Key:         aux.Key,
		SessionID:   aux.SessionID,
		SessionFile: aux.SessionFile,
		ChatType:    aux.ChatType,
		LastChannel: aux.LastChannel,
	}
	if aux.Label != nil {
		out.LabelPresent = true
		label, err := nullableString(aux.Label)
		if err != nil {
			return fmt.Errorf("session %q: label: %w", aux.Key, err)
		}
		out.Label = label
	}
	ts, err := millis(aux.UpdatedAt)
	if err != nil {
		return fmt.Errorf("session %q: updatedAt: %w", aux.Key, err)
	}
	out.UpdatedAt = ts
	if len(aux.Origin) > 0 {
		out.Origin = aux.Origin // json.RawMessage decodes into a copy of its own
	}
	*s = out
	return nil
}

// UnmarshalJSON decodes an archive, accepting "archivedAt" as a string or
// (kept as its JSON text) a number. Unknown fields are ignored.
func (a *Archive) UnmarshalJSON(data []byte) error {
	var aux struct {
		Filename   string          `json:"filename"`
		Label      json.RawMessage `json:"label"`
		ArchivedAt json.RawMessage `json:"archivedAt"`
		SessionID  string          `json:"sessionId"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	label, err := nullableString(aux.Label)
	if err != nil {
		return fmt.Errorf("archive %q: label: %w", aux.Filename, err)
	}
	at, err := stringOrNumber(aux.ArchivedAt)
	if err != nil {
		return fmt.Errorf("archive %q: archivedAt: %w", aux.Filename, err)
	}
	*a = Archive{Filename: aux.Filename, Label: label, ArchivedAt: at, SessionID: aux.SessionID}
	return nil
}

// UnmarshalJSON decodes a message, keeping "content" raw, accepting "id" as
// a string or a number and "timestamp" like Session.UpdatedAt.
func (m *ChatMessage) UnmarshalJSON(data []byte) error {
	var aux struct {
		ID        json.RawMessage `json:"id"`
		Role      string          `json:"role"`
		Content   json.RawMessage `json:"content"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	id, err := stringOrNumber(aux.ID)
	if err != nil {
		return fmt.Errorf("message: id: %w", err)
	}
	ts, err := millis(aux.Timestamp)
	if err != nil {
		return fmt.Errorf("message %q: timestamp: %w", id, err)
	}
	out := ChatMessage{ID: id, Role: aux.Role, Timestamp: ts}
	if len(aux.Content) > 0 {
		out.Content = aux.Content // json.RawMessage decodes into a copy of its own
	}
	*m = out
	return nil
}

// Text returns the message as plain text: the content itself when it is a
// string, or the "text" of every {"type":"text"} block joined with "\n" when
// it is an array of blocks. Other blocks (thinking, toolCall, ...) are
// skipped. Anything else gives "".
func (m ChatMessage) Text() string {
	raw := bytes.TrimSpace(m.Content)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '[':
		var blocks []json.RawMessage
		if json.Unmarshal(raw, &blocks) != nil {
			return ""
		}
		var parts []string
		for _, b := range blocks {
			var blk struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if json.Unmarshal(b, &blk) == nil && blk.Type == "text" {
				parts = append(parts, blk.Text)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// ContentJSON returns the content exactly as sent, compacted: a JSON string
// or array. It returns "" when the message had no content.
func (m ChatMessage) ContentJSON() string {
	if len(m.Content) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, m.Content); err != nil {
		return string(m.Content)
	}
	return b.String()
}

// nullableString decodes an absent or null value as nil and a string as a
// pointer to it.
func nullableString(raw json.RawMessage) (*string, error) {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("want a string or null, got %s", jsonKind(raw))
	}
	return &s, nil
}

// stringOrNumber decodes a string as itself, a number as its JSON text and
// null or absent as "".
func stringOrNumber(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(t, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(t, &n) == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("want a string or a number, got %s", jsonKind(raw))
}

// millis decodes a Unix-millisecond timestamp given as an integer, a float
// (truncated), a numeric string, or null/absent (0).
func millis(raw json.RawMessage) (int64, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return 0, nil
	}
	var s string
	if t[0] == '"' {
		if err := json.Unmarshal(t, &s); err != nil {
			return 0, err
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(t, &n); err != nil {
			return 0, fmt.Errorf("want a number, got %s", jsonKind(raw))
		}
		s = n.String()
	}
	s = strings.TrimSpace(s)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0, fmt.Errorf("want a Unix-millisecond number, got %s", jsonKind(raw))
	}
	return int64(f), nil
}

// jsonKind names the kind of a JSON value for an error message, without
// quoting it: the value came from the server and may hold anything.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
