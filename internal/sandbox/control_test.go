package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const key = "agent:main:telegram:direct:123456789"
	okBody := `{"ok":true}`

	expect(t, e.control(t, "POST", "/sessions/rename", map[string]any{"agentId": DemoAgentID, "key": key, "label": " OOB "}), 200, okBody)
	if s, _ := e.sb.Session(DemoAgentID, key); *s.Label != "OOB" {
		t.Fatal("control rename")
	}
	expect(t, e.control(t, "POST", "/sessions/rename", map[string]any{"agentId": DemoAgentID, "key": key, "label": "Main"}), 422, "")
	expect(t, e.control(t, "POST", "/sessions/rename", map[string]any{"agentId": DemoAgentID, "key": "nope"}), 404, "")

	expect(t, e.control(t, "POST", "/sessions/messages", map[string]any{"agentId": DemoAgentID, "key": key,
		"messages": []any{map[string]any{"role": "user", "content": "hi"}, map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": "yo"}}}}}), 200, okBody)
	if h := e.sb.History(DemoAgentID, key); len(h) != 6 || !jsonEqual(h[5].Content, []byte(`[{"type":"text","text":"yo"}]`)) {
		t.Fatalf("control messages: %+v", h)
	}

	r := e.control(t, "POST", "/sessions/reset", map[string]any{"agentId": DemoAgentID, "key": key})
	expect(t, r, 200, "")
	newID := decodeAs[map[string]string](t, r.body)["sessionId"]
	if s, _ := e.sb.Session(DemoAgentID, key); s.SessionID != newID || newID == "" {
		t.Fatal("control reset")
	}

	r = e.control(t, "POST", "/sessions/archive", map[string]any{"agentId": DemoAgentID, "key": key})
	expect(t, r, 200, "")
	name := decodeAs[map[string]string](t, r.body)["filename"]
	if !filenameRE.MatchString(name) {
		t.Fatalf("filename %q", name)
	}
	expect(t, e.control(t, "POST", "/sessions/restore", map[string]any{"agentId": DemoAgentID, "filename": name}), 200, okBody)
	if s, _ := e.sb.Session(DemoAgentID, key); s.Label == nil || *s.Label != "OOB" {
		t.Fatal("restore without label must keep the archive's")
	}
	name = decodeAs[map[string]string](t, e.control(t, "POST", "/sessions/archive", map[string]any{"agentId": DemoAgentID, "key": key}).body)["filename"]
	expect(t, e.control(t, "POST", "/archives/restore", map[string]any{"agentId": DemoAgentID, "filename": name, "label": nil}), 200, okBody)
	if s, _ := e.sb.Session(DemoAgentID, key); s.Label != nil {
		t.Fatal("restore with label null must clear it")
	}
	expect(t, e.control(t, "POST", "/sessions/delete", map[string]any{"agentId": DemoAgentID, "key": key}), 200, okBody)
	expect(t, e.control(t, "POST", "/archives/delete", map[string]any{"agentId": DemoAgentID, "filename": demoArchive1}), 200, okBody)
	expect(t, e.control(t, "POST", "/archives/delete", map[string]any{"agentId": DemoAgentID, "filename": demoArchive1}), 404, "")
	expect(t, e.control(t, "POST", "/sessions/add", map[string]any{"agentId": DemoAgentID, "session": map[string]any{"key": "api:new", "label": "New"}}), 200, "")
	if _, ok := e.sb.Session(DemoAgentID, "api:new"); !ok {
		t.Fatal("control add")
	}

	// Stop and start.
	expect(t, e.control(t, "POST", "/agents/"+DemoAgentID+"/stop", nil), 200, okBody)
	expect(t, e.api(t, "GET", "/sessions", nil), 503, body503)
	expect(t, e.control(t, "POST", "/agents/"+DemoAgentID+"/start", nil), 200, okBody)
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	expect(t, e.control(t, "POST", "/agents/nope/stop", nil), 404, "")

	// Subscription and keys.
	expect(t, e.control(t, "POST", "/subscription", map[string]any{"ownerId": DemoOwnerID, "active": false}), 200, okBody)
	expect(t, e.api(t, "GET", "/sessions", nil), 403, body403Sub)
	expect(t, e.control(t, "POST", "/subscription", map[string]any{"ownerId": DemoOwnerID, "active": true}), 200, okBody)
	r = e.control(t, "POST", "/keys", map[string]any{"agentId": DemoAgentID, "scopes": []string{"agent:manage"}})
	k := decodeAs[Key](t, r.body)
	expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", k.Token, nil), 200, "")

	// Faults, with delay in both forms.
	expect(t, e.control(t, "POST", "/faults", map[string]any{"route": RouteSessionsList, "status": 502, "delay": "20ms"}), 200, okBody)
	expect(t, e.control(t, "POST", "/faults", []any{map[string]any{"route": RouteArchivesList, "status": 504, "delay": 20, "count": 2}}), 200, okBody)
	expect(t, e.control(t, "POST", "/faults", map[string]any{"route": "nope", "status": 502}), 422, "")
	faults := decodeAs[[]Fault](t, e.control(t, "GET", "/faults", nil).body)
	if len(faults) != 2 || faults[0].Route != RouteArchivesList || faults[0].Delay != 20*time.Millisecond || faults[1].Delay != 20*time.Millisecond {
		t.Fatalf("faults %+v", faults)
	}
	expect(t, e.api(t, "GET", "/sessions", nil), 502, "")
	expect(t, e.control(t, "DELETE", "/faults", nil), 200, okBody)
	expect(t, e.api(t, "GET", "/archives", nil), 200, "")

	// Rate limit.
	expect(t, e.control(t, "POST", "/ratelimit", map[string]any{"perMinute": 1, "burst": 1}), 200, okBody)
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	expect(t, e.api(t, "GET", "/sessions", nil), 429, body429)
	expect(t, e.control(t, "POST", "/ratelimit", map[string]any{"perMinute": 0}), 200, okBody)

	// Options.
	r = e.control(t, "POST", "/options", map[string]any{"unknownKeys": "lenient", "successBody": "message"})
	o := decodeAs[Options](t, r.body)
	if o.UnknownKeys != UnknownKeyLenient || o.SuccessBody != SuccessMessage {
		t.Fatalf("options %+v", o)
	}
	expect(t, e.api(t, "POST", "/sessions/delete", map[string]any{"key": "ghost"}), 200, `{"success":true,"message":"Session deleted"}`)
	expect(t, e.control(t, "POST", "/options", map[string]any{"unknownKeys": "maybe"}), 422, "")
	expect(t, e.control(t, "POST", "/options", map[string]any{"unknownKeys": "404", "successBody": "empty"}), 200, "")

	// Counters, state, reset, load, generate.
	c := decodeAs[Counters](t, e.control(t, "GET", "/counters", nil).body)
	if c.Total == 0 {
		t.Fatal("no counters")
	}
	expect(t, e.control(t, "POST", "/counters/reset", nil), 200, okBody)
	if e.sb.Counters().Total != 0 {
		t.Fatal("counters not reset")
	}
	st := decodeAs[State](t, e.control(t, "GET", "/state", nil).body)
	if len(st.Agents) != 3 {
		t.Fatalf("state has %d agents", len(st.Agents))
	}
	expect(t, e.control(t, "POST", "/load?replace=true", DemoFixture()), 200, okBody)
	if len(e.sb.Snapshot().Agents) != 2 {
		t.Fatal("load?replace=true")
	}
	expect(t, e.control(t, "POST", "/load", DemoFixture()), 409, "")
	r = e.control(t, "POST", "/generate", GenerateOptions{Agents: 1, SessionsPerAgent: 5, ArchivesPerAgent: 1, MessagesPerSession: 2, Seed: 3})
	expect(t, r, 200, "")
	gen := decodeAs[struct {
		Agents []string `json:"agents"`
		Keys   []Key    `json:"keys"`
	}](t, r.body)
	if len(gen.Agents) != 1 || len(gen.Keys) != 2 {
		t.Fatalf("generate answered %s", r.body)
	}
	expect(t, call(t, "GET", e.base+"/agents/"+gen.Agents[0]+"/sessions", gen.Keys[0].Token, nil), 200, "")
	expect(t, e.control(t, "POST", "/reset", nil), 200, okBody)
	if len(e.sb.Snapshot().Agents) != 0 {
		t.Fatal("reset")
	}
	expect(t, e.control(t, "GET", "/nope", nil), 404, "")
	expect(t, e.control(t, "POST", "/sessions/rename", "{"), 400, "")

	// Control requests are never counted (Reset zeroed the counters).
	if e.sb.Counters().Total != 0 {
		t.Fatalf("counters %+v", e.sb.Counters())
	}
}

func TestControlLoopbackOnly(t *testing.T) {
	t.Parallel()
	sb := New(Options{})
	serve := func(method, remote, host, ctype string) int {
		req := httptest.NewRequest(method, "/_sandbox/state", nil)
		if method == "POST" {
			req = httptest.NewRequest(method, "/_sandbox/reset", strings.NewReader("{}"))
		}
		req.RemoteAddr, req.Host = remote, host
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		sb.Handler().ServeHTTP(w, req)
		return w.Code
	}
	cases := []struct {
		name, method, remote, host, ctype string
		want                              int
	}{
		{"remote client", "GET", "192.0.2.7:5000", "127.0.0.1:8080", "", http.StatusForbidden},
		{"loopback", "GET", "[::1]:5000", "[::1]:8080", "", http.StatusOK},
		{"localhost", "GET", "127.0.0.1:5000", "localhost:8080", "", http.StatusOK},
		{"loopback without port", "GET", "127.0.0.1:5000", "127.0.0.1", "", http.StatusOK},
		// DNS rebinding: a page's own name resolved to 127.0.0.1.
		{"rebound name", "GET", "127.0.0.1:5000", "attacker.example:8080", "", http.StatusForbidden},
		{"rebound name POST", "POST", "127.0.0.1:5000", "attacker.example", "application/json", http.StatusForbidden},
		{"localhost lookalike", "GET", "127.0.0.1:5000", "localhost.attacker.example", "", http.StatusForbidden},
		// Cross-site requests a page can send without CORS.
		{"text/plain POST", "POST", "127.0.0.1:5000", "127.0.0.1:8080", "text/plain", http.StatusUnsupportedMediaType},
		{"form POST", "POST", "127.0.0.1:5000", "127.0.0.1:8080", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"POST without type", "POST", "127.0.0.1:5000", "127.0.0.1:8080", "", http.StatusUnsupportedMediaType},
		{"JSON POST", "POST", "127.0.0.1:5000", "127.0.0.1:8080", "application/json; charset=utf-8", http.StatusOK},
	}
	for _, tc := range cases {
		if got := serve(tc.method, tc.remote, tc.host, tc.ctype); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// A refused reset changed nothing.
	sb.AddOwner("o", true)
	_ = serve("POST", "127.0.0.1:5000", "127.0.0.1:8080", "text/plain")
	if len(sb.Snapshot().Owners) == 0 {
		t.Error("a text/plain POST reset the sandbox")
	}
}

func TestUnknownAPIPath(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	r := call(t, "GET", e.base+"/agents/"+DemoAgentID+"/nothing", DemoMasterKey, nil)
	if r.status != 404 {
		t.Fatalf("%d", r.status)
	}
	if e.sb.Counters().Total != 0 {
		t.Fatal("unknown paths are not API routes")
	}
}
