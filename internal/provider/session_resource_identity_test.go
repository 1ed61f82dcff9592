package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Import blocks with an identity (Terraform >= 1.12): with the provider's
// agent and with another one; the first plan imports and changes nothing,
// the sandbox is untouched, and the next plan is empty.
func TestAccSession_importByIdentity(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Support"))
		env.session(testAgent2ID, apiKey, nil)
		resources := fmt.Sprintf(`
resource "guayaba_session" "x" {
  key   = %[1]q
  label = "Support"
}

resource "guayaba_session" "y" {
  agent_id = %[2]q
  key      = %[3]q
}
`, groupKey, testAgent2ID, apiKey)
		cfg := env.provider() + resources + fmt.Sprintf(`
import {
  to       = guayaba_session.x
  identity = { key = %[1]q }
}

import {
  to       = guayaba_session.y
  identity = { agent_id = %[2]q, key = %[3]q }
}
`, groupKey, testAgent2ID, apiKey)
		before := stateJSON(env.snapshot())
		unchanged := checkSandbox(func() error { return expectDestroyEffect("keep", before, env) })
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{resourceIdentity},
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("guayaba_session.y", plancheck.ResourceActionNoop),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectIdentity("guayaba_session.x", map[string]knownvalue.Check{
							"agent_id": knownvalue.StringExact(testAgentID), "key": knownvalue.StringExact(groupKey)}),
						statecheck.ExpectIdentity("guayaba_session.y", map[string]knownvalue.Check{
							"agent_id": knownvalue.StringExact(testAgent2ID), "key": knownvalue.StringExact(apiKey)}),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("label"), knownvalue.StringExact("Support")),
						statecheck.ExpectKnownValue("guayaba_session.y", attr("label"), knownvalue.Null()),
					},
					Check: unchanged,
				},
				{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
				// terraform-plugin-testing's own round trip: an import block
				// with the identity read from state, planned to no change.
				{Config: env.provider() + resources, ResourceName: "guayaba_session.x", ImportState: true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity},
				{Config: env.provider() + resources, Check: unchanged,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			},
		})
	})
}

// An archived session has no key in the archives listing, so it cannot be
// imported by identity: the error names the ID form that works.
func TestAccSession_importByIdentityArchived(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	const key = "agent:main:webchat:direct:ana"
	env.session(testAgentID, key, new("Old chat"))
	if _, err := env.sb.ArchiveSession(testAgentID, key); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{resourceIdentity},
		Steps: []resource.TestStep{
			{
				Config: env.provider() + fmt.Sprintf(`
import {
  to       = guayaba_session.x
  identity = { key = %[1]q }
}

resource "guayaba_session" "x" {
  key      = %[1]q
  archived = true
}
`, key),
				ExpectError: words(`no active session with key "` + key + `".*archived.*import it by ID.*` +
					testAgentID + `/` + key + `@<archive_filename>`),
			},
			{
				Config: env.provider() + `
import {
  to       = guayaba_session.x
  identity = { agent_id = "not-a-uuid", key = "agent:main:main" }
}

resource "guayaba_session" "x" {
  key = "agent:main:main"
}
`,
				ExpectError: words(`Invalid agent_id in the import identity.*not a UUID`),
			},
		},
	})
}
