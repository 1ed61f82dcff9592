package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Adopting sessions of every key shape, managing their labels, and planning
// nothing when nothing changed.
func TestAccSession_label(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys := []string{groupKey, apiKey, dashKey}
		for _, k := range keys {
			env.session(testAgentID, k, new("old "+k))
		}
		sid := env.mustSession(groupKey).SessionID
		cfg := func(label string) string {
			ss := make([]sessionBlock, len(keys))
			for i, k := range keys {
				ss[i] = sessionBlock{name: fmt.Sprintf("s%d", i), key: k}
				if label != "" {
					ss[i].label = new(label + " " + k)
				}
			}
			return env.provider() + sessionBlocks(ss...)
		}
		gx := "guayaba_session.s0"
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg("Support"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(gx, attr("label"), knownvalue.StringExact("Support "+groupKey)),
						statecheck.ExpectKnownValue(gx, attr("id"), knownvalue.StringExact(testAgentID+"/"+groupKey)),
						statecheck.ExpectKnownValue(gx, attr("agent_id"), knownvalue.StringExact(testAgentID)),
						statecheck.ExpectKnownValue(gx, attr("session_id"), knownvalue.StringExact(sid)),
						statecheck.ExpectKnownValue(gx, attr("archived"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(gx, attr("archive_filename"), knownvalue.Null()),
						statecheck.ExpectKnownValue(gx, attr("on_destroy"), knownvalue.StringExact("keep")),
						statecheck.ExpectKnownValue(gx, attr("chat_type"), knownvalue.StringExact("group")),
						statecheck.ExpectKnownValue(gx, attr("last_channel"), knownvalue.StringExact("telegram")),
					},
					Check: resource.ComposeTestCheckFunc(
						env.expectLabel(testAgentID, groupKey, new("Support "+groupKey)),
						env.expectLabel(testAgentID, apiKey, new("Support "+apiKey)),
						env.expectLabel(testAgentID, dashKey, new("Support "+dashKey)),
					),
				},
				{
					Config:            cfg("Support"),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(gx, attr("session_id"), knownvalue.StringExact(sid))},
				},
				{
					Config: cfg("Soporte técnico ☕ — 日本"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(gx, plancheck.ResourceActionUpdate),
					}},
					Check: env.expectLabel(testAgentID, groupKey, new("Soporte técnico ☕ — 日本 "+groupKey)),
				},
				{
					Config: cfg(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(gx, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(gx, attr("label"), knownvalue.Null())},
					Check: resource.ComposeTestCheckFunc(
						env.expectLabel(testAgentID, groupKey, nil),
						env.expectLabel(testAgentID, apiKey, nil),
					),
				},
			},
		})
	})
}

// Archiving, relabelling while archived, and restoring keep the transcript
// and the session id.
func TestAccSession_archive(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		s := env.session(testAgentID, groupKey, nil)
		before := len(env.sb.History(testAgentID, groupKey))
		// Each archive gets a new filename: relabelling while archived
		// restores and archives again.
		filenameChanges := statecheck.CompareValue(compare.ValuesDiffer())
		archiveCheck := func(label *string) func(*terraform.State) error {
			return checkSandbox(func() error {
				if _, ok := env.sb.Session(testAgentID, groupKey); ok {
					return fmt.Errorf("session is still active")
				}
				st := env.snapshot()
				for _, ag := range st.Agents {
					if ag.ID != testAgentID {
						continue
					}
					if len(ag.Archives) != 1 {
						return fmt.Errorf("want exactly 1 archive, got %d", len(ag.Archives))
					}
					a := ag.Archives[0]
					if a.SessionID != s.SessionID || len(a.Messages) != before || labelOf(a.Label) != labelOf(label) {
						return fmt.Errorf("archive %+v: want session %s, %d messages, label %s", a.Archive, s.SessionID, before, labelOf(label))
					}
				}
				return nil
			})
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: env.config(sessionBlock{key: groupKey, label: new("Old"), archived: true}),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("guayaba_session.x", attr("archived"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("session_id"), knownvalue.StringExact(s.SessionID)),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("archive_filename"),
							knownvalue.StringRegexp(regexp.MustCompile(`^`+s.SessionID+`\.jsonl\.deleted\.`))),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("label"), knownvalue.StringExact("Old")),
						filenameChanges.AddStateValue("guayaba_session.x", attr("archive_filename")),
					},
					Check: archiveCheck(new("Old")),
				},
				{
					// Relabelling while archived: restore, relabel, archive again.
					Config: env.config(sessionBlock{key: groupKey, label: new("Archivado"), archived: true}),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue("guayaba_session.x", attr("archive_filename")),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("guayaba_session.x", attr("session_id"), knownvalue.StringExact(s.SessionID)),
						filenameChanges.AddStateValue("guayaba_session.x", attr("archive_filename")),
					},
					Check: archiveCheck(new("Archivado")),
				},
				{
					Config: env.config(sessionBlock{key: groupKey, label: new("Back")}),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("guayaba_session.x", attr("archived"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("archive_filename"), knownvalue.Null()),
						statecheck.ExpectKnownValue("guayaba_session.x", attr("session_id"), knownvalue.StringExact(s.SessionID)),
					},
					Check: resource.ComposeTestCheckFunc(
						env.expectLabel(testAgentID, groupKey, new("Back")),
						checkSandbox(func() error {
							if got := len(env.sb.History(testAgentID, groupKey)); got != before {
								return fmt.Errorf("history has %d messages after the round trip, want %d", got, before)
							}
							if n := len(env.sb.Archives(testAgentID)); n != 0 {
								return fmt.Errorf("%d archives left after restore", n)
							}
							return nil
						}),
					),
				},
				{
					// Restoring to "no label" works too.
					Config: env.config(sessionBlock{key: groupKey, archived: true}),
					Check:  archiveCheck(nil),
				},
				{
					Config: env.config(sessionBlock{key: groupKey}),
					Check:  env.expectLabel(testAgentID, groupKey, nil),
				},
			},
		})
	})
}

// Changes made outside Terraform show in the plan as in-place updates, and
// apply puts them back.
func TestAccSession_drift(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		s := env.session(testAgentID, groupKey, nil)
		cfg := env.config(sessionBlock{key: groupKey, label: new("Managed")})
		archivedCfg := env.config(sessionBlock{key: groupKey, label: new("Managed"), archived: true})
		update := func(checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
			return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{
				plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionUpdate)}, checks...)}
		}
		var newSID string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					PreConfig:        func() { must(t, env.sb.Rename(testAgentID, groupKey, new("Changed in dashboard"))) },
					Config:           cfg,
					ConfigPlanChecks: update(plancheck.ExpectKnownValue("guayaba_session.x", attr("label"), knownvalue.StringExact("Managed"))),
					Check:            env.expectLabel(testAgentID, groupKey, new("Managed")),
				},
				{
					PreConfig: func() {
						_, err := env.sb.ArchiveSession(testAgentID, groupKey)
						must(t, err)
					},
					Config:           cfg,
					ConfigPlanChecks: update(plancheck.ExpectKnownValue("guayaba_session.x", attr("archived"), knownvalue.Bool(false))),
					Check:            env.expectLabel(testAgentID, groupKey, new("Managed")),
				},
				{Config: archivedCfg},
				{
					PreConfig: func() {
						a := env.sb.Archives(testAgentID)
						if len(a) != 1 {
							t.Fatalf("want 1 archive, got %d", len(a))
						}
						must(t, env.sb.RestoreArchive(testAgentID, a[0].Filename, nil, true))
					},
					Config:           archivedCfg,
					ConfigPlanChecks: update(plancheck.ExpectKnownValue("guayaba_session.x", attr("archived"), knownvalue.Bool(true))),
					Check: checkSandbox(func() error {
						if _, ok := env.sb.Session(testAgentID, groupKey); ok {
							return fmt.Errorf("session still active after apply")
						}
						return nil
					}),
				},
				{Config: cfg},
				{
					// Only chat activity: nothing to plan.
					PreConfig: func() {
						must(t, env.sb.AddMessages(testAgentID, groupKey, sandbox.TextMessage("user", "¿sigues ahí?"), sandbox.TextMessage("assistant", "Sí")))
					},
					Config:           cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
				{
					// A reset keeps the key and rotates the session id: the
					// resource follows the key, nothing is planned.
					PreConfig: func() {
						var err error
						newSID, err = env.sb.ResetSession(testAgentID, groupKey)
						must(t, err)
						if newSID == s.SessionID {
							t.Fatal("reset kept the session id")
						}
					},
					Config:           cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check: func(st *terraform.State) error {
						if got := st.RootModule().Resources["guayaba_session.x"].Primary.Attributes["session_id"]; got != newSID {
							return fmt.Errorf("session_id %s, want the new %s", got, newSID)
						}
						return nil
					},
				},
				{
					// Deleted outside Terraform: refresh drops it without an
					// error, and the plan to adopt it again fails at once,
					// saying what happened and what to do.
					PreConfig:   func() { must(t, env.sb.DeleteSession(testAgentID, groupKey)) },
					Config:      cfg,
					PlanOnly:    true,
					ExpectError: words(`(?s)no\s+longer\s+exists.*created\s+by\s+chatting`),
				},
			},
		})
		if c := env.sb.Counters(); env.variant == "lenient" {
			if _, ok := env.sb.Session(testAgentID, groupKey); ok {
				t.Errorf("the provider recreated deleted session %q (counters %+v)", groupKey, c.ByRoute)
			}
		}
	})
}

// on_destroy: each mode changes exactly what it says and nothing else.
func TestAccSession_onDestroy(t *testing.T) {
	for _, mode := range []string{"keep", "clear_label", "archive", "delete", "delete-archived"} {
		t.Run(mode, func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, env *testEnv) {
				env.session(testAgentID, groupKey, nil)
				env.session(testAgentID, apiKey, new("Bystander"))
				env.session(testAgent2ID, groupKey, new("Other agent"))
				x := sessionBlock{key: groupKey, label: new("Doomed?"), onDestroy: mode}
				if mode == "delete-archived" {
					x.onDestroy, x.archived = "delete", true
				}
				cfg := env.config(x)
				var before string
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: providerFactories,
					Steps: []resource.TestStep{{
						Config: cfg,
						Check:  checkSandbox(func() error { before = stateJSON(env.snapshot()); return nil }),
					}},
					CheckDestroy: checkSandbox(func() error {
						return expectDestroyEffect(mode, before, env)
					}),
				})
			})
		})
	}
}

// The bad inputs a user can make, each refused at plan time naming the attribute.
func TestAccSession_planTimeValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	cfg := func(x sessionBlock) string { return env.config(x) }
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"label too long":      {cfg(sessionBlock{key: groupKey, label: new(strings.Repeat("é", 256))}), `(?s)Invalid label.*256 characters long; the platform accepts at most\s+255`},
		"label white space":   {cfg(sessionBlock{key: groupKey, label: new(" padded ")}), `(?s)Invalid label.*white space`},
		"label empty":         {cfg(sessionBlock{key: groupKey, label: new("")}), `(?s)Invalid label.*leave .label. out`},
		"agent_id not a UUID": {cfg(sessionBlock{key: groupKey, agentID: "my-agent"}), `(?s)Invalid agent_id.*not a UUID`},
		"on_destroy unknown":  {cfg(sessionBlock{key: groupKey, onDestroy: "burn"}), `(?s)on_destroy.*value must be one of`},
		"empty key":           {cfg(sessionBlock{key: ""}), `(?s)Invalid session key.*empty`},
	})
}

// Errors from the platform, each saying what to change.
func TestAccSession_errors(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, new("Taken"))
		stopped := "5b0c9d8e-7f6a-4b3c-8d2e-1f0a9b8c7d6e"
		env.sb.AddAgent(testOwnerID, stopped)
		env.session(stopped, groupKey, nil)
		env.sb.SetAgentRunning(stopped, false)
		step := func(cfg, want string) resource.TestStep {
			return resource.TestStep{Config: cfg, ExpectError: words(want)}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				step(env.config(sessionBlock{key: "agent:main:telegram:direct:404"}),
					`(?s)Session not found.*no active session with key.*created\s+by\s+chatting`),
				step(env.config(sessionBlock{key: groupKey, label: new("Taken")}),
					`(?s)Label already in use.*"Taken" is\s+already\s+held\s+by\s+the\s+session\s+with\s+key\s+"`+regexp.QuoteMeta(apiKey)+`"`),
				step(env.providerWithKey(env.readOnlyKey, hclAttr("agent_id", testAgentID))+sessionBlock{key: groupKey}.String(),
					`(?s)lacks the agent:manage scope.*agent key of agent.*agent:manage scope, or a master key`),
				step(env.providerWithKey(env.otherAgentKey, hclAttr("agent_id", testAgentID))+sessionBlock{key: groupKey}.String(),
					`(?s)belongs to another agent`),
				step(env.config(sessionBlock{key: groupKey, agentID: stopped}), `(?s)agent is not running.*Start the agent`),
				step(env.config(sessionBlock{key: groupKey, agentID: "00000000-0000-4000-8000-000000000000"}), `(?s)agent not found.*agent_id`),
			},
		})
		c := env.sb.Counters()
		// Every write but a rename (the label conflict legitimately tried one).
		for _, route := range []string{sandbox.RouteSessionsArchive, sandbox.RouteSessionsDelete, sandbox.RouteArchivesRestore, sandbox.RouteArchivesDelete} {
			if c.ByRoute[route] != 0 {
				t.Errorf("%s was called %d times", route, c.ByRoute[route])
			}
		}
		if _, ok := env.sb.Session(testAgentID, "agent:main:telegram:direct:404"); ok {
			t.Error("a session was created for an unknown key")
		}
	})
}
