package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

func TestArchiveMatches(t *testing.T) {
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
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	none := archivesDataSourceModel{
		SessionID: types.StringNull(), Label: types.StringNull(),
		ArchivedAfter: types.StringNull(), ArchivedBefore: types.StringNull(),
	}
	withSession := func(id string) archivesDataSourceModel { m := none; m.SessionID = types.StringValue(id); return m }
	withLabel := func(l string) archivesDataSourceModel { m := none; m.Label = types.StringValue(l); return m }

	for _, tc := range []struct {
		name          string
		a             client.Archive
		m             archivesDataSourceModel
		after, before *time.Time
		want          bool
	}{
		{name: "no filter", a: a, m: none, want: true},
		{name: "no filter, unparseable time", a: opaque, m: none, want: true},
		{name: "session id matches", a: a, m: withSession(a.SessionID), want: true},
		{name: "session id differs", a: a, m: withSession("0b9e4f2a-7c31-4d5e-8a6b-3f2e1d0c9b8a"), want: false},
		{name: "label matches", a: a, m: withLabel(label), want: true},
		{name: "label differs", a: a, m: withLabel("Other"), want: false},
		{name: "label filter, no label", a: unlabelled, m: withLabel(label), want: false},
		{name: "archived after", a: a, m: none, after: at("2026-11-28T16:59:59Z"), want: true},
		{name: "not archived after its own instant", a: a, m: none, after: at("2026-11-28T17:00:00Z"), want: false},
		{name: "archived before", a: a, m: none, before: at("2026-11-28T17:00:01Z"), want: true},
		{name: "not archived before its own instant", a: a, m: none, before: at("2026-11-28T17:00:00Z"), want: false},
		{name: "inside a window", a: a, m: none, after: at("2026-11-01T00:00:00Z"), before: at("2026-12-01T00:00:00Z"), want: true},
		{name: "time filter, unparseable time", a: opaque, m: none, after: at("2026-11-01T00:00:00Z"), want: false},
		{name: "all filters", a: a, m: withSession(a.SessionID), after: at("2026-11-01T00:00:00Z"), want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := archiveMatches(tc.a, tc.m, tc.after, tc.before); got != tc.want {
				t.Errorf("archiveMatches = %v, want %v", got, tc.want)
			}
		})
	}
}
