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
	for _, tc := range []struct {
		name string
		a    client.Archive
		f    ArchiveFilter
		want bool
	}{
		{name: "no filter", a: a, want: true},
		{name: "no filter, unparseable time", a: opaque, want: true},
		{name: "session id matches", a: a, f: ArchiveFilter{SessionID: &a.SessionID}, want: true},
		{name: "session id differs", a: a, f: ArchiveFilter{SessionID: ptr("0b9e4f2a-7c31-4d5e-8a6b-3f2e1d0c9b8a")}, want: false},
		{name: "label matches", a: a, f: ArchiveFilter{Label: &label}, want: true},
		{name: "label differs", a: a, f: ArchiveFilter{Label: ptr("Other")}, want: false},
		{name: "label filter, no label", a: unlabelled, f: ArchiveFilter{Label: &label}, want: false},
		{name: "archived after", a: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-28T16:59:59Z")}, want: true},
		{name: "not archived after its own instant", a: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "archived before", a: a, f: ArchiveFilter{ArchivedBefore: at(t, "2026-11-28T17:00:01Z")}, want: true},
		{name: "not archived before its own instant", a: a, f: ArchiveFilter{ArchivedBefore: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "inside a window", a: a, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-01T00:00:00Z"),
			ArchivedBefore: at(t, "2026-12-01T00:00:00Z")}, want: true},
		{name: "time filter, unparseable time", a: opaque, f: ArchiveFilter{ArchivedAfter: at(t, "2026-11-01T00:00:00Z")}, want: false},
		{name: "all filters", a: a, f: ArchiveFilter{SessionID: &a.SessionID, ArchivedAfter: at(t, "2026-11-01T00:00:00Z")}, want: true},
	} {
		if got := tc.f.Match(tc.a); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSessionFilter(t *testing.T) {
	label := "Support"
	s := client.Session{Key: "agent:main:telegram:group:-100", Label: &label, ChatType: "group", LastChannel: "telegram",
		UpdatedAt: time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC).UnixMilli()}
	unlabelled := s
	unlabelled.Label = nil
	for _, tc := range []struct {
		name string
		s    client.Session
		f    SessionFilter
		want bool
	}{
		{name: "no filter", s: s, want: true},
		{name: "key prefix", s: s, f: SessionFilter{KeyPrefix: ptr("agent:main:telegram:")}, want: true},
		{name: "other key prefix", s: s, f: SessionFilter{KeyPrefix: ptr("agent:main:webchat:")}, want: false},
		{name: "label", s: s, f: SessionFilter{Label: &label}, want: true},
		{name: "label filter, no label", s: unlabelled, f: SessionFilter{Label: &label}, want: false},
		{name: "chat type", s: s, f: SessionFilter{ChatType: ptr("direct")}, want: false},
		{name: "last channel", s: s, f: SessionFilter{LastChannel: ptr("telegram")}, want: true},
		{name: "updated after", s: s, f: SessionFilter{UpdatedAfter: at(t, "2026-11-28T16:59:59Z")}, want: true},
		{name: "not updated after its own instant", s: s, f: SessionFilter{UpdatedAfter: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "not updated before its own instant", s: s, f: SessionFilter{UpdatedBefore: at(t, "2026-11-28T17:00:00Z")}, want: false},
		{name: "all filters", s: s, f: SessionFilter{KeyPrefix: ptr("agent:"), Label: &label, ChatType: ptr("group"),
			LastChannel: ptr("telegram"), UpdatedBefore: at(t, "2026-12-01T00:00:00Z")}, want: true},
	} {
		if got := tc.f.Match(tc.s); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}
