package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// history=1000,message_bytes=24576 gives each agent's first session a
// transcript of 1,000 messages of 24 KB, which the history endpoint serves
// whole: about 24 MB, the size of a long support conversation.
func TestGenerate_longHistory(t *testing.T) {
	g, err := ParseGenerateOptions("agents=1,sessions=3,history=1000,message_bytes=24576,seed=2")
	if err != nil {
		t.Fatal(err)
	}
	fx := Generate(g)
	sb := New(Options{})
	if err := sb.Load(fx); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	a := fx.Agents[0]
	if n := len(a.Sessions[1].Messages); n != g.MessagesPerSession {
		t.Errorf("the second session has %d messages, want %d", n, g.MessagesPerSession)
	}
	r := call(t, "POST", sb.URL()+"/agents/"+a.ID+"/sessions/history", fx.MasterToken(),
		map[string]any{"sessionKey": a.Sessions[0].Key, "limit": 1000})
	if r.status != http.StatusOK {
		t.Fatalf("history: HTTP %d: %.300s", r.status, r.body)
	}
	msgs := decodeAs[[]Message](t, r.body)
	if len(msgs) != 1000 {
		t.Fatalf("history has %d messages, want 1000", len(msgs))
	}
	for i, m := range msgs {
		var text string
		if err := json.Unmarshal(m.Content, &text); err != nil || len(text) != 24576 {
			t.Fatalf("message %d: content of %d bytes (%v), want a string of 24576", i, len(text), err)
		}
		if i > 0 && m.Timestamp <= msgs[i-1].Timestamp {
			t.Fatalf("message %d is not after message %d", i, i-1)
		}
	}
	if len(r.body) < 24_000_000 {
		t.Errorf("the answer is %d bytes, want about 24 MB", len(r.body))
	}
	t.Logf("history of 1,000 messages: %d bytes", len(r.body))
}

// How long the sandbox takes to generate and load a big agent: 100,000
// sessions, and a 1,000 × 24 KB transcript.
//
//	go test ./internal/sandbox/ -run '^$' -bench BenchmarkGenerate -benchmem
func BenchmarkGenerate(b *testing.B) {
	for _, g := range []GenerateOptions{
		{Agents: 1, SessionsPerAgent: 100_000, ArchivesPerAgent: 2, MessagesPerSession: 4, Seed: 1},
		{Agents: 1, SessionsPerAgent: 1, MessagesPerSession: 4, HistoryMessages: 1000, MessageBytes: 24576, Seed: 1},
	} {
		b.Run(fmt.Sprintf("sessions=%d,history=%d", g.SessionsPerAgent, g.HistoryMessages), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := New(Options{}).Load(Generate(g)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cloneOrigin copies flat origins without its JSON round trip, with the
// same result.
func TestCloneOrigin_flatAsJSON(t *testing.T) {
	for _, m := range []map[string]any{
		{"provider": "telegram", "threadId": 42, "ratio": 0.1, "bot": true, "none": nil, "html": "<a>&"},
		{"nested": map[string]any{"a": 1}},
		{"bad": "\xff"},
		{"big": 1 << 60},
	} {
		b, _ := json.Marshal(m)
		want := map[string]any{}
		_ = json.Unmarshal(b, &want)
		got := cloneOrigin(m)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("cloneOrigin(%v) = %v, want %v", m, got, want)
		}
	}
}
