package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// History: text from strings and blocks, content exactly as sent, the last N
// oldest first, and an unknown key refused in both platform variants.
func TestAccSessionHistory_dataSource(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_session_history" "all" { key = "agent:main:telegram:group:-100200:topic:7" }
data "guayaba_session_history" "last2" {
  key   = "agent:main:telegram:group:-100200:topic:7"
  limit = 2
}
output "blocks" { value = jsondecode(data.guayaba_session_history.all.messages[1].content_json) }
`
		msg := func(id, role, text, content, ts string) knownvalue.Check {
			return knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.StringExact(id), "role": knownvalue.StringExact(role), "text": knownvalue.StringExact(text),
				"content_json": knownvalue.StringExact(content), "timestamp": knownvalue.StringExact(ts),
			})
		}
		m1 := msg("m1", "user", "¿Precio?", `"¿Precio?"`, "2026-11-20T09:30:00Z")
		m2 := msg("m2", "assistant", "10 €\nsin IVA",
			`[{"thinking":"calcular","type":"thinking"},{"text":"10 €","type":"text"},{"arguments":{"sku":"x"},"id":"c1","name":"quote","type":"toolCall"},{"text":"sin IVA","type":"text"}]`,
			"2026-11-25T18:00:00.123Z")
		m3 := msg("m3", "user", "gracias", `"gracias"`, "2026-11-28T17:00:00Z")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.guayaba_session_history.all", attr("messages"), knownvalue.ListExact([]knownvalue.Check{m1, m2, m3})),
						statecheck.ExpectKnownValue("data.guayaba_session_history.all", attr("limit"), knownvalue.Int64Exact(100)),
						statecheck.ExpectKnownValue("data.guayaba_session_history.last2", attr("messages"), knownvalue.ListExact([]knownvalue.Check{m2, m3})),
						statecheck.ExpectKnownOutputValueAtPath("blocks", tfjsonpath.New(2).AtMapKey("type"), knownvalue.StringExact("toolCall")),
						statecheck.ExpectKnownOutputValueAtPath("blocks", tfjsonpath.New(0).AtMapKey("thinking"), knownvalue.StringExact("calcular")),
					},
				},
				{
					Config:      env.provider() + `data "guayaba_session_history" "x" { key = "agent:main:telegram:direct:nobody" }`,
					ExpectError: words(`(?s)Session not found.*no active session with key`),
				},
			},
		})
	})
}

// Invalid arguments fail at plan time, naming the attribute, without an API
// call.
func TestAccSessionHistory_invalidInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"limit 0":     {env.provider() + "data \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 0\n}", `(?s)limit.*between 1 and 1000`},
		"limit 1001":  {env.provider() + "data \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 1001\n}", `(?s)limit.*between 1 and 1000`},
		"history key": {env.provider() + `data "guayaba_session_history" "x" { key = "" }`, `(?s)Invalid session key`},
	})
}
