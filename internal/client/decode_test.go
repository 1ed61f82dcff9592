package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// decodeList decodes body into out the way a call reads a 2xx answer of
// the list type of out, *DecodeError and *LimitError included, reading at
// most cl.maxBytes (default MaxAnswerBytes).
func decodeList[T Session | Archive | ChatMessage](cl call, status int, body []byte, out *[]T) error {
	var got []T
	each := func(i int, v T) error { got = append(got, v); return nil }
	switch f := any(each).(type) {
	case func(int, Session) error:
		cl.decode = func(r io.Reader) error { return decodeSessions(r, f) }
	case func(int, Archive) error:
		cl.decode = func(r io.Reader) error { return decodeArchives(r, f) }
	case func(int, ChatMessage) error:
		cl.decode = func(r io.Reader) error { return decodeMessages(r, f) }
	}
	if cl.maxBytes == 0 {
		cl.maxBytes = MaxAnswerBytes
	}
	c := &Client{scrub: newScrubber(testKey), largeAnswer: make(chan struct{}, 1), timeout: time.Minute}
	_, err := c.readAnswer(context.Background(), cl, &http.Response{StatusCode: status, Body: bodyOf(body)})
	if err == nil && got == nil {
		got = []T{}
	}
	*out = got
	return err
}

func TestSessionDecodeVariants(t *testing.T) {
	body := `[
	  {"key":"api:1","sessionId":"u1","sessionFile":"f1","label":"Support","updatedAt":1700000000000,
	   "chatType":"direct","lastChannel":"webchat","origin":{"label":"x","from":{"id":7,"nested":[1,{"a":null}]}},
	   "unknownField":{"deep":[1,2,3]},"another":true},
	  {"key":"agent:main:telegram:group:-100:topic:42","sessionId":"u2","label":null,"updatedAt":1.7e12},
	  {"key":"s-3","updatedAt":1700000000000.0,"origin":"a string origin"},
	  {"key":"s-4","updatedAt":"1700000000123","origin":null},
	  {"key":"s-5","updatedAt":null,"origin":[1,2]},
	  {"key":"s-6","updatedAt":1700000000000.7}
	]`
	var got []Session
	if err := decodeList(call{op: "list sessions"}, 200, []byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("got %d sessions", len(got))
	}
	s0 := got[0]
	if !s0.LabelPresent || s0.Label == nil || *s0.Label != "Support" || s0.UpdatedAt != 1700000000000 ||
		s0.ChatType != "direct" || s0.LastChannel != "webchat" || s0.SessionFile != "f1" || s0.SessionID != "u1" {
		t.Errorf("session 0 = %+v", s0)
	}
	var origin map[string]any
	if err := json.Unmarshal(s0.Origin, &origin); err != nil || origin["label"] != "x" {
		t.Errorf("origin = %s (%v)", s0.Origin, err)
	}
	if !strings.Contains(string(s0.Origin), `"nested":[1,{"a":null}]`) {
		t.Errorf("origin not kept raw: %s", s0.Origin)
	}
	if s := got[1]; !s.LabelPresent || s.Label != nil || s.UpdatedAt != 1700000000000 || s.Key != "agent:main:telegram:group:-100:topic:42" {
		t.Errorf("label null / float timestamp: %+v", s)
	}
	if s := got[2]; s.LabelPresent || s.Label != nil || s.UpdatedAt != 1700000000000 || string(s.Origin) != `"a string origin"` {
		t.Errorf("label absent: %+v origin %s", s, s.Origin)
	}
	if s := got[3]; s.UpdatedAt != 1700000000123 || string(s.Origin) != "null" {
		t.Errorf("string timestamp / null origin: %+v %s", s, s.Origin)
	}
	if s := got[4]; s.UpdatedAt != 0 || string(s.Origin) != "[1,2]" {
		t.Errorf("null timestamp: %+v", s)
	}
	if s := got[5]; s.UpdatedAt != 1700000000000 {
		t.Errorf("fractional timestamp truncated: %+v", s)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]string{
		"empty":          ``,
		"object":         `{"sessions":[]}`,
		"string":         `"x"`,
		"bad timestamp":  `[{"key":"a","updatedAt":"soon"}]`,
		"huge timestamp": `[{"key":"a","updatedAt":1e300}]`,
		"label number":   `[{"key":"a","label":5}]`,
		"truncated":      `[{"key":"a"`,
		"html":           `<html>oops</html>`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			var got []Session
			err := decodeList(call{op: "list sessions", method: "GET", path: "/agents/a/sessions"}, 200, []byte(body), &got)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %v", err)
			}
			if !strings.HasPrefix(err.Error(), "list sessions: GET /agents/a/sessions: HTTP 200") {
				t.Errorf("error does not name the call: %v", err)
			}
		})
	}
	var got []Session
	if err := decodeList(call{}, 200, []byte(" null "), &got); err != nil || got == nil || len(got) != 0 {
		t.Errorf("null body: %v %#v", err, got)
	}
	if err := decodeList(call{}, 200, []byte("[]"), &got); err != nil || got == nil || len(got) != 0 {
		t.Errorf("[] body: %v %#v", err, got)
	}
}

func TestHistoryDecodeNeverEchoesBody(t *testing.T) {
	var got []ChatMessage
	err := decodeList(call{op: "read session history", sensitiveResponse: true}, 200, []byte(`{"secret transcript":1}`), &got)
	if err == nil || strings.Contains(err.Error(), "secret transcript") {
		t.Fatalf("history decode error must not echo the body: %v", err)
	}
}

func TestArchiveDecode(t *testing.T) {
	body := `[{"filename":"u.jsonl.deleted.2026-11-28T17-00-00.000Z","label":"L","archivedAt":"2026-11-28T17:00:00.000Z","sessionId":"u","x":1},
	          {"filename":"b","label":null,"archivedAt":1764349200000},{"filename":"c"}]`
	var got []Archive
	if err := decodeList(call{}, 200, []byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if a := got[0]; a.Label == nil || *a.Label != "L" || a.ArchivedAt != "2026-11-28T17:00:00.000Z" || a.SessionID != "u" {
		t.Errorf("archive 0 = %+v", a)
	}
	if a := got[1]; a.Label != nil || a.ArchivedAt != "1764349200000" {
		t.Errorf("archive 1 = %+v", a)
	}
	if a := got[2]; a.Label != nil || a.ArchivedAt != "" || a.Filename != "c" {
		t.Errorf("archive 2 = %+v", a)
	}
}

func TestChatMessageDecodeAndText(t *testing.T) {
	body := `[
	 {"id":"m1","role":"user","content":"hello there","timestamp":1700000000000},
	 {"id":"m2","role":"assistant","content":[
	    {"type":"thinking","thinking":"hmm","signature":"abc"},
	    {"type":"text","text":"first"},
	    {"type":"toolCall","id":"t1","name":"search","arguments":{"q":"x"}},
	    {"type":"text","text":"second"},
	    {"type":"image","data":"..."}
	 ],"timestamp":1.7e12,"usage":{"in":1}},
	 {"id":42,"role":"assistant","content":[ {"type":"toolCall","id":"t"} ],"timestamp":"1700000000001"},
	 {"id":"m4","role":"user","content":null},
	 {"id":"m5","role":"user"},
	 {"id":"m6","role":"user","content":{"weird":true}},
	 {"id":"m7","role":"user","content":["bare string block", {"type":"text","text":5}, {"type":"text","text":"ok"}]}
	]`
	var got []ChatMessage
	if err := decodeList(call{}, 200, []byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, text, content string }{
		{"m1", "hello there", `"hello there"`},
		{"m2", "first\nsecond", ""},
		{"42", "", `[{"type":"toolCall","id":"t"}]`},
		{"m4", "", "null"},
		{"m5", "", ""},
		{"m6", "", `{"weird":true}`},
		{"m7", "ok", ""},
	}
	for i, w := range want {
		m := got[i]
		if m.ID != w.id || m.Text() != w.text {
			t.Errorf("message %d: id %q text %q, want %q %q", i, m.ID, m.Text(), w.id, w.text)
		}
		if w.content != "" && m.ContentJSON() != w.content {
			t.Errorf("message %d: ContentJSON %q, want %q", i, m.ContentJSON(), w.content)
		}
	}
	if got[1].Timestamp != 1700000000000 || got[2].Timestamp != 1700000000001 {
		t.Errorf("timestamps %d %d", got[1].Timestamp, got[2].Timestamp)
	}
	// Blocks are kept intact, including thinking and toolCall.
	c := got[1].ContentJSON()
	for _, s := range []string{`"type":"thinking"`, `"signature":"abc"`, `"arguments":{"q":"x"}`, `"type":"image"`} {
		if !strings.Contains(c, s) {
			t.Errorf("content lost %s: %s", s, c)
		}
	}
	var v []any
	if err := json.Unmarshal([]byte(c), &v); err != nil || len(v) != 5 {
		t.Errorf("content not a 5-block array: %v", err)
	}
	if (ChatMessage{}).Text() != "" || (ChatMessage{Content: json.RawMessage("not json")}).Text() != "" {
		t.Error("Text on empty/invalid content")
	}
}

func TestErrorBodyParsing(t *testing.T) {
	e := &APIError{Op: "rename session", Method: "POST", Path: "/agents/a/sessions/rename", StatusCode: 422}
	e.parseErrorBody([]byte(`{"message":"The given data was invalid.","errors":{"label":["label already in use: Support"],"key":"required"}}`), nil)
	if e.Message != "The given data was invalid." || e.FieldErrors["label"][0] != "label already in use: Support" || e.FieldErrors["key"][0] != "required" {
		t.Errorf("%+v", e)
	}
	if !strings.Contains(e.Error(), "label: label already in use: Support") {
		t.Errorf("Error() = %s", e.Error())
	}
	h := &APIError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 502}
	h.parseErrorBody([]byte("<html><head><title>502 Bad Gateway</title><style>body{x}</style></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"), nil)
	if h.Body == "" || h.Message != "" {
		t.Errorf("%+v", h)
	}
	msg := h.Error()
	if !strings.Contains(msg, "HTTP 502 Bad Gateway from GET /agents/a/sessions: non-JSON body: 502 Bad Gateway 502 Bad Gateway nginx") || strings.Contains(msg, "<") {
		t.Errorf("Error() = %s", msg)
	}
	if !errors.Is(h, ErrBadGateway) {
		t.Error("HTML 502 is ErrBadGateway")
	}
}

// A decode error says whether the body was the list the call reads (an
// array of objects) with one element it cannot take, or something else.
func TestDecodeErrorInElement(t *testing.T) {
	cases := map[string]bool{
		`<html>login</html>`:               false,
		`{"sessions":[]}`:                  false,
		`[1,2]`:                            false,
		`[{"key":"a"}] x`:                  false,
		`[{"key":"a"}`:                     false,
		`[{"key":"a","updatedAt":"soon"}]`: true,
		`[{"key":"a"},null]`:               true,
		`[{"key":"a"},{"key":"a"}]`:        true,
		`[{"key":"a"},{"label":"x"}]`:      true,
	}
	for body, want := range cases {
		var got []Session
		err := decodeList(call{op: "list sessions"}, 200, []byte(body), &got)
		var de *DecodeError
		if !errors.As(err, &de) || de.InElement != want {
			t.Errorf("%s: got %v (InElement %v), want InElement %v", body, err, de != nil && de.InElement, want)
		}
	}
}
