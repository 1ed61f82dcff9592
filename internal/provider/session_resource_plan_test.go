package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The plan of a create tells what apply would meet: a key that is not an
// active session, or an agent whose listing is refused, fails terraform
// plan (PlanOnly steps: the error comes from the plan) with the text apply
// gives, and nothing is written.
func TestAccSessionPlan_adoptionErrors(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		stopped := "5b0c9d8e-7f6a-4b3c-8d2e-1f0a9b8c7d6e"
		env.sb.AddAgent(testOwnerID, stopped)
		env.session(stopped, groupKey, nil)
		env.sb.SetAgentRunning(stopped, false)
		const missing = "agent:main:telegram:direct:404"
		unknownAgent := "00000000-0000-4000-8000-000000000000"
		step := func(cfg, want string) resource.TestStep {
			return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: words(want)}
		}
		withKey := func(key string) string {
			return env.providerWithKey(key, hclAttr("agent_id", testAgentID)) + sessionBlock{key: groupKey}.String()
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				step(env.config(sessionBlock{key: missing}),
					`(?s)Session not found.*with guayaba_session.x.*Agent `+testAgentID+` has no active session with key "`+
						regexp.QuoteMeta(missing)+`".*nothing to adopt.*created by chatting.*archived session.*terraform import`),
				step(env.config(sessionBlock{key: groupKey, agentID: stopped}),
					`(?s)Cannot adopt session "`+regexp.QuoteMeta(groupKey)+`": the agent is not running.*Agent `+stopped+
						`'s container is not running.*Start the agent`),
				step(env.config(sessionBlock{key: groupKey, agentID: unknownAgent}),
					`(?s)Cannot adopt session.*agent not found.*does not know agent `+unknownAgent+`.*Check .agent_id.`),
				step(withKey(env.otherAgentKey),
					`(?s)Cannot adopt session.*the API key belongs to another agent.*not one of agent `+testAgentID),
				// Every Sessions call needs agent:manage, the listing too: the
				// plan knows the scope is missing without writing anything.
				step(withKey(env.readOnlyKey),
					`(?s)Cannot adopt session.*lacks the agent:manage scope.*agent key of agent `+testAgentID+
						`.*agent:manage scope, or a master key`),
			},
		})
		c := env.sb.Counters()
		if n := c.Total - c.ByRoute[sandbox.RouteSessionsList]; n != 0 {
			t.Errorf("the refused plans made %d calls that are not listings: %v", n, c.ByRoute)
		}
	})
}

// A key known only at apply is not checked at plan: the plan succeeds and
// the apply adopts it; once known, a key that is not active fails with the
// same text as at plan.
func TestAccSessionPlan_keyUnknownUntilApply(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		cfg := func(key string) string {
			return env.provider() + hclBlock(`resource "terraform_data" "k"`, hclAttr("input", key)) +
				hclBlock(`resource "guayaba_session" "x"`, "key = terraform_data.k.output", hclAttr("label", "From elsewhere"))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg(groupKey),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue("guayaba_session.x", attr("key")),
						plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionCreate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("guayaba_session.x", attr("key"), knownvalue.StringExact(groupKey)),
					},
					Check: env.expectLabel(testAgentID, groupKey, new("From elsewhere")),
				},
				{Config: cfg(groupKey), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
				// Another create whose key is unknown at plan and not active
				// once known.
				{Config: cfg(groupKey) + hclBlock(`resource "terraform_data" "k2"`, hclAttr("input", "agent:main:telegram:direct:404")) +
					hclBlock(`resource "guayaba_session" "y"`, "key = terraform_data.k2.output"),
					ExpectError: words(`(?s)Session not found.*no active session with key "agent:main:telegram:direct:404".*nothing to adopt`)},
			},
		})
		expectNoDeletes(t, env)
	})
}

// An import block of an archived session plans an import, not a create:
// the adoption check, which only an active key passes, does not run.
func TestAccSessionPlan_importBlockOfArchive(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const key = "agent:main:webchat:direct:ana"
		env.session(testAgentID, key, new("Old chat"))
		filename, err := env.sb.ArchiveSession(testAgentID, key)
		must(t, err)
		cfg := env.config(sessionBlock{key: key, label: new("Old chat"), archived: true}) +
			hclBlock("import", "to = guayaba_session.x", hclAttr("id", testAgentID+"/"+key+"@"+filename))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionNoop),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("guayaba_session.x", attr("archive_filename"), knownvalue.StringExact(filename)),
					},
				},
				{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			},
		})
		if c := env.sb.Counters(); c.Total != c.ByRoute[sandbox.RouteSessionsList]+c.ByRoute[sandbox.RouteArchivesList] {
			t.Errorf("importing an archive wrote: %v", c.ByRoute)
		}
	})
}

// The check reads the listing the plan reads anyway: a plan of 20 creates
// and 10 managed sessions on one agent, and 10 creates on another, lists
// each agent's sessions once and calls nothing else (on a tfWorkdir, for
// the calls of one command).
func TestAccSessionPlan_oneListingPerAgent(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:webchat:direct", 30)
	keys2 := scaleSessions(t, env, testAgent2ID, "agent:main:webchat:direct", 10)
	managed := scaleConfig(env, map[string][]string{testAgentID: keys[:10]}, "v1", nil)
	w := newTFWorkdir(t, managed)
	w.must(applyArgs...)
	var ss []sessionBlock
	for i, k := range keys[10:] {
		ss = append(ss, sessionBlock{name: fmt.Sprintf("new%d", i), key: k})
	}
	for i, k := range keys2 {
		ss = append(ss, sessionBlock{name: fmt.Sprintf("other%d", i), agentID: testAgent2ID, key: k})
	}
	w.write("main.tf", managed+sessionBlocks(ss...))
	c := countCalls(t, env, w, "plan", "-no-color")
	t.Logf("plan of 30 creates and 10 refreshes over 2 agents: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsList] > 2 || c.Total != c.ByRoute[sandbox.RouteSessionsList] {
		t.Errorf("want at most one sessions listing per agent (2) and nothing else, got %v", c.ByRoute)
	}
}
