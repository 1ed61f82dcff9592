package client

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
)

// FuzzDecode feeds arbitrary bytes to every decoder: the three list
// decoders (with the default limit and with a limit shorter than the body),
// ChatMessage.Text/ContentJSON and the error-body parser with every status.
// None may panic; a list decodes or fails with a *DecodeError or a
// *LimitError; decoded content must stay valid; a body longer than its
// limit never decodes; no error text carries the key or a control
// character, wherever the body put them.
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
		`[{"key":"a"},{"key":"a"}]`, `[{}]`, `[{"filename":""}]`, "[" + strings.Repeat(" ", 300) + "]",
		`{"error":"Unauthorized","message":"Invalid key ` + testKey + `\u001b[31m\n"}`,
		`<html>Bearer &#103;_master_` + testKey[9:] + `</html>`,
		`{"message":"x","errors":{"` + strings.ToUpper(testKey[9:]) + `":["\u0067_agent_` + testKey[9:] + `"]}}`,
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
			var le *LimitError
			if !errors.As(err, &de) && !errors.As(err, &le) || err.Error() == "" {
				t.Fatalf("unexpected error type %T", err)
			}
			expectCleanText(t, err.Error())
		}
		for _, s := range sessions {
			if len(s.Origin) > 0 && !json.Valid(s.Origin) {
				t.Fatalf("invalid origin %q", s.Origin)
			}
			if s.Label != nil && !s.LabelPresent {
				t.Fatal("label without LabelPresent")
			}
		}
		// The same body under a limit shorter than itself never decodes.
		if limit := int64(len(data) / 2); limit > 0 {
			var capped []Session
			err := decodeList(call{op: "list sessions", maxBytes: limit}, 200, data, &capped)
			var de *DecodeError
			var le *LimitError
			if !errors.As(err, &de) && !errors.As(err, &le) {
				t.Fatalf("a %d-byte body under a %d-byte limit: %v", len(data), limit, err)
			}
			expectCleanText(t, err.Error())
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
			e.parseErrorBody(data, newScrubber(testKey))
			if e.Error() == "" {
				t.Fatal("empty error message")
			}
			expectCleanText(t, e.Error())
			_ = errors.Is(e, ErrNotFound)
			_ = errors.Is(e, ErrForbidden)
		}
	})
}

// expectCleanText fails when an error text carries the test key's random
// part (in any letter case) or a control character.
func expectCleanText(t *testing.T, msg string) {
	t.Helper()
	if strings.Contains(strings.ToLower(msg), testKey[9:]) {
		t.Fatalf("error text carries the key: %q", msg)
	}
	for _, r := range msg {
		if unicode.IsControl(r) {
			t.Fatalf("error text carries control character %U: %q", r, msg)
		}
	}
}
