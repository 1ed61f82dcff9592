package sessions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

const (
	owner   = "owner-1"
	agentID = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	key     = "agent:main:telegram:group:-1001234567890:topic:42"
)

// actionWorld is a sandbox with one agent and one labelled session, and the
// handle of that agent as the provider builds it.
type actionWorld struct {
	sb       *sandbox.Sandbox
	agent    *sessions.Agent
	progress []string
}

func newActionWorld(t *testing.T, opts sandbox.Options) *actionWorld {
	t.Helper()
	sb := sandbox.New(opts)
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	sb.AddOwner(owner, true)
	sb.AddAgent(owner, agentID)
	token := sb.AddKey(sandbox.MasterKey(owner)).Token
	label := "Ventas"
	if _, err := sb.AddSession(agentID, sandbox.SessionSpec{Key: key, Label: &label, ChatType: "group", LastChannel: "telegram",
		Messages: []sandbox.Message{sandbox.TextMessage("user", "hola")}}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{BaseURL: sb.URL(), APIKey: token, MaxRetries: new(3), RequestTimeout: 5 * time.Second,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &actionWorld{sb: sb, agent: sessions.NewAgents(c).Agent(agentID)}
}

// fresh returns a handle with an empty listing cache, as a new terraform command has.
func (w *actionWorld) fresh(t *testing.T) *sessions.Agent {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: w.sb.URL(), APIKey: w.sb.AddKey(sandbox.MasterKey(owner)).Token, MaxRetries: new(3),
		RequestTimeout: 5 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return sessions.NewAgents(c).Agent(agentID)
}

func (w *actionWorld) record(msg string) { w.progress = append(w.progress, msg) }

// writes counts the POST calls (every write route) since the last reset.
func (w *actionWorld) writes() int {
	c := w.sb.Counters()
	return c.Total - c.ByRoute["sessions.list"] - c.ByRoute["archives.list"]
}

func (w *actionWorld) lastProgress() string {
	if len(w.progress) == 0 {
		return ""
	}
	return w.progress[len(w.progress)-1]
}

func forEachActionVariant(t *testing.T, fn func(t *testing.T, w *actionWorld)) {
	t.Parallel()
	for name, opts := range sandbox.Variants() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newActionWorld(t, opts))
		})
	}
}

func TestArchiveIfActive(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		ctx := context.Background()
		s, _ := w.sb.Session(agentID, key)
		if err := w.agent.ArchiveIfActive(ctx, key, w.record); err != nil {
			t.Fatal(err)
		}
		if _, ok := w.sb.Session(agentID, key); ok {
			t.Fatal("session still active")
		}
		a := w.sb.Archives(agentID)
		if len(a) != 1 || a[0].SessionID != s.SessionID || !strings.Contains(w.lastProgress(), a[0].Filename) {
			t.Fatalf("archives %+v, progress %q", a, w.progress)
		}
		// Again, as a new command would: nothing to do, nothing written.
		w.sb.ResetCounters()
		if err := w.fresh(t).ArchiveIfActive(ctx, key, w.record); err != nil {
			t.Fatal(err)
		}
		if n := w.writes(); n != 0 || !strings.Contains(w.lastProgress(), "Nothing to do") {
			t.Errorf("second archive: %d writes, progress %q", n, w.lastProgress())
		}
	})
}

func TestDeleteIfActive(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		ctx := context.Background()
		wrong, right := "Soporte", "Ventas"
		err := w.agent.DeleteIfActive(ctx, key, &wrong, w.record)
		var mismatch *sessions.LabelMismatchError
		if !errors.As(err, &mismatch) || !strings.Contains(err.Error(), `the label "Ventas", not the expected label "Soporte"`) {
			t.Fatalf("want a label mismatch, got %v", err)
		}
		if _, ok := w.sb.Session(agentID, key); !ok || w.writes() != 0 {
			t.Fatalf("a refused delete wrote (%d writes)", w.writes())
		}
		if err := w.agent.DeleteIfActive(ctx, key, &right, w.record); err != nil {
			t.Fatal(err)
		}
		if _, ok := w.sb.Session(agentID, key); ok || len(w.sb.Archives(agentID)) != 0 {
			t.Fatal("session not deleted, or archived instead")
		}
		w.sb.ResetCounters()
		if err := w.fresh(t).DeleteIfActive(ctx, key, &right, w.record); err != nil {
			t.Fatal(err)
		}
		if n := w.writes(); n != 0 || !strings.Contains(w.lastProgress(), "Nothing to do") {
			t.Errorf("second delete: %d writes, progress %q", n, w.lastProgress())
		}
	})
}

// A response lost after the platform deleted the session: the listing, not
// the error, says the delete happened.
func TestDeleteIfActiveLostResponse(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		w.sb.InjectFault(sandbox.Fault{Route: "sessions.delete", ApplyThenDrop: true})
		if err := w.agent.DeleteIfActive(context.Background(), key, nil, w.record); err != nil {
			t.Fatal(err)
		}
		if _, ok := w.sb.Session(agentID, key); ok {
			t.Fatal("session still active")
		}
	})
}

func TestRestoreIfListed(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		ctx := context.Background()
		s, _ := w.sb.Session(agentID, key)
		filename, err := w.sb.ArchiveSession(agentID, key)
		if err != nil {
			t.Fatal(err)
		}
		label := "Restaurada"
		if err := w.agent.RestoreIfListed(ctx, filename, &label, w.record); err != nil {
			t.Fatal(err)
		}
		got, ok := w.sb.Session(agentID, key)
		if !ok || got.SessionID != s.SessionID || got.Label == nil || *got.Label != label || len(w.sb.Archives(agentID)) != 0 {
			t.Fatalf("after restore: %+v active=%v archives=%d", got, ok, len(w.sb.Archives(agentID)))
		}
		w.sb.ResetCounters()
		if err := w.fresh(t).RestoreIfListed(ctx, filename, &label, w.record); err != nil {
			t.Fatal(err)
		}
		if n := w.writes(); n != 0 || !strings.Contains(w.lastProgress(), "already restored: it is the active session") {
			t.Errorf("second restore: %d writes, progress %q", n, w.lastProgress())
		}
		// Without a label the archive's label comes back.
		filename, err = w.sb.ArchiveSession(agentID, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.fresh(t).RestoreIfListed(ctx, filename, nil, w.record); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.sb.Session(agentID, key); got.Label == nil || *got.Label != label {
			t.Errorf("restore without a label: label %v, want %q", got.Label, label)
		}
	})
}

// Restoring under a key another active session holds fails with the
// platform's conflict, and nothing changes.
func TestRestoreIfListedConflict(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		filename, err := w.sb.ArchiveSession(agentID, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.sb.AddSession(agentID, sandbox.SessionSpec{Key: key, ChatType: "group"}); err != nil {
			t.Fatal(err)
		}
		if err := w.agent.RestoreIfListed(context.Background(), filename, nil, w.record); err == nil {
			t.Fatal("restore over an active key succeeded")
		}
		if len(w.sb.Archives(agentID)) != 1 {
			t.Error("the archive is gone after a failed restore")
		}
	})
}

func TestDeleteArchiveIfListed(t *testing.T) {
	forEachActionVariant(t, func(t *testing.T, w *actionWorld) {
		ctx := context.Background()
		filename, err := w.sb.ArchiveSession(agentID, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.agent.DeleteArchiveIfListed(ctx, filename, w.record); err != nil {
			t.Fatal(err)
		}
		if len(w.sb.Archives(agentID)) != 0 {
			t.Fatal("archive still listed")
		}
		w.sb.ResetCounters()
		if err := w.fresh(t).DeleteArchiveIfListed(ctx, filename, w.record); err != nil {
			t.Fatal(err)
		}
		if n := w.writes(); n != 0 || !strings.Contains(w.lastProgress(), "Nothing to do") {
			t.Errorf("second delete: %d writes, progress %q", n, w.lastProgress())
		}
	})
}
