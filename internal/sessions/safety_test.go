package sessions

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// What the provider must never do to a conversation, against the sandbox's
// handler in both variants of the platform's unconfirmed behaviour: follow a
// key to a conversation it does not manage, or fail a restore for good
// because the archive's old label is taken.

const (
	safetyAgent = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	safetyKey   = "agent:main:telegram:group:-1001234567890:topic:42"
	safetyOther = "api:0b8e6c1a-7f3d-4e2b-9c5a-1d2e3f4a5b6c"
)

type safetyEnv struct {
	sb     *sandbox.Sandbox
	client *client.Client
}

// agent returns a handle with listings of its own, as one terraform command has.
func (e safetyEnv) agent() *Agent { return newAgents(e.client).Agent(safetyAgent) }

// forEachSafetyVariant runs fn against a strict and a lenient sandbox.
func forEachSafetyVariant(t *testing.T, fn func(t *testing.T, e safetyEnv)) {
	t.Parallel()
	for name, opts := range map[string]sandbox.Options{
		"strict": {},
		"lenient": {UnknownKeys: sandbox.UnknownKeyLenient, SuccessBody: sandbox.SuccessMessage,
			OmitNullLabel: true, ShuffleLists: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.New(opts)
			sb.AddOwner("owner", true)
			sb.AddAgent("owner", safetyAgent)
			srv := httptest.NewServer(sb.Handler())
			t.Cleanup(srv.Close)
			c, err := client.New(client.Config{BaseURL: srv.URL + "/api/v1", APIKey: sb.AddKey(sandbox.MasterKey("owner")).Token,
				MaxRetries: new(1), RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, safetyEnv{sb: sb, client: c})
		})
	}
}

func (e safetyEnv) add(t *testing.T, key string, label *string) sandbox.Session {
	t.Helper()
	s, err := e.sb.AddSession(safetyAgent, sandbox.SessionSpec{Key: key, Label: label, ChatType: "group", LastChannel: "telegram",
		Messages: []sandbox.Message{sandbox.TextMessage("user", "hola")}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e safetyEnv) archive(t *testing.T, key string) string {
	t.Helper()
	f, err := e.sb.ArchiveSession(safetyAgent, key)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func labelText(p *string) string {
	if p == nil {
		return "<none>"
	}
	return *p
}

// A tracked archive deleted outside Terraform is gone, even when a new
// conversation is active under its key; a reset active session is followed.
func TestLocate_followsTheKeyOnlyForAnActiveSession(t *testing.T) {
	forEachSafetyVariant(t, func(t *testing.T, e safetyEnv) {
		old := e.add(t, safetyKey, nil)
		filename := e.archive(t, safetyKey)
		if err := e.sb.DeleteArchive(safetyAgent, filename); err != nil {
			t.Fatal(err)
		}
		stranger := e.add(t, safetyKey, nil)
		if r, found, err := e.agent().Locate(t.Context(), safetyKey, old.SessionID, filename); err != nil || found {
			t.Errorf("a gone archive located as %+v (found %t, %v): the key led to another conversation", r, found, err)
		}

		// Tracked active, reset in the chat: the key is followed.
		newID, err := e.sb.ResetSession(safetyAgent, safetyKey)
		if err != nil {
			t.Fatal(err)
		}
		r, found, err := e.agent().Locate(t.Context(), safetyKey, stranger.SessionID, "")
		if err != nil || !found || r.Active == nil || r.Active.SessionID != newID {
			t.Errorf("a reset active session: %+v, found %t, %v; want the new session id %s", r, found, err, newID)
		}
	})
}

// Restoring with no label while another session holds the archive's label
// ends with no label, the other session keeping it; so does clearing the
// label while archived. One restore and one rename each: the temporary label
// never outlives the apply.
func TestConverge_restoreWithoutTheArchivesHeldLabel(t *testing.T) {
	for _, archived := range []bool{false, true} {
		name := "restore"
		if archived {
			name = "clear while archived"
		}
		t.Run(name, func(t *testing.T) {
			forEachSafetyVariant(t, func(t *testing.T, e safetyEnv) {
				s := e.add(t, safetyKey, new("Main"))
				filename := e.archive(t, safetyKey)
				e.add(t, safetyOther, new("Main"))
				agent := e.agent()
				cur, found, err := agent.Locate(t.Context(), safetyKey, s.SessionID, filename)
				if err != nil || !found || cur.Archive == nil {
					t.Fatalf("locate: %+v %t %v", cur, found, err)
				}
				e.sb.ResetCounters()
				got, err := agent.Converge(t.Context(), safetyKey, cur, nil, archived)
				if err != nil {
					t.Fatalf("converge: %v", err)
				}
				if got.Archived() != archived || got.Label() != nil || got.SessionID() != s.SessionID {
					t.Errorf("ended archived=%t label %s session %s; want archived=%t, no label, session %s",
						got.Archived(), labelText(got.Label()), got.SessionID(), archived, s.SessionID)
				}
				if o, _ := e.sb.Session(safetyAgent, safetyOther); labelText(o.Label) != "Main" {
					t.Errorf("the other session's label is %s, want Main", labelText(o.Label))
				}
				if archived {
					a := e.sb.Archives(safetyAgent)
					if len(a) != 1 || a[0].Label != nil || a[0].SessionID != s.SessionID {
						t.Errorf("archives after clearing the label: %+v", a)
					}
				} else if a, ok := e.sb.Session(safetyAgent, safetyKey); !ok || a.Label != nil {
					t.Errorf("restored session: %+v active %t, want no label", a, ok)
				}
				c := e.sb.Counters().ByRoute
				if c[sandbox.RouteArchivesRestore] != 1 || c[sandbox.RouteSessionsRename] != 1 || c[sandbox.RouteSessionsDelete] != 0 {
					t.Errorf("writes: %v; want one restore and one rename", c)
				}
			})
		})
	}
}

// A restore under a key another conversation holds is refused before any
// request, with an error that says so (not "not confirmed").
func TestRestore_keyHeldByAnotherConversation(t *testing.T) {
	forEachSafetyVariant(t, func(t *testing.T, e safetyEnv) {
		s := e.add(t, safetyKey, nil)
		filename := e.archive(t, safetyKey)
		e.add(t, safetyKey, nil)
		agent := e.agent()
		cur, found, err := agent.Locate(t.Context(), safetyKey, s.SessionID, filename)
		if err != nil || !found || cur.Archive == nil {
			t.Fatalf("locate: %+v %t %v", cur, found, err)
		}
		e.sb.ResetCounters()
		_, err = agent.Converge(t.Context(), safetyKey, cur, nil, false)
		if !errors.Is(err, ErrKeyHeld) || errors.Is(err, ErrNotConfirmed) {
			t.Errorf("restore over another conversation: %v; want ErrKeyHeld", err)
		}
		if n := e.sb.Counters().ByRoute[sandbox.RouteArchivesRestore]; n != 0 {
			t.Errorf("%d restore requests", n)
		}
	})
}
