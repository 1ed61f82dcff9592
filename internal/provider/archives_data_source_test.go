package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

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
