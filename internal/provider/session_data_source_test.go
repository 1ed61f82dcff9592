package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// guayaba_session reads one active session: its attributes, a label that is
// null, and origin_json as the platform sent it.
func TestAccSessionDataSource_attributes(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_session" "one" { key = "agent:main:telegram:group:-100200:topic:7" }
data "guayaba_session" "nolabel" { key = "agent:main:webchat:direct:bea" }
output "origin" { value = jsondecode(data.guayaba_session.one.origin_json) }
`
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.guayaba_session.one", attr("session_id"), knownvalue.StringExact(sidA)),
					statecheck.ExpectKnownValue("data.guayaba_session.one", attr("updated_at"), knownvalue.StringExact("2026-11-25T18:00:00.123Z")),
					statecheck.ExpectKnownValue("data.guayaba_session.nolabel", attr("label"), knownvalue.Null()),
					statecheck.ExpectKnownOutputValue("origin", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"provider": knownvalue.StringExact("telegram"),
						"chatType": knownvalue.StringExact("group"),
						"threadId": knownvalue.Int64Exact(7),
						"from": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":    knownvalue.StringExact("tg:1"),
							"names": stringList("Ana", "Bea"),
						}),
					})),
				},
			}},
		})
	})
}

// A key with white space around it fails at plan time, naming the
// attribute, without an API call.
func TestAccSessionDataSource_invalidInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"session key": {env.provider() + `data "guayaba_session" "x" { key = " k" }`, `(?s)Invalid session key.*white space`},
	})
}
