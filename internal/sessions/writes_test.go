package sessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// A write whose response is lost (the platform applied it, the connection
// dropped) is judged by the listing: each succeeds, once.
func TestOps_lostResponses(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(4, true)
		agent := e.agent()
		lose := func(route string) { e.sb.InjectFault(sandbox.Fault{Route: route, ApplyThenDrop: true}) }

		lose("sessions.rename")
		r, _, err := agent.Locate(t.Context(), keys[0], "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := agent.Converge(t.Context(), keys[0], r, new("renamed"), false); err != nil {
			t.Fatalf("rename with a lost response: %v", err)
		}
		if got := e.label(keys[0]); got != "renamed" {
			t.Errorf("label %s", got)
		}

		lose("sessions.archive")
		archived, err := agent.Converge(t.Context(), keys[1], Remote{Active: ptrSession(e, keys[1])}, new("label-0001"), true)
		if err != nil || archived.Archive == nil {
			t.Fatalf("archive with a lost response: %+v %v", archived, err)
		}

		lose("archives.restore")
		restored, err := agent.Converge(t.Context(), keys[1], archived, new("back"), false)
		if err != nil || restored.Active == nil || e.label(keys[1]) != "back" {
			t.Fatalf("restore with a lost response: %+v %v (label %s)", restored, err, e.label(keys[1]))
		}

		lose("sessions.delete")
		if err := agent.DeleteSession(t.Context(), *ptrSession(e, keys[2])); err != nil {
			t.Fatalf("delete with a lost response: %v", err)
		}
		if _, ok := e.sb.Session(agentID, keys[2]); ok {
			t.Error("session not deleted")
		}

		again, err := agent.Converge(t.Context(), keys[3], Remote{Active: ptrSession(e, keys[3])}, new("label-0003"), true)
		if err != nil {
			t.Fatal(err)
		}
		lose("archives.delete")
		if err := agent.DeleteArchive(t.Context(), *again.Archive); err != nil {
			t.Fatalf("archive delete with a lost response: %v", err)
		}
		if n := len(e.sb.Archives(agentID)); n != 0 {
			t.Errorf("%d archives left", n)
		}
		if f := e.sb.Faults(); len(f) != 0 {
			t.Errorf("faults not consumed: %+v", f)
		}
	})
}

func ptrSession(e *env, key string) *client.Session {
	s := e.active(key)
	return &s
}

// doNothing makes the sandbox answer every write 200 without doing it, as
// a platform may for a key it does not know (see BEHAVIOUR.md).
func (e *env) doNothing() {
	for _, route := range []string{sandbox.RouteSessionsRename, sandbox.RouteSessionsArchive, sandbox.RouteSessionsDelete,
		sandbox.RouteArchivesRestore, sandbox.RouteArchivesDelete} {
		e.sb.InjectFault(sandbox.Fault{Route: route, Status: 200, Body: "{}", Count: 100})
	}
}

// bothActiveAndArchived adds a session that the platform lists active and,
// with the same session id, archived; it returns the session and the
// archive.
func (e *env) bothActiveAndArchived() (client.Session, client.Archive) {
	e.t.Helper()
	key := e.sessions(1, true)[0]
	s := e.active(key)
	if _, err := e.sb.AddArchive(agentID, sandbox.ArchiveSpec{Key: key, SessionID: s.SessionID,
		ArchivedAt: time.Now().Add(-time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	archives, err := NewAgents(e.client).Agent(agentID).Archives(e.t.Context())
	if err != nil || len(archives) != 1 {
		e.t.Fatalf("archives: %v %v", archives, err)
	}
	return s, archives[0]
}

// expectNotConfirmed checks that a write answered 200 that did nothing
// failed as not confirmed, saying what the listing shows.
func expectNotConfirmed(t *testing.T, what string, err error, says string) {
	t.Helper()
	var nc *NotConfirmedError
	if !errors.Is(err, ErrNotConfirmed) || !errors.As(err, &nc) || !strings.Contains(err.Error(), says) {
		t.Errorf("%s against a platform that does nothing: %v; want not confirmed, saying %q", what, err, says)
	}
}

// A platform that answers every write 200 and does nothing, with the
// session listed both active and archived: no write is taken for done on
// evidence that a listing before it already showed.
func TestWrites_nothingDoneIsNotConfirmed(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		s, arch := e.bothActiveAndArchived()
		e.doNothing()
		// archived = true: the old archive does not prove a new one, even
		// when no archive listing was cached before the write.
		_, err := e.agent().Converge(t.Context(), s.Key, Remote{Active: &s}, s.Label, true)
		expectNotConfirmed(t, "converge to archived", err, fmt.Sprintf("session %q is still active", s.Key))

		e.newApply()
		err = e.agent().ArchiveIfActive(t.Context(), s.Key, func(string) {})
		expectNotConfirmed(t, "guayaba_archive_session", err, fmt.Sprintf("session %q is still active", s.Key))

		// The session active under its key does not prove the restore: it
		// was active before it.
		e.newApply()
		err = e.agent().RestoreIfListed(t.Context(), arch.Filename, nil, func(string) {})
		expectNotConfirmed(t, "guayaba_restore_archive", err, "archive "+arch.Filename+" is still listed")

		e.newApply()
		_, err = e.agent().Restore(t.Context(), s.Key, arch, nil)
		expectNotConfirmed(t, "restore", err, "archive "+arch.Filename+" is still listed")

		e.newApply()
		err = e.agent().DeleteIfActive(t.Context(), s.Key, nil, func(string) {})
		expectNotConfirmed(t, "guayaba_delete_session", err, fmt.Sprintf("session %q is still active", s.Key))

		e.newApply()
		err = e.agent().DeleteArchiveIfListed(t.Context(), arch.Filename, func(string) {})
		expectNotConfirmed(t, "guayaba_delete_archive", err, "archive "+arch.Filename+" is still listed")

		if _, ok := e.sb.Session(agentID, s.Key); !ok || len(e.sb.Archives(agentID)) != 1 {
			t.Errorf("the platform changed: active %t, %d archives", ok, len(e.sb.Archives(agentID)))
		}
	})
}

// A restore of an archive (the action's, which knows no key) that the
// platform accepts but does not do is a write the listing did not confirm,
// like every other: the error says so, and matches ErrNotConfirmed.
func TestRestoreIfListed_acceptedButNotListed(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		key := e.sessions(1, true)[0]
		filename, err := e.sb.ArchiveSession(agentID, key)
		if err != nil {
			t.Fatal(err)
		}
		e.doNothing()
		err = e.agent().RestoreIfListed(t.Context(), filename, nil, func(string) {})
		expectNotConfirmed(t, "restore of "+filename, err, "no active session with session id")
		if got := e.counts()[sandbox.RouteArchivesRestore]; got != 1 {
			t.Errorf("%d restore requests, want 1", got)
		}
	})
}

// Every write of a session that the platform really changes is confirmed
// against the same platform: what the tests above refuse is only what did
// not happen.
func TestWrites_confirmedWhenDone(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		s, arch := e.bothActiveAndArchived()
		got, err := e.agent().Archive(t.Context(), s)
		if err != nil || got.Filename == arch.Filename || got.SessionID != s.SessionID {
			t.Fatalf("archive of a session also archived before: %+v %v; want a new archive of %s", got, err, s.SessionID)
		}
		e.newApply()
		if err := e.agent().RestoreIfListed(t.Context(), got.Filename, nil, func(string) {}); err != nil {
			t.Fatalf("restore of the new archive: %v", err)
		}
		if _, ok := e.sb.Session(agentID, s.Key); !ok {
			t.Error("the session is not active after the restore")
		}
	})
}

// The one write-and-confirm step judges a write by the listing, whatever its
// answer: shown is confirmed (even after an error that may have applied);
// not shown is refused, failed or unconfirmed by what the answer was.
func TestWrite_outcomes(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	lost := &client.TransportError{Op: "archive session", Err: errors.New("connection reset")}
	refusal := &client.APIError{StatusCode: 409, Category: "Conflict", Message: "busy", Attempts: 1}
	for _, tc := range []struct {
		name    string
		answer  error
		shown   bool
		want    outcome
		wantErr error
	}{
		{"accepted and shown", nil, true, confirmed, nil},
		{"lost and shown", lost, true, confirmed, nil},
		{"refused", refusal, true, refused, refusal},
		{"lost and not shown", lost, false, failed, lost},
		{"accepted and not shown", nil, false, unconfirmed, ErrNotConfirmed},
	} {
		var listedAfter, done uint64
		got, err := e.agent().write(t.Context(), write{
			change: "the test write",
			send:   func(context.Context) error { return tc.answer },
			shown: func(_ context.Context, seq uint64) (bool, string, error) {
				listedAfter = seq
				return tc.shown, "the listing shows nothing", nil
			},
			done: func(seq uint64) { done = seq },
		})
		if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
			t.Errorf("%s: outcome %d, %v; want %d, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
		if tc.want != refused && listedAfter != e.agent().latest() {
			t.Errorf("%s: judged after write %d, want the write's own number %d", tc.name, listedAfter, e.agent().latest())
		}
		if (done != 0) != (tc.want == confirmed) {
			t.Errorf("%s: recorded in the cache: %t", tc.name, done != 0)
		}
	}
}
