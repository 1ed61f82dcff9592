package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

const (
	owner      = "owner-1"
	poorOwner  = "owner-unsubscribed"
	agentA     = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	agentB     = "7e2d4c6a-1b3f-4a5e-8c9d-0f1e2d3c4b5a"
	agentPoor  = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	sessionKey = "agent:main:telegram:group:-1001234567890:topic:42"
)

type world struct {
	sb                                              *sandbox.Sandbox
	master, manageA, readOnlyA, poorMaster, revoked string
}

func strp(s string) *string { return &s }

// newWorld starts a sandbox with two owners, three agents, keys of every
// kind and a few sessions.
func newWorld(t *testing.T, opts sandbox.Options) *world {
	t.Helper()
	sb := sandbox.New(opts)
	sb.AddOwner(owner, true)
	sb.AddOwner(poorOwner, false)
	sb.AddAgent(owner, agentA)
	sb.AddAgent(owner, agentB)
	sb.AddAgent(poorOwner, agentPoor)
	w := &world{sb: sb}
	w.master = sb.AddKey(sandbox.MasterKey(owner)).Token
	w.manageA = sb.AddKey(sandbox.AgentKey(agentA, sandbox.ScopeManage)).Token
	w.readOnlyA = sb.AddKey(sandbox.AgentKey(agentA)).Token
	w.poorMaster = sb.AddKey(sandbox.MasterKey(poorOwner)).Token
	w.revoked = sb.AddKey(sandbox.Key{OwnerID: owner, Revoked: true}).Token
	specs := []sandbox.SessionSpec{
		{Key: sessionKey, Label: strp("Ana (Telegram)"), ChatType: "group", LastChannel: "telegram",
			Origin: map[string]any{"provider": "telegram", "from": map[string]any{"id": 123, "name": "Ana"}, "threadId": 42},
			Messages: []sandbox.Message{
				sandbox.TextMessage("user", "hello"),
				sandbox.BlocksMessage("assistant", sandbox.ThinkingBlock("let me think"), sandbox.TextBlock("Hi Ana"),
					sandbox.ToolCallBlock("t1", "lookup", map[string]any{"q": "weather"}), sandbox.TextBlock("Anything else?")),
				sandbox.TextMessage("user", "no thanks"),
			}},
		{Key: "agent:main:main", ChatType: "direct", LastChannel: "webchat"},
		{Key: "api:0b7f1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", Label: strp("Old API session")},
	}
	for _, s := range specs {
		if _, err := sb.AddSession(agentA, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sb.AddSession(agentB, sandbox.SessionSpec{Key: "agent:main:main"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.AddSession(agentPoor, sandbox.SessionSpec{Key: "agent:main:main"}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return w
}

func (w *world) client(t *testing.T, key string, mod func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{
		BaseURL:        w.sb.URL(),
		APIKey:         key,
		MaxRetries:     new(3),
		RequestTimeout: 5 * time.Second,
		RetryWaitMin:   5 * time.Millisecond,
		RetryWaitMax:   20 * time.Millisecond,
		UserAgent:      client.UserAgent("test", "1.9.0"),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func findSession(list []client.Session, key string) (client.Session, bool) {
	for _, s := range list {
		if s.Key == key {
			return s, true
		}
	}
	return client.Session{}, false
}

// TestSandboxEveryEndpoint drives all eight endpoints over real HTTP, once
// per success-body variant and label encoding.
func TestSandboxEveryEndpoint(t *testing.T) {
	for _, opts := range []sandbox.Options{
		{SuccessBody: sandbox.SuccessEmpty},
		{SuccessBody: sandbox.SuccessObject},
		{SuccessBody: sandbox.SuccessMessage, OmitNullLabel: true, ShuffleLists: true},
	} {
		t.Run(string(opts.SuccessBody), func(t *testing.T) {
			w := newWorld(t, opts)
			for name, key := range map[string]string{"master": w.master, "agent": w.manageA} {
				t.Run(name, func(t *testing.T) {
					testEndpoints(t, w, w.client(t, key, nil), opts)
				})
			}
		})
	}
}

func testEndpoints(t *testing.T, w *world, c *client.Client, opts sandbox.Options) {
	ctx := context.Background()
	// List.
	list, err := c.ListSessions(ctx, agentA)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d sessions", len(list))
	}
	s, ok := findSession(list, sessionKey)
	if !ok || s.Label == nil || *s.Label != "Ana (Telegram)" || !s.LabelPresent || s.ChatType != "group" ||
		s.LastChannel != "telegram" || s.SessionID == "" || s.UpdatedAt == 0 {
		t.Fatalf("session %+v", s)
	}
	var origin map[string]any
	if err := json.Unmarshal(s.Origin, &origin); err != nil || origin["threadId"] != float64(42) {
		t.Errorf("origin %s", s.Origin)
	}
	main, _ := findSession(list, "agent:main:main")
	if main.Label != nil || main.LabelPresent == opts.OmitNullLabel {
		t.Errorf("unlabelled session: %+v (omit null label: %v)", main, opts.OmitNullLabel)
	}

	// History.
	hist, err := c.History(ctx, agentA, sessionKey, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Text() != "hello" || hist[1].Text() != "Hi Ana\nAnything else?" || hist[1].Role != "assistant" {
		t.Fatalf("history %+v", hist)
	}
	if c := hist[1].ContentJSON(); !strings.Contains(c, `"type":"thinking"`) || !strings.Contains(c, `"type":"toolCall"`) {
		t.Errorf("blocks lost: %s", c)
	}
	if last, err := c.History(ctx, agentA, sessionKey, 1); err != nil || len(last) != 1 || last[0].Text() != "no thanks" {
		t.Errorf("history limit 1: %v %+v", err, last)
	}

	// Rename, then clear.
	if err := c.Rename(ctx, agentA, "agent:main:main", strp("Main")); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.sb.Session(agentA, "agent:main:main"); got.Label == nil || *got.Label != "Main" {
		t.Errorf("rename: %+v", got)
	}
	if err := c.Rename(ctx, agentA, "agent:main:main", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.sb.Session(agentA, "agent:main:main"); got.Label != nil {
		t.Errorf("clear label: %+v", got)
	}

	// Archive, list archives, restore with and without a label.
	if err := c.Archive(ctx, agentA, sessionKey); err != nil {
		t.Fatal(err)
	}
	archives, err := c.ListArchives(ctx, agentA)
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) != 1 || archives[0].SessionID != s.SessionID || archives[0].Label == nil ||
		*archives[0].Label != "Ana (Telegram)" || !strings.HasPrefix(archives[0].Filename, s.SessionID+".jsonl.deleted.") || archives[0].ArchivedAt == "" {
		t.Fatalf("archives %+v", archives)
	}
	if err := c.Restore(ctx, agentA, archives[0].Filename, nil); err != nil {
		t.Fatal(err)
	}
	if got, ok := w.sb.Session(agentA, sessionKey); !ok || got.SessionID != s.SessionID || got.Label == nil || *got.Label != "Ana (Telegram)" {
		t.Errorf("restore keeps label: %+v", got)
	}
	if err := c.Archive(ctx, agentA, sessionKey); err != nil {
		t.Fatal(err)
	}
	archives, _ = c.ListArchives(ctx, agentA)
	if err := c.Restore(ctx, agentA, archives[0].Filename, strp("Back")); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.sb.Session(agentA, sessionKey); got.Label == nil || *got.Label != "Back" {
		t.Errorf("restore with label: %+v", got)
	}
	if len(w.sb.History(agentA, sessionKey)) != 3 {
		t.Error("transcript lost by archive/restore")
	}

	// Delete archive, delete session.
	if err := c.Archive(ctx, agentA, sessionKey); err != nil {
		t.Fatal(err)
	}
	archives, _ = c.ListArchives(ctx, agentA)
	if err := c.DeleteArchive(ctx, agentA, archives[0].Filename); err != nil {
		t.Fatal(err)
	}
	if a, err := c.ListArchives(ctx, agentA); err != nil || len(a) != 0 {
		t.Errorf("after delete archive: %v %+v", err, a)
	}
	if err := c.Delete(ctx, agentA, "api:0b7f1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListSessions(ctx, agentA)
	if err != nil || len(list) != 1 || list[0].Key != "agent:main:main" {
		t.Errorf("after delete: %v %+v", err, list)
	}
	// Put things back for the next key.
	if _, err := w.sb.AddSession(agentA, sandbox.SessionSpec{Key: sessionKey, Label: strp("Ana (Telegram)"), ChatType: "group", LastChannel: "telegram",
		Origin:   map[string]any{"threadId": 42},
		Messages: []sandbox.Message{sandbox.TextMessage("user", "hello"), sandbox.BlocksMessage("assistant", sandbox.ThinkingBlock("x"), sandbox.TextBlock("Hi Ana"), sandbox.ToolCallBlock("t", "n", nil), sandbox.TextBlock("Anything else?")), sandbox.TextMessage("user", "no thanks")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sb.AddSession(agentA, sandbox.SessionSpec{Key: "api:0b7f1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", Label: strp("Old API session")}); err != nil {
		t.Fatal(err)
	}
}

// TestSandboxErrorStatuses maps every documented error to its typed error
// and checks that none of them but 429 is retried.
func TestSandboxErrorStatuses(t *testing.T) {
	w := newWorld(t, sandbox.Options{})
	all := []error{client.ErrNotFound, client.ErrAgentNotFound, client.ErrSessionNotFound, client.ErrUnauthorized,
		client.ErrForbidden, client.ErrScope, client.ErrSubscription, client.ErrOtherAgent, client.ErrConflict,
		client.ErrValidation, client.ErrLabelInUse, client.ErrRateLimited, client.ErrAgentNotRunning, client.ErrBadGateway,
		client.ErrServer, client.ErrRedirect, client.ErrOutcomeUnknown, client.ErrRetryAfterTooLong}
	ctx := context.Background()
	cases := []struct {
		name   string
		key    string
		setup  func()
		call   func(c *client.Client) error
		route  string
		status int
		want   []error
		field  string
	}{
		{name: "401 unknown key", key: "g_master_" + strings.Repeat("ab", 24), route: "sessions.list", status: 401,
			call: func(c *client.Client) error { _, err := c.ListSessions(ctx, agentA); return err }, want: []error{client.ErrUnauthorized}},
		{name: "401 revoked key", key: w.revoked, route: "sessions.rename", status: 401,
			call: func(c *client.Client) error { return c.Rename(ctx, agentA, sessionKey, nil) }, want: []error{client.ErrUnauthorized}},
		{name: "403 subscription", key: w.poorMaster, route: "sessions.list", status: 403,
			call: func(c *client.Client) error { _, err := c.ListSessions(ctx, agentPoor); return err }, want: []error{client.ErrForbidden, client.ErrSubscription}},
		{name: "403 scope", key: w.readOnlyA, route: "sessions.archive", status: 403,
			call: func(c *client.Client) error { return c.Archive(ctx, agentA, sessionKey) }, want: []error{client.ErrForbidden, client.ErrScope}},
		{name: "403 other agent", key: w.manageA, route: "sessions.delete", status: 403,
			call: func(c *client.Client) error { return c.Delete(ctx, agentB, "agent:main:main") }, want: []error{client.ErrForbidden, client.ErrOtherAgent}},
		{name: "404 agent", key: w.master, route: "archives.list", status: 404,
			call: func(c *client.Client) error {
				_, err := c.ListArchives(ctx, "00000000-0000-4000-8000-000000000000")
				return err
			}, want: []error{client.ErrNotFound, client.ErrAgentNotFound}},
		{name: "404 session", key: w.master, route: "sessions.archive", status: 404,
			call: func(c *client.Client) error { return c.Archive(ctx, agentA, "no:such:key") }, want: []error{client.ErrNotFound, client.ErrSessionNotFound}},
		{name: "404 archive", key: w.master, route: "archives.delete", status: 404,
			call: func(c *client.Client) error { return c.DeleteArchive(ctx, agentA, "nope.jsonl.deleted.x") }, want: []error{client.ErrNotFound, client.ErrSessionNotFound}},
		{name: "409 restore onto active key", key: w.master, route: "archives.restore", status: 409,
			call: func(c *client.Client) error {
				fn, err := w.sb.ArchiveSession(agentB, "agent:main:main")
				if err != nil {
					return err
				}
				if _, err := w.sb.AddSession(agentB, sandbox.SessionSpec{Key: "agent:main:main"}); err != nil {
					return err
				}
				return c.Restore(ctx, agentB, fn, nil)
			}, want: []error{client.ErrConflict}},
		{name: "422 label in use", key: w.master, route: "sessions.rename", status: 422, field: "label already in use: Ana (Telegram)",
			call: func(c *client.Client) error { return c.Rename(ctx, agentA, "agent:main:main", strp("Ana (Telegram)")) }, want: []error{client.ErrValidation, client.ErrLabelInUse}},
		{name: "422 label too long", key: w.master, route: "sessions.rename", status: 422, field: "255",
			call: func(c *client.Client) error {
				return c.Rename(ctx, agentA, "agent:main:main", strp(strings.Repeat("x", 256)))
			}, want: []error{client.ErrValidation}},
		{name: "422 history limit", key: w.master, route: "sessions.history", status: 422, field: "limit",
			call: func(c *client.Client) error { _, err := c.History(ctx, agentA, sessionKey, 5000); return err }, want: []error{client.ErrValidation}},
		{name: "503 not running", key: w.master, route: "sessions.list", status: 503,
			setup: func() { w.sb.SetAgentRunning(agentA, false) },
			call: func(c *client.Client) error {
				defer w.sb.SetAgentRunning(agentA, true)
				_, err := c.ListSessions(ctx, agentA)
				return err
			}, want: []error{client.ErrAgentNotRunning}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := w.client(t, tc.key, nil)
			if tc.setup != nil {
				tc.setup()
			}
			w.sb.ResetCounters()
			err := tc.call(c)
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			if ae.StatusCode != tc.status || ae.Attempts != 1 {
				t.Errorf("status %d attempts %d", ae.StatusCode, ae.Attempts)
			}
			for _, s := range all {
				want := false
				for _, x := range tc.want {
					want = want || x == s
				}
				if errors.Is(err, s) != want {
					t.Errorf("errors.Is(%v) = %v (err %v)", s, !want, err)
				}
			}
			if tc.field != "" {
				found := false
				for _, msgs := range ae.FieldErrors {
					for _, m := range msgs {
						found = found || strings.Contains(m, tc.field)
					}
				}
				if !found || !strings.Contains(err.Error(), tc.field) {
					t.Errorf("field errors %v / message %s lack %q", ae.FieldErrors, err, tc.field)
				}
			}
			// Never retried: the sandbox saw exactly one request.
			if n := w.sb.Counters().ByRoute[tc.route]; n != 1 {
				t.Errorf("sandbox counted %d requests on %s, want 1", n, tc.route)
			}
			t.Log(err)
		})
	}
}

// TestSandboxFaults covers 429/502/HTML 502 bodies, Retry-After, dropped
// connections, per-attempt timeouts, cancellation and exhaustion.
func TestSandboxFaults(t *testing.T) {
	w := newWorld(t, sandbox.Options{})
	ctx := context.Background()

	t.Run("429 Retry-After 1 retried after a second", func(t *testing.T) {
		c := w.client(t, w.master, nil)
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.rename", Status: 429, RetryAfter: "1", Count: 1})
		start := time.Now()
		if err := c.Rename(ctx, agentA, "agent:main:main", strp("Throttled")); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		if el < 950*time.Millisecond || el > 3*time.Second {
			t.Errorf("took %v, want about 1s", el)
		}
		cnt := w.sb.Counters()
		if cnt.ByRoute["sessions.rename"] != 2 || cnt.RateLimited != 1 || cnt.ByRouteStatus["sessions.rename"][429] != 1 {
			t.Errorf("counters %+v", cnt)
		}
		if st := c.Stats(); st.Attempts != 2 || st.Retries != 1 || st.RateLimited != 1 {
			t.Errorf("stats %+v", st)
		}
	})

	t.Run("429 exhausted", func(t *testing.T) {
		c := w.client(t, w.master, func(cfg *client.Config) { cfg.MaxRetries = new(2) })
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.list", Status: 429, RetryAfter: "0", Count: 3})
		_, err := c.ListSessions(ctx, agentA)
		var ae *client.APIError
		if !errors.As(err, &ae) || !errors.Is(err, client.ErrRateLimited) || ae.Attempts != 3 {
			t.Fatalf("%v", err)
		}
		if n := w.sb.Counters().ByRoute["sessions.list"]; n != 3 {
			t.Errorf("sandbox saw %d", n)
		}
	})

	t.Run("502 then success", func(t *testing.T) {
		c := w.client(t, w.master, nil)
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.archive", Status: 502, Count: 2})
		if err := c.Archive(ctx, agentB, "agent:main:main"); err != nil {
			t.Fatal(err)
		}
		if n := w.sb.Counters().ByRoute["sessions.archive"]; n != 3 {
			t.Errorf("sandbox saw %d", n)
		}
	})

	t.Run("retries exhausted names call, last status and attempts", func(t *testing.T) {
		c := w.client(t, w.master, func(cfg *client.Config) { cfg.MaxRetries = new(2) })
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.rename", Status: 503, Body: `{"error":"Service Unavailable","message":"Try again later"}`, Count: 1})
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.rename", Status: 502, Count: 2})
		err := c.Rename(ctx, agentA, "agent:main:main", strp("x"))
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Attempts != 3 || ae.StatusCode != 502 || !errors.Is(err, client.ErrBadGateway) {
			t.Fatalf("%v", err)
		}
		msg := err.Error()
		for _, s := range []string{"rename session", "HTTP 502", "POST /agents/" + agentA + "/sessions/rename", "3 attempts"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q lacks %q", msg, s)
			}
		}
		if n := w.sb.Counters().ByRoute["sessions.rename"]; n != 3 {
			t.Errorf("sandbox saw %d", n)
		}
	})

	t.Run("HTML 502", func(t *testing.T) {
		c := w.client(t, w.master, func(cfg *client.Config) { cfg.MaxRetries = new(0) })
		w.sb.InjectFault(sandbox.Fault{Route: "archives.list", Status: 502,
			Body: "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"})
		_, err := c.ListArchives(ctx, agentA)
		var ae *client.APIError
		if !errors.As(err, &ae) || !errors.Is(err, client.ErrBadGateway) || ae.Body == "" {
			t.Fatalf("%v", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "non-JSON body: 502 Bad Gateway 502 Bad Gateway cloudflare") || strings.Contains(msg, "<") {
			t.Errorf("message %s", msg)
		}
	})

	t.Run("dropped connection retried", func(t *testing.T) {
		c := w.client(t, w.master, nil)
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.list", Drop: true, Count: 2})
		list, err := c.ListSessions(ctx, agentA)
		if err != nil || len(list) == 0 {
			t.Fatalf("%v %v", err, list)
		}
		if n := w.sb.Counters().ByRoute["sessions.list"]; n != 3 {
			t.Errorf("sandbox saw %d", n)
		}
	})

	t.Run("apply then drop is retried", func(t *testing.T) {
		c := w.client(t, w.master, nil)
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.rename", ApplyThenDrop: true})
		if err := c.Rename(ctx, agentA, "agent:main:main", strp("Applied")); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.sb.Session(agentA, "agent:main:main"); got.Label == nil || *got.Label != "Applied" {
			t.Errorf("%+v", got)
		}
		if n := w.sb.Counters().ByRoute["sessions.rename"]; n != 2 {
			t.Errorf("sandbox saw %d", n)
		}
	})

	t.Run("per-attempt timeout", func(t *testing.T) {
		c := w.client(t, w.master, func(cfg *client.Config) {
			cfg.MaxRetries = new(2)
			cfg.RequestTimeout = 200 * time.Millisecond
		})
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.delete", Delay: 2 * time.Second, Count: 3})
		start := time.Now()
		err := c.Delete(ctx, agentA, "agent:main:main")
		var te *client.TransportError
		if !errors.As(err, &te) || !te.Timeout || te.Attempts != 3 {
			t.Fatalf("%#v", err)
		}
		if el := time.Since(start); el > 1500*time.Millisecond {
			t.Errorf("took %v", el)
		}
		if want := "delete session: POST /agents/" + agentA + "/sessions/delete: no response after 3 attempts: timeout after 200ms per attempt"; err.Error() != want {
			t.Errorf("message\n got %s\nwant %s", err, want)
		}
		if _, ok := w.sb.Session(agentA, "agent:main:main"); !ok {
			t.Error("a timed-out delete must not have been applied")
		}
		w.sb.ClearFaults()
	})

	t.Run("cancelled context stops retries", func(t *testing.T) {
		c := w.client(t, w.master, func(cfg *client.Config) {
			cfg.MaxRetries = new(10)
			cfg.RetryWaitMin = 2 * time.Second
			cfg.RetryWaitMax = 2 * time.Second
		})
		w.sb.ResetCounters()
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.history", Status: 502, Count: 10})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.History(cctx, agentA, sessionKey, 10)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%v", err)
		}
		if el := time.Since(start); el > time.Second {
			t.Errorf("took %v", el)
		}
		if n := w.sb.Counters().ByRoute["sessions.history"]; n != 1 {
			t.Errorf("sandbox saw %d", n)
		}
		w.sb.ClearFaults()
	})

	t.Run("rate limiter", func(t *testing.T) {
		w.sb.SetRateLimit(600, 2)
		defer w.sb.SetRateLimit(0, 0)
		c := w.client(t, w.master, func(cfg *client.Config) { cfg.MaxRetries = new(5) })
		w.sb.ResetCounters()
		for i := 0; i < 4; i++ {
			if _, err := c.ListSessions(ctx, agentA); err != nil {
				t.Fatal(err)
			}
		}
		cnt := w.sb.Counters()
		// The limit is met either as a 429 that is retried, or (since the
		// client paces itself after X-RateLimit-Remaining: 0) as a wait at
		// the client's gate; see throttle.go.
		if cnt.Total != 4+cnt.RateLimited || (cnt.RateLimited == 0 && c.ThrottleStats().Waits == 0) {
			t.Errorf("counters %+v, throttle %+v", cnt, c.ThrottleStats())
		}
		t.Logf("429s: %d, total attempts %d, client stats %+v, throttle %+v", cnt.RateLimited, cnt.Total, c.Stats(), c.ThrottleStats())
	})
}
