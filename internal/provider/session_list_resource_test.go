package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

func listSessions(env *testEnv) (labelled, unlabelled, direct string) {
	labelled, unlabelled, direct = "agent:main:telegram:group:-1001:topic:1", "agent:main:telegram:group:-1002", "agent:main:telegram:direct:77"
	env.session(testAgentID, labelled, new("Ventas"))
	env.session(testAgentID, unlabelled, nil)
	env.session(testAgentID, direct, new("Direct chat"))
	env.session(testAgentID, "agent:main:webchat:direct:ana", nil)
	env.session(testAgent2ID, "agent:main:telegram:group:-1003", nil)
	return labelled, unlabelled, direct
}

// terraform query with filters: the results, their identities, display
// names and resource values (Terraform >= 1.14).
func TestAccSessionList_query(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		labelled, unlabelled, direct := listSessions(env)
		sid := env.mustSession(labelled).SessionID
		identity := func(agentID, key string) queryfilter.QueryFilter {
			return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
				"agent_id": knownvalue.StringExact(agentID), "key": knownvalue.StringExact(key)})
		}
		value := func(name string, v knownvalue.Check) querycheck.KnownValueCheck {
			return querycheck.KnownValueCheck{Path: attr(name), KnownValue: v}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{listResources},
			Steps: []resource.TestStep{{
				Query: true,
				Config: env.provider() + fmt.Sprintf(`
list "guayaba_session" "groups" {
  provider         = guayaba
  include_resource = true
  config {
    key_prefix = "agent:main:telegram:group:"
  }
}

list "guayaba_session" "labelled_direct" {
  provider = guayaba
  config {
    last_channel = "telegram"
    label        = "Direct chat"
  }
}

list "guayaba_session" "other_agent" {
  provider = guayaba
  config {
    agent_id     = %q
    last_channel = "telegram"
  }
}

list "guayaba_session" "none" {
  provider = guayaba
  config {
    updated_after = "2999-01-01T00:00:00Z"
  }
}
`, testAgent2ID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("guayaba_session.groups", 2),
					querycheck.ExpectResourceDisplayName("guayaba_session.groups", identity(testAgentID, labelled), knownvalue.StringExact("Ventas")),
					querycheck.ExpectResourceDisplayName("guayaba_session.groups", identity(testAgentID, unlabelled), knownvalue.StringExact(unlabelled)),
					querycheck.ExpectResourceKnownValues("guayaba_session.groups", identity(testAgentID, labelled), []querycheck.KnownValueCheck{
						value("id", knownvalue.StringExact(testAgentID+"/"+labelled)),
						value("label", knownvalue.StringExact("Ventas")),
						value("archived", knownvalue.Bool(false)),
						value("on_destroy", knownvalue.StringExact("keep")),
						value("session_id", knownvalue.StringExact(sid)),
						value("archive_filename", knownvalue.Null()),
						value("chat_type", knownvalue.StringExact("group")),
						value("last_channel", knownvalue.StringExact("telegram")),
					}),
					querycheck.ExpectResourceKnownValues("guayaba_session.groups", identity(testAgentID, unlabelled), []querycheck.KnownValueCheck{
						value("label", knownvalue.Null()),
					}),
					querycheck.ExpectLength("guayaba_session.labelled_direct", 1),
					querycheck.ExpectIdentity("guayaba_session.labelled_direct", map[string]knownvalue.Check{
						"agent_id": knownvalue.StringExact(testAgentID), "key": knownvalue.StringExact(direct)}),
					querycheck.ExpectLength("guayaba_session.other_agent", 1),
					querycheck.ExpectIdentity("guayaba_session.other_agent", map[string]knownvalue.Check{
						"agent_id": knownvalue.StringExact(testAgent2ID), "key": knownvalue.StringExact("agent:main:telegram:group:-1003")}),
					querycheck.ExpectLength("guayaba_session.none", 0),
				},
			}},
		})
	})
}

// Bad filters fail at validation, naming the attribute (Terraform >= 1.14).
func TestAccSessionList_badConfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	for _, c := range []struct{ config, want string }{
		{`chat_type = "dm"`, `chat_type.*value must be one of`},
		{`updated_after = "yesterday"`, `Invalid timestamp.*"yesterday" is not an RFC 3339 timestamp`},
		{`agent_id = "main"`, `agent_id`},
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{listResources},
			Steps: []resource.TestStep{{
				Query: true,
				Config: env.provider() + fmt.Sprintf(`
list "guayaba_session" "x" {
  provider = guayaba
  config {
    %s
  }
}
`, c.config),
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("guayaba_session.x", 0)},
				ExpectError:       regexp.MustCompile(`(?s)` + c.want),
			}},
		})
	}
}

// The adoption story with the CLI: terraform query writes import and
// resource blocks, the first plan imports them and changes nothing, the
// apply writes nothing to the platform, and the next plan is empty (on a
// tfWorkdir: resource.Test's query mode cannot -generate-config-out).
func TestAccSessionList_generateConfig(t *testing.T) {
	t.Parallel()
	listResources.skipWithout(t)
	env := newTestEnv(t, variants["lenient"])
	labelled, unlabelled, _ := listSessions(env)
	w := newTFWorkdir(t, env.provider())
	w.write("adopt.tfquery.hcl", `
list "guayaba_session" "groups" {
  provider         = guayaba
  include_resource = true
  config {
    key_prefix = "agent:main:telegram:group:"
  }
}
`)
	before := stateJSON(env.snapshot())
	out := w.must("query", "-no-color", "-generate-config-out=generated.tf")
	for _, want := range []string{labelled, unlabelled, "Ventas"} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform query output lacks %q:\n%s", want, out)
		}
	}
	gen := w.read("generated.tf")
	flat := strings.Join(strings.Fields(gen), " ")
	for _, want := range []string{
		`identity = { agent_id = "` + testAgentID + `" key = "` + labelled + `" }`,
		`key = "` + labelled + `" label = "Ventas" on_destroy = "keep"`,
		`key = "` + unlabelled + `" label = null on_destroy = "keep"`,
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, gen)
		}
	}
	out, err := w.run(nil, "plan", "-no-color", "-detailed-exitcode")
	if !strings.Contains(out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("first plan of the generated configuration (%v):\n%s\ngenerated.tf:\n%s", err, out, gen)
	}
	w.must("apply", "-auto-approve", "-no-color")
	w.must("plan", "-no-color", "-detailed-exitcode")
	if err := expectDestroyEffect("keep", before, env); err != nil {
		t.Errorf("query, import and apply changed the platform: %v", err)
	}
}

// One terraform query over 1,000 sessions makes one listing and nothing else.
func TestAccScale_queryListings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	scaleSessions(t, env, testAgentID, "agent:main:telegram:group", 1000)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{listResources},
		Steps: []resource.TestStep{{
			PreConfig: env.sb.ResetCounters,
			Query:     true,
			Config: env.provider() + `
list "guayaba_session" "all" {
  provider         = guayaba
  include_resource = true
  limit            = 1000
  config {
    chat_type = "group"
  }
}
`,
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("guayaba_session.all", 1000),
				checkSandboxQuery(func() error {
					c := env.sb.Counters()
					t.Logf("query over 1,000 sessions: %v", c.ByRoute)
					if c.ByRoute[sandbox.RouteSessionsList] != 1 || c.Total != 1 {
						return fmt.Errorf("query over 1,000 sessions: want exactly 1 listing and nothing else, got %v", c.ByRoute)
					}
					return nil
				}),
			},
		}},
	})
}
