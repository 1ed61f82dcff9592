package sessions

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The tests run the package against the sandbox's HTTP handler, served by
// httptest on loopback: real requests, no terraform, milliseconds each.

const agentID = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"

// variants are the platform behaviours of the [assumed] points (see
// sandbox.Variants).
var variants = sandbox.Variants()

// env is one sandbox with one agent, served through an optional hook.
type env struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	client *client.Client
	agents *Agents
	url    string // the API root, for clients with other keys

	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request, next http.Handler) bool
}

func newEnv(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	e := &env{t: t, sb: sandbox.New(opts)}
	e.sb.AddOwner("owner", true)
	e.sb.AddAgent("owner", agentID)
	key := e.sb.AddKey(sandbox.MasterKey("owner")).Token
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		hook := e.hook
		e.mu.Unlock()
		if hook == nil || !hook(w, r, e.sb.Handler()) {
			e.sb.Handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/api/v1"
	e.client = e.clientWithKey(key)
	e.newApply()
	return e
}

// clientWithKey is a client of the test server that sends token.
func (e *env) clientWithKey(token string) *client.Client {
	e.t.Helper()
	c, err := client.New(client.Config{
		BaseURL: e.url, APIKey: token, MaxRetries: new(2),
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, RequestTimeout: 5 * time.Second,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// testTiming shortens the waits of batching and coordination: tests run
// their changes at once, in milliseconds.
var testTiming = timing{settle: 5 * time.Millisecond, maxWait: 200 * time.Millisecond, idle: 150 * time.Millisecond}

// newAgents returns the handles of one terraform command, with testTiming.
func newAgents(c *client.Client) *Agents {
	as := NewAgents(c)
	as.timing = testTiming
	return as
}

// newApply starts a new terraform command: each gets a provider process,
// and so agent handles, of its own.
func (e *env) newApply() { e.agents = newAgents(e.client) }

func forEachVariant(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Parallel()
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, opts))
		})
	}
}

// agent returns the handle of the test agent in the current command.
func (e *env) agent() *Agent { return e.agents.Agent(agentID) }

func (e *env) setHook(h func(w http.ResponseWriter, r *http.Request, next http.Handler) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hook = h
}

// sessions adds n sessions key-0000… with labels label-0000… (or none).
func (e *env) sessions(n int, labelled bool) []string {
	e.t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("agent:main:webchat:direct:%04d", i)
		var label *string
		if labelled {
			label = new(fmt.Sprintf("label-%04d", i))
		}
		if _, err := e.sb.AddSession(agentID, sandbox.SessionSpec{Key: keys[i], Label: label, ChatType: "direct", LastChannel: "webchat"}); err != nil {
			e.t.Fatal(err)
		}
	}
	return keys
}

// active returns a session as the listing shows it, through a fresh cache.
func (e *env) active(key string) client.Session {
	e.t.Helper()
	s, ok, err := NewAgents(e.client).Agent(agentID).Session(e.t.Context(), key)
	if err != nil || !ok {
		e.t.Fatalf("session %q: found %t, %v", key, ok, err)
	}
	return s
}

func (e *env) label(key string) string {
	s, ok := e.sb.Session(agentID, key)
	if !ok {
		return "<not active>"
	}
	if s.Label == nil {
		return "<null>"
	}
	return *s.Label
}

func (e *env) counts() map[string]int { return e.sb.Counters().ByRoute }
