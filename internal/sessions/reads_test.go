package sessions

import (
	"errors"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// An archive can be named for a key only when the listing does not show it
// to be another conversation's: its session id active under another key,
// or the key active with another conversation.
func TestCheckArchiveOf(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		at := time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
		bea, err := e.sb.AddSession(agentID, sandbox.SessionSpec{Key: "bea"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sb.AddSession(agentID, sandbox.SessionSpec{Key: "group"}); err != nil {
			t.Fatal(err)
		}
		for _, spec := range []sandbox.ArchiveSpec{
			{Key: "bea", SessionID: bea.SessionID, Filename: "bea.jsonl", ArchivedAt: at},
			{Key: "ana", SessionID: "6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f", Filename: "ana.jsonl", ArchivedAt: at},
		} {
			if _, err := e.sb.AddArchive(agentID, spec); err != nil {
				t.Fatal(err)
			}
		}
		archives, err := e.agent().Archives(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]int{}
		for i, a := range archives {
			byName[a.Filename] = i
		}
		for _, c := range []struct {
			key, filename, holder string
			active                bool
		}{
			{"ana", "ana.jsonl", "", false}, // its own key, not active: fine
			{"bea", "bea.jsonl", "", false}, // listed both active and archived
			{"group", "bea.jsonl", "bea", false},
			{"group", "ana.jsonl", "", true}, // group is another, active conversation
		} {
			err := e.agent().CheckArchiveOf(t.Context(), c.key, archives[byName[c.filename]])
			var other *ArchiveOfAnotherError
			switch {
			case c.holder == "" && !c.active && err != nil:
				t.Errorf("%s@%s: %v", c.key, c.filename, err)
			case (c.holder != "" || c.active) && !errors.As(err, &other):
				t.Errorf("%s@%s: got %v, want an ArchiveOfAnotherError", c.key, c.filename, err)
			case other != nil && (other.Holder != c.holder || (other.Active != "") != c.active):
				t.Errorf("%s@%s: %+v", c.key, c.filename, other)
			}
		}
		if n := e.counts()[sandbox.RouteSessionsRename] + e.counts()[sandbox.RouteArchivesRestore]; n != 0 {
			t.Errorf("a check wrote %d times", n)
		}
	})
}
