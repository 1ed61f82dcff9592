package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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

// Every attribute of guayaba_archives against the seeded archives, sorted
// by filename.
func TestAccArchivesDataSource_attributes(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{{
				Config: env.provider() + `data "guayaba_archives" "all" {}` + "\n",
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.guayaba_archives.all", attr("archives"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"filename":    knownvalue.StringExact(sidE + ".jsonl.deleted.2026-11-20T09-30-00.000Z"),
							"label":       knownvalue.Null(),
							"archived_at": knownvalue.StringExact("2026-11-20T09:30:00Z"),
							"session_id":  knownvalue.StringExact(sidE),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"filename":    knownvalue.StringExact(sidD + ".jsonl.deleted.2026-11-28T17-00-00.000Z"),
							"label":       knownvalue.StringExact("Viejo"),
							"archived_at": knownvalue.StringExact("2026-11-28T17:00:00Z"),
							"session_id":  knownvalue.StringExact(sidD),
						}),
					})),
				},
			}},
		})
	})
}

// Filters alone and combined; no match gives an empty list, not null.
func TestAccArchivesDataSource_filters(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cases := map[string]struct {
			args string
			want []string
		}{
			"session_id": {`session_id = "` + sidD + `"`, []string{sidD}},
			"label":      {`label = "Viejo"`, []string{sidD}},
			"after":      {`archived_after = "2026-11-21T00:00:00Z"`, []string{sidD}},
			"before":     {`archived_before = "2026-11-21T00:00:00Z"`, []string{sidE}},
			"combined":   {"label = \"Viejo\"\n archived_before = \"2026-11-21T00:00:00Z\"", []string{}},
		}
		cfg := env.provider()
		var checks []statecheck.StateCheck
		for name, c := range cases {
			name := hclName(name)
			cfg += hclBlock(fmt.Sprintf("data \"guayaba_archives\" %q", name), c.args) +
				fmt.Sprintf("output %q { value = [for a in data.guayaba_archives.%s.archives : a.session_id] }\n", name, name)
			checks = append(checks, statecheck.ExpectKnownOutputValue(name, stringList(c.want...)))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
		})
	})
}

// Invalid filter values fail at plan time, naming the attribute, without an
// API call.
func TestAccArchivesDataSource_invalidInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"archived_after":  {env.provider() + `data "guayaba_archives" "x" { archived_after = "1732813200" }`, `(?s)Invalid timestamp.*archived_after`},
		"archived_before": {env.provider() + `data "guayaba_archives" "x" { archived_before = "soon" }`, `(?s)Invalid timestamp.*archived_before`},
		"agent_id":        {env.provider() + `data "guayaba_archives" "x" { agent_id = "agent-1" }`, `(?s)Invalid agent_id.*not a UUID`},
	})
}

// The same archives give byte-identical results, even when the platform
// lists them in another order each time.
func TestAccArchivesDataSource_deterministic(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		expectSameResultEveryRun(t, env, "guayaba_archives")
	})
}
