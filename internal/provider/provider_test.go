package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Every provider argument set in HCL.
func TestAccProvider_configureFromHCL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, new("hcl"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{{
			Config: env.provider(`max_retries = 2`, `request_timeout = "5s"`) + `data "guayaba_sessions" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.guayaba_sessions.all", attr("keys"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(groupKey)})),
			},
		}},
	})
}

// The provider configured from GUAYABA_* variables (on a tfWorkdir, which
// gives the provider process its own environment), and a provider block
// winning over them.
func TestAccProvider_configureFromEnvironment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, new("from env"))
	w := newTFWorkdir(t, `
provider "guayaba" {}
data "guayaba_session" "one" { key = "`+groupKey+`" }
output "label" { value = data.guayaba_session.one.label }
`)
	w.with(env.providerEnv()...).must("apply", "-auto-approve", "-no-color")
	if got := string(w.outputs()["label"]); got != `"from env"` {
		t.Errorf("label output = %s", got)
	}
	// The provider block wins over the environment.
	w.write("main.tf", env.providerWithKey(env.masterKey, hclAttr("agent_id", testAgent2ID))+`
data "guayaba_sessions" "all" {}
output "n" { value = length(data.guayaba_sessions.all.keys) }
`)
	w.with(env.providerEnv()...).must("apply", "-auto-approve", "-no-color")
	if got := string(w.outputs()["n"]); got != "0" {
		t.Errorf("agent_id from the provider block should win: %s sessions", got)
	}
}

// Configured from the environment without GUAYABA_API_KEY: one error naming
// both places to set the key, and no API call.
func TestAccProvider_missingKey(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	w := newTFWorkdir(t, `
provider "guayaba" {}
data "guayaba_sessions" "all" {}
`)
	out, err := w.run([]string{"GUAYABA_BASE_URL=" + env.sb.URL(), "GUAYABA_AGENT_ID=" + testAgentID}, "plan", "-no-color")
	if err == nil {
		t.Errorf("plan without an API key succeeded:\n%s", out)
	}
	expectSays(t, "the error without a key", out, "Missing API key", "GUAYABA_API_KEY", "api_key")
	if n := env.sb.Counters().Total; n != 0 {
		t.Errorf("%d API calls without a key", n)
	}
}

// An http:// base_url of a host that is not loopback is refused at plan
// time, in the provider block and in GUAYABA_BASE_URL.
func TestAccProvider_insecureBaseURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(`base_url = "http://api.guayaba.run/api/v1"`, hclAttr("api_key", env.masterKey)) +
					hclBlock(`data "guayaba_sessions" "all"`, hclAttr("agent_id", testAgentID)),
				PlanOnly:    true,
				ExpectError: words(`Invalid base_url.*https://`),
			},
			{
				Config: providerBlock(`base_url = "ftp://127.0.0.1/api"`, hclAttr("api_key", env.masterKey)) +
					hclBlock(`data "guayaba_sessions" "all"`, hclAttr("agent_id", testAgentID)),
				PlanOnly:    true,
				ExpectError: words(`Invalid base_url`),
			},
		},
	})
	// From the environment the same rule applies, at plan time.
	w := newTFWorkdir(t, `
provider "guayaba" {}
data "guayaba_sessions" "all" {}
`)
	out, err := w.run([]string{"GUAYABA_BASE_URL=http://example.com/api/v1", "GUAYABA_API_KEY=" + env.masterKey,
		"GUAYABA_AGENT_ID=" + testAgentID}, "plan", "-no-color")
	if err == nil {
		t.Errorf("plan with an http:// GUAYABA_BASE_URL succeeded:\n%s", out)
	}
	expectSays(t, "the error on an http:// GUAYABA_BASE_URL", out, "Invalid base_url", "GUAYABA_BASE_URL")
}

// A provider argument unknown at plan time is refused, saying why.
func TestAccProvider_unknownValues(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{{
			Config: `resource "terraform_data" "later" { input = "x" }` + "\n" +
				providerBlock(hclAttr("base_url", env.sb.URL()), "api_key = terraform_data.later.output") +
				hclBlock(`data "guayaba_sessions" "all"`, hclAttr("agent_id", testAgentID)),
			ExpectError: words(`Unknown value for api_key.*known at plan time`),
		}},
	})
}
