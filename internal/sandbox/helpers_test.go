package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Fixed identifiers added by start next to the demo fixture.
const (
	otherOwner = "owner-other"
	otherAgent = "c0ffee00-0000-4000-8000-000000000001"
)

// env is a started sandbox loaded with DemoFixture plus a second owner.
type env struct {
	sb   *Sandbox
	base string // API base URL
	ctl  string // control base URL
}

// start starts a sandbox on 127.0.0.1:0 with opts and the demo data.
func start(t *testing.T, opts Options) *env {
	t.Helper()
	sb := New(opts)
	if err := sb.Load(DemoFixture()); err != nil {
		t.Fatal(err)
	}
	sb.AddOwner(otherOwner, true)
	sb.AddAgent(otherOwner, otherAgent)
	if _, err := sb.AddSession(otherAgent, SessionSpec{Key: "agent:main:main"}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return &env{sb: sb, base: sb.URL(), ctl: sb.ControlURL()}
}

// fixedClock returns a clock stopped at t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

type result struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with a fresh connection and returns the answer.
func call(t *testing.T, method, url, token string, body any) result {
	t.Helper()
	r, err := try(method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

func try(method, url, token string, body any) (result, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return result{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return result{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil || method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// api calls an agent route of the demo agent with the master key.
func (e *env) api(t *testing.T, method, path string, body any) result {
	t.Helper()
	return call(t, method, e.base+"/agents/"+DemoAgentID+path, DemoMasterKey, body)
}

func (e *env) control(t *testing.T, method, path string, body any) result {
	t.Helper()
	return call(t, method, e.ctl+path, "", body)
}

// expect checks status and, when want is not empty, the exact JSON body.
func expect(t *testing.T, r result, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if want != "" && !jsonEqual(r.body, []byte(want)) {
		t.Fatalf("body %s, want %s", r.body, want)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func decodeAs[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// as returns v as a T, failing the test (rather than panicking) when v has
// another type.
func as[T any](t *testing.T, v any) T {
	t.Helper()
	x, ok := v.(T)
	if !ok {
		t.Fatalf("%v is a %T, not a %T", v, v, x)
	}
	return x
}

// routeCall is one request of each route, with a valid body for the demo agent.
type routeCall struct {
	name, method, path string
	body               any
}

func allRoutes() []routeCall {
	return []routeCall{
		{RouteSessionsList, "GET", "/sessions", nil},
		{RouteSessionsHistory, "POST", "/sessions/history", map[string]any{"sessionKey": "agent:main:main"}},
		{RouteSessionsRename, "POST", "/sessions/rename", map[string]any{"key": "agent:main:main", "label": "x"}},
		{RouteSessionsArchive, "POST", "/sessions/archive", map[string]any{"key": "agent:main:main"}},
		{RouteSessionsDelete, "POST", "/sessions/delete", map[string]any{"key": "agent:main:main"}},
		{RouteArchivesList, "GET", "/archives", nil},
		{RouteArchivesRestore, "POST", "/archives/restore", map[string]any{"filename": demoArchive1}},
		{RouteArchivesDelete, "POST", "/archives/delete", map[string]any{"filename": demoArchive1}},
	}
}

const demoArchive1 = "8d9e0f1a-2b3c-4d4e-9f6a-7b8c9d0e1f2a.jsonl.deleted.2026-11-28T07-00-00.000Z"

const (
	body401        = `{"error":"Unauthorized","message":"Invalid or revoked API key"}`
	body403Sub     = `{"error":"Forbidden","message":"An active subscription is required to use the API"}`
	body403Scope   = `{"error":"Forbidden","message":"This API key lacks the required scope: agent:manage"}`
	body403Agent   = `{"error":"Forbidden","message":"This API key does not have access to this agent"}`
	body404Agent   = `{"error":"Not Found","message":"Agent not found"}`
	body404Session = `{"error":"Not Found","message":"Session not found"}`
	body404Archive = `{"error":"Not Found","message":"Archive not found"}`
	body409        = `{"error":"Conflict","message":"A session with this key already exists"}`
	body503        = `{"error":"Service Unavailable","message":"Agent container is not running"}`
	body429        = `{"message":"Too Many Attempts."}`
)
