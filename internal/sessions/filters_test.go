package sessions

import (
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

func at(t *testing.T, s string) *time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// matchCase is what a filter f should say of a value.
type matchCase[T, F any] struct {
	name string
	of   T
	f    F
	want bool
}

func expectMatches[T, F any](t *testing.T, match func(matchCase[T, F]) bool, cases []matchCase[T, F]) {
	t.Helper()
	for _, tc := range cases {
		if got := match(tc); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestArchiveFilter(t *testing.T) {
	label := "Old support chat"
	a := client.Archive{
		Filename:   "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b.jsonl.deleted.2026-11-28T17-00-00.000Z",
		Label:      &label,
		ArchivedAt: "2026-11-28T17:00:00.000Z",
		SessionID:  "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b",
	}
	unlabelled := a
	unlabelled.Label = nil
	opaque := a
	opaque.ArchivedAt = "yesterday"
	expectMatches(t, func(tc matchCase[client.Archive, ArchiveFilter]) bool { return tc.f.Match(tc.of) }, []matchCase[client.Archive, ArchiveFilter]{
		{name: "no filter", of: a, want: true},
		{name: "no filter, unparseable time", of: opaque, want: true},
		{name: "session id matches", of: a, f: ArchiveFilter{SessionID: &a.SessionID}, want: true},
		{name: "session id differs", of: a, f: ArchiveFilter{SessionID: new("0b9e4f2a-7c31-4d5e-8a6b-3f2e1d0c9b8a")}, want: false},
		{name: "label matches", of: a, f: ArchiveFilter{Label: &label}, want: true},
		{name: "label differs", of: a, f: ArchiveFilter{Label: new("Other")}, want: false},
		{name: "label filter, no label", of: unlabelled, f: ArchiveFilter{Label: &label}, want: false},
		{name: "archived after", of: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-28T16:59:59Z")}, want: true},
		{name: "not archived after its own instant", of: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "archived before", of: a, f: ArchiveFilter{ArchivedBefore: at(t, "2026-11-28T17:00:01Z")}, want: true},
		{name: "not archived before its own instant", of: a, f: ArchiveFilter{ArchivedBefore: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "inside a window", of: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-01T00:00:00Z"),
			ArchivedBefore: at(t, "2026-12-01T00:00:00Z")}, want: true},
		{name: "time filter, unparseable time", of: opaque, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-01T00:00:00Z")}, want: false},
		{name: "all filters", of: a, f: ArchiveFilter{SessionID: &a.SessionID, ArchivedAfter: at(t, "2026-11-01T00:00:00Z")}, want: true},
	})
}

func TestSessionFilter(t *testing.T) {
	label := "Support"
	s := client.Session{Key: "agent:main:telegram:group:-100", Label: &label, ChatType: "group", LastChannel: "telegram",
		UpdatedAt: time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC).UnixMilli()}
	unlabelled := s
	unlabelled.Label = nil
	expectMatches(t, func(tc matchCase[client.Session, SessionFilter]) bool { return tc.f.Match(tc.of) }, []matchCase[client.Session, SessionFilter]{
		{name: "no filter", of: s, want: true},
		{name: "key prefix", of: s, f: SessionFilter{KeyPrefix: new("agent:main:telegram:")}, want: true},
		{name: "other key prefix", of: s, f: SessionFilter{KeyPrefix: new("agent:main:webchat:")}, want: false},
		{name: "label", of: s, f: SessionFilter{Label: &label}, want: true},
		{name: "label filter, no label", of: unlabelled, f: SessionFilter{Label: &label}, want: false},
		{name: "chat type", of: s, f: SessionFilter{ChatType: new("direct")}, want: false},
		{name: "last channel", of: s, f: SessionFilter{LastChannel: new("telegram")}, want: true},
		{name: "updated after", of: s, f: SessionFilter{UpdatedAfter: at(t, "2026-11-28T16:59:59Z")}, want: true},
		{name: "not updated after its own instant", of: s, f: SessionFilter{UpdatedAfter: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "not updated before its own instant", of: s, f: SessionFilter{UpdatedBefore: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "all filters", of: s, f: SessionFilter{KeyPrefix: new("agent:"), Label: &label, ChatType: new("group"),
			LastChannel: new("telegram"), UpdatedBefore: at(t, "2026-12-01T00:00:00Z")}, want: true},
	})
}
