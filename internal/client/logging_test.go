package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestLogsNeverContainKey captures the provider's JSON log at TRACE and
// checks that every attempt is logged with method, path, status and attempt
// number while the key (and its 48-hex tail) appears nowhere.
func TestLogsNeverContainKey(t *testing.T) {
	tail := testKey[len("g_master_"):]
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		switch {
		case n.Add(1) == 1:
			w.WriteHeader(502)
			// A misbehaving proxy echoing the Authorization header.
			_, _ = io.WriteString(w, "<html>upstream said: "+r.Header.Get("Authorization")+"</html>")
		case strings.HasSuffix(r.URL.Path, "/history"):
			_, _ = io.WriteString(w, `[{"id":"m","role":"user","content":"private transcript text","timestamp":1}]`)
		case strings.HasSuffix(r.URL.Path, "/sessions"):
			_, _ = io.WriteString(w, `[{"key":"api:1","label":"`+testKey+`"}]`)
		case strings.HasSuffix(r.URL.Path, "/rename"):
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":"Unauthorized","message":"Invalid or revoked API key `+testKey+`"}`)
		default:
			_, _ = io.WriteString(w, "{}")
		}
	}))
	defer srv.Close()

	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	c := fastClient(t, srv.URL+"/api/v1", nil)
	ctx = c.WithLogging(ctx) // optional; the methods do it too

	if _, err := c.ListSessions(ctx, "agent-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.History(ctx, "agent-1", "api:1", 10); err != nil {
		t.Fatal(err)
	}
	label := "uses " + testKey
	if err := c.Rename(ctx, "agent-1", "api:1", &label); err == nil {
		t.Fatal("want 401")
	}
	// Belt and braces: even a field named after the header, or a message
	// containing the key, is masked.
	tflog.SubsystemDebug(ctx, LogSubsystem, "oops "+testKey, map[string]any{"Authorization": "Bearer " + testKey, "other": tail})

	raw := out.String()
	if strings.Contains(raw, testKey) || strings.Contains(raw, tail) {
		t.Fatalf("key leaked into logs:\n%s", raw)
	}
	if strings.Contains(raw, "private transcript text") {
		t.Errorf("history body logged:\n%s", raw)
	}
	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		method, path string
		status       float64
		attempt      float64
	}
	seen := map[key]bool{}
	for _, e := range entries {
		if e["@module"] != "provider."+LogSubsystem {
			continue
		}
		if e["@message"] != "Guayaba API attempt" {
			continue
		}
		m, _ := e["http_method"].(string)
		p, _ := e["http_path"].(string)
		s, _ := e["http_status"].(float64)
		a, _ := e["attempt"].(float64)
		if _, ok := e["duration_ms"]; !ok {
			t.Errorf("no duration: %v", e)
		}
		seen[key{m, p, s, a}] = true
	}
	for _, want := range []key{
		{"GET", "/agents/agent-1/sessions", 502, 1},
		{"GET", "/agents/agent-1/sessions", 200, 2},
		{"POST", "/agents/agent-1/sessions/history", 200, 1},
		{"POST", "/agents/agent-1/sessions/rename", 401, 1},
	} {
		if !seen[want] {
			t.Errorf("missing attempt log %+v; got %v\n%s", want, seen, raw)
		}
	}
	if !strings.Contains(raw, "api:1") {
		t.Errorf("trace bodies of non-history calls should be logged:\n%s", raw)
	}
}

// TestLoggingWithPlainContext checks logging is harmless without a root logger.
func TestLoggingWithPlainContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "[]") }))
	defer srv.Close()
	c := fastClient(t, srv.URL, nil)
	ctx := c.WithLogging(context.Background())
	if _, err := c.ListArchives(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if ctx := c.WithLogging(ctx); ctx == nil {
		t.Fatal("nil ctx")
	}
}
