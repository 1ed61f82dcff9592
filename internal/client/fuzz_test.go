package client

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to every decoder: the three list
// decoders, ChatMessage.Text/ContentJSON and the error-body parser with
// every status. None may panic; decoded content must stay valid.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `[null]`, `"x"`, `<html><h1>502</h1></html>`,
		`[{"key":"a","label":null,"updatedAt":1.7e12,"origin":{"x":[1,{"y":null}]},"extra":1}]`,
		`[{"key":"a","updatedAt":"17"},{"key":"b"}]`,
		`[{"filename":"f","label":"l","archivedAt":"2026-11-28T17:00:00.000Z","sessionId":"s"}]`,
		`[{"id":1,"role":"assistant","content":[{"type":"text","text":"a"},{"type":"thinking"},{"type":"toolCall","arguments":{}}],"timestamp":1e12}]`,
		`[{"id":"m","content":"plain"},{"content":[1,"x",null,{"type":"text","text":7}]}]`,
		`{"message":"The given data was invalid.","errors":{"label":["label already in use: x"]}}`,
		`{"error":"Forbidden","message":"This API key lacks the required scope: agent:manage"}`,
		`{"errors":{"a":"b","c":[1,{}]}}`,
	} {
		f.Add([]byte(s))
	}
	statuses := []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sessions []Session
		if err := decodeList(call{op: "list sessions"}, 200, data, &sessions); err == nil && sessions == nil {
			t.Fatal("nil list without error")
		} else if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Error() == "" {
				t.Fatalf("unexpected error type %T", err)
			}
		}
		for _, s := range sessions {
			if len(s.Origin) > 0 && !json.Valid(s.Origin) {
				t.Fatalf("invalid origin %q", s.Origin)
			}
			if s.Label != nil && !s.LabelPresent {
				t.Fatal("label without LabelPresent")
			}
		}
		var archives []Archive
		_ = decodeList(call{op: "list archives"}, 200, data, &archives)
		var msgs []ChatMessage
		if err := decodeList(call{op: "read session history", sensitiveResponse: true}, 200, data, &msgs); err == nil {
			for _, m := range msgs {
				_ = m.Text()
				if c := m.ContentJSON(); c != "" && !json.Valid([]byte(c)) {
					t.Fatalf("ContentJSON not valid JSON: %q", c)
				}
			}
		}
		// Text and ContentJSON on arbitrary raw content.
		m := ChatMessage{Content: json.RawMessage(data)}
		_ = m.Text()
		_ = m.ContentJSON()
		var one ChatMessage
		_ = json.Unmarshal(data, &one)
		_ = one.Text()
		for _, st := range statuses {
			e := &APIError{Op: "op", Method: "POST", Path: "/p", StatusCode: st, Attempts: 2}
			e.parseErrorBody(data, nil)
			if e.Error() == "" {
				t.Fatal("empty error message")
			}
			_ = errors.Is(e, ErrNotFound)
			_ = errors.Is(e, ErrForbidden)
		}
	})
}
