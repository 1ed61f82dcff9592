package provider

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Every attribute of guayaba_sessions against the seeded values, sorted by
// key.
func TestAccSessionsDataSource_attributes(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_sessions" "all" {}
output "recent" {
  value = [for s in data.guayaba_sessions.all.sessions : s.key if timecmp(s.updated_at, "2026-11-25T00:00:00Z") > 0]
}
`
		sessionA := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":          knownvalue.StringExact("agent:main:telegram:group:-100200:topic:7"),
			"session_id":   knownvalue.StringExact(sidA),
			"session_file": knownvalue.StringExact("/sessions/a.jsonl"),
			"label":        knownvalue.StringExact("Ventas"),
			"updated_at":   knownvalue.StringExact("2026-11-25T18:00:00.123Z"),
			"chat_type":    knownvalue.StringExact("group"),
			"last_channel": knownvalue.StringExact("telegram"),
			"origin_json":  knownvalue.NotNull(),
		})
		sessionB := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":          knownvalue.StringExact("agent:main:webchat:direct:bea"),
			"session_id":   knownvalue.StringExact(sidB),
			"session_file": knownvalue.StringExact("/sessions/b.jsonl"),
			"label":        knownvalue.Null(),
			"updated_at":   knownvalue.StringExact("2026-11-20T09:30:00Z"),
			"chat_type":    knownvalue.StringExact("direct"),
			"last_channel": knownvalue.StringExact("webchat"),
			"origin_json":  knownvalue.StringExact("{}"),
		})
		sessionC := knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"key":        knownvalue.StringExact("api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"),
			"updated_at": knownvalue.StringExact("2026-11-28T17:00:00Z"),
			"label":      knownvalue.StringExact("API"),
		})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", attr("sessions"), knownvalue.ListExact([]knownvalue.Check{sessionA, sessionB, sessionC})),
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", attr("keys"), stringList(
						"agent:main:telegram:group:-100200:topic:7", "agent:main:webchat:direct:bea", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f")),
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", attr("agent_id"), knownvalue.StringExact(testAgentID)),
					statecheck.ExpectKnownOutputValue("recent", stringList(
						"agent:main:telegram:group:-100200:topic:7", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f")),
				},
			}},
		})
	})
}

// Filters alone and combined; no match gives empty lists, not null.
func TestAccSessionsDataSource_filters(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cases := map[string]struct {
			args string
			want []string
		}{
			"prefix":        {`key_prefix = "agent:main:"`, []string{"agent:main:telegram:group:-100200:topic:7", "agent:main:webchat:direct:bea"}},
			"label":         {`label = "API"`, []string{"api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"chat_type":     {`chat_type = "direct"`, []string{"agent:main:webchat:direct:bea", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"last_channel":  {`last_channel = "telegram"`, []string{"agent:main:telegram:group:-100200:topic:7"}},
			"after":         {`updated_after = "2026-11-25T18:00:00Z"`, []string{"agent:main:telegram:group:-100200:topic:7", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"before":        {`updated_before = "2026-11-25T18:00:00Z"`, []string{"agent:main:webchat:direct:bea"}},
			"combined":      {"chat_type = \"direct\"\n key_prefix = \"api:\"\n updated_after = \"2026-11-21T00:00:00+01:00\"", []string{"api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"nothing":       {`label = "nobody has this"`, []string{}},
			"nothing mixed": {"chat_type = \"channel\"\n key_prefix = \"agent:\"", []string{}},
		}
		cfg := env.provider()
		var checks []statecheck.StateCheck
		for name, c := range cases {
			addr := "data.guayaba_sessions." + hclName(name)
			cfg += hclBlock(fmt.Sprintf("data \"guayaba_sessions\" %q", hclName(name)), c.args)
			checks = append(checks,
				statecheck.ExpectKnownValue(addr, attr("keys"), stringList(c.want...)),
				statecheck.ExpectKnownValue(addr, attr("sessions"), knownvalue.ListSizeExact(len(c.want))))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
		})
		if c := env.sb.Counters(); c.ByRoute[sandbox.RouteSessionsList] == 0 {
			t.Error("no listing was made")
		}
	})
}

// Invalid filter values fail at plan time, naming the attribute, without an
// API call.
func TestAccSessionsDataSource_invalidInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"updated_after":  {env.provider() + `data "guayaba_sessions" "x" { updated_after = "yesterday" }`, `(?s)Invalid timestamp.*updated_after.*not an RFC 3339`},
		"updated_before": {env.provider() + `data "guayaba_sessions" "x" { updated_before = "2026-11-28 17:00" }`, `(?s)Invalid timestamp.*updated_before`},
		"chat_type":      {env.provider() + `data "guayaba_sessions" "x" { chat_type = "dm" }`, `(?s)chat_type.*value must be one of`},
	})
}

// The same sessions give byte-identical results, even when the platform
// lists them in another order each time.
func TestAccSessionsDataSource_deterministic(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		expectSameResultEveryRun(t, env, "guayaba_sessions")
	})
}

// guayaba_sessions over an agent with 10,000 sessions: one listing; the
// wall time of the terraform run and the size of the state are logged (the
// provider's memory is measured by make bench, where it runs on its own).
// On a tfWorkdir: the listings are counted for one terraform apply, and the
// state file is read.
func TestAccScale_sessionsDataSource10k(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	f := sandbox.Generate(sandbox.GenerateOptions{Agents: 1, SessionsPerAgent: 10000, Seed: 7})
	if err := env.sb.Load(f); err != nil {
		t.Fatal(err)
	}
	agentID := f.Agents[0].ID
	w := newTFWorkdir(t, env.providerWithKey(f.Keys[0].Token, hclAttr("agent_id", agentID))+`
data "guayaba_sessions" "all" {}
data "guayaba_sessions" "groups" { chat_type = "group" }
output "count" { value = length(data.guayaba_sessions.all.sessions) }
output "groups" { value = length(data.guayaba_sessions.groups.keys) }
`)
	env.sb.ResetCounters()
	start := time.Now()
	w.must("apply", "-auto-approve", "-no-color")
	elapsed := time.Since(start)
	outs := w.outputs()
	if string(outs["count"]) != "10000" {
		t.Errorf("count = %s, want 10000", outs["count"])
	}
	c := env.sb.Counters()
	if c.ByRoute[sandbox.RouteSessionsList] > 2 {
		t.Errorf("10,000 sessions read with %d listings", c.ByRoute[sandbox.RouteSessionsList])
	}
	st, _ := os.Stat(w.dir + "/terraform.tfstate")
	t.Logf("guayaba_sessions over 10,000 sessions: terraform apply %s, listings %v, state file %d KiB",
		elapsed.Round(time.Millisecond), c.ByRoute, st.Size()/1024)
}
