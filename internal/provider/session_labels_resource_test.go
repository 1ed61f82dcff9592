package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// expectEntriesChanged checks that the plan updates the resource and that
// exactly the named entries of labels differ between before and after.
type expectEntriesChanged struct {
	keys []string
}

func (c expectEntriesChanged) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != labelsAddr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		bl, _ := before["labels"].(map[string]any)
		al, _ := after["labels"].(map[string]any)
		var changed []string
		for k, v := range al {
			if bl[k] != v {
				changed = append(changed, k)
			}
		}
		for k := range bl {
			if _, ok := al[k]; !ok {
				changed = append(changed, k)
			}
		}
		sort.Strings(changed)
		want := append([]string(nil), c.keys...)
		sort.Strings(want)
		if strings.Join(changed, "|") != strings.Join(want, "|") {
			resp.Error = fmt.Errorf("plan changes the entries %q of labels, want %q", changed, want)
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", labelsAddr)
}

func updatesEntries(keys ...string) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(labelsAddr, plancheck.ResourceActionUpdate),
		expectEntriesChanged{keys: keys},
	}}
}

var emptyPlan = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}

// Create, an empty plan, drift of single entries, a swap, and removing a key.
func TestAccSessionLabels_basic(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Old group"))
		env.session(testAgentID, apiKey, nil)
		env.session(testAgentID, dashKey, new("Dashboard"))
		env.session(testAgentID, "agent:main:main", new("Bystander"))
		env.session(testAgent2ID, groupKey, new("Support")) // another agent: labels are per agent
		v1 := map[string]string{groupKey: "Support", apiKey: "API ☕ — 日本", dashKey: "Dashboard"}
		swapped := map[string]string{groupKey: "API ☕ — 日本", apiKey: "Support", dashKey: "Dashboard"}
		withBystander := func(m map[string]string) map[string]string {
			out := map[string]string{"agent:main:main": "Bystander"}
			for k, v := range m {
				out[k] = v
			}
			return out
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: env.config(labelsBlock{labels: v1}),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(labelsAddr, attr("id"), knownvalue.StringExact(testAgentID)),
						statecheck.ExpectKnownValue(labelsAddr, attr("agent_id"), knownvalue.StringExact(testAgentID)),
						statecheck.ExpectKnownValue(labelsAddr, attr("labels"), knownvalue.MapExact(map[string]knownvalue.Check{
							groupKey: knownvalue.StringExact("Support"), apiKey: knownvalue.StringExact("API ☕ — 日本"),
							dashKey: knownvalue.StringExact("Dashboard"),
						})),
						statecheck.ExpectKnownValue(labelsAddr, attr("exclusive"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(labelsAddr, attr("on_destroy"), knownvalue.StringExact("keep")),
						statecheck.ExpectKnownValue(labelsAddr, attr("missing_keys"), knownvalue.ListSizeExact(0)),
						statecheck.ExpectKnownValue(labelsAddr, attr("other_labels"), knownvalue.Null()),
					},
					Check: env.expectSandboxLabels(withBystander(v1)),
				},
				{Config: env.config(labelsBlock{labels: v1}), ConfigPlanChecks: emptyPlan},
				{
					PreConfig:        func() { must(t, env.sb.Rename(testAgentID, apiKey, new("Changed in dashboard"))) },
					Config:           env.config(labelsBlock{labels: v1}),
					ConfigPlanChecks: updatesEntries(apiKey),
					Check:            env.expectSandboxLabels(withBystander(v1)),
				},
				{
					PreConfig:        func() { must(t, env.sb.Rename(testAgentID, dashKey, nil)) },
					Config:           env.config(labelsBlock{labels: v1}),
					ConfigPlanChecks: updatesEntries(dashKey),
					Check:            env.expectSandboxLabels(withBystander(v1)),
				},
				{
					Config:           env.config(labelsBlock{labels: swapped}),
					ConfigPlanChecks: updatesEntries(groupKey, apiKey),
					Check:            env.expectSandboxLabels(withBystander(swapped)),
				},
				{
					// dashKey leaves the map and its label moves to apiKey.
					Config:           env.config(labelsBlock{labels: map[string]string{groupKey: "API ☕ — 日本", apiKey: "Dashboard"}}),
					ConfigPlanChecks: updatesEntries(apiKey, dashKey),
					Check: env.expectSandboxLabels(withBystander(map[string]string{
						groupKey: "API ☕ — 日本", apiKey: "Dashboard"})),
				},
				{
					// Removed with on_destroy = "keep": the session keeps its label.
					Config:           env.config(labelsBlock{labels: map[string]string{groupKey: "API ☕ — 日本"}}),
					ConfigPlanChecks: updatesEntries(apiKey),
					Check: env.expectSandboxLabels(withBystander(map[string]string{
						groupKey: "API ☕ — 日本", apiKey: "Dashboard"})),
				},
				{Config: env.config(labelsBlock{labels: map[string]string{groupKey: "API ☕ — 日本"}}), ConfigPlanChecks: emptyPlan},
			},
		})
		if _, ok := env.sb.Session(testAgent2ID, groupKey); !ok {
			t.Fatal("the other agent's session is gone")
		}
		env.expectLabel(testAgent2ID, groupKey, new("Support"))
	})
}

// A rotation of 50 labels and a swap converge in one apply, then plan empty.
func TestAccSessionLabels_rotation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const n = 50
		keys := make([]string, n)
		v1, rotated := map[string]string{}, map[string]string{}
		for i := range keys {
			keys[i] = fmt.Sprintf("agent:main:telegram:group:-100%03d", i)
			env.session(testAgentID, keys[i], new(fmt.Sprintf("Group %02d", i)))
			v1[keys[i]] = fmt.Sprintf("Group %02d", i)
		}
		for i := range keys {
			rotated[keys[i]] = v1[keys[(i+1)%n]]
		}
		// And a swap of two of them on top of the rotation back.
		swapped := map[string]string{}
		for k, v := range v1 {
			swapped[k] = v
		}
		swapped[keys[3]], swapped[keys[40]] = v1[keys[40]], v1[keys[3]]
		var renames int
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: env.config(labelsBlock{labels: v1}), Check: env.expectSandboxLabels(v1)},
				{
					PreConfig:        func() { env.sb.ResetCounters() },
					Config:           env.config(labelsBlock{labels: rotated}),
					ConfigPlanChecks: updatesEntries(keys...),
					Check: resource.ComposeTestCheckFunc(env.expectSandboxLabels(rotated), checkSandbox(func() error {
						renames = env.sb.Counters().ByRoute[sandbox.RouteSessionsRename]
						if renames != n+1 {
							return fmt.Errorf("a rotation of %d labels made %d renames, want %d (one release)", n, renames, n+1)
						}
						return nil
					})),
				},
				{Config: env.config(labelsBlock{labels: rotated}), ConfigPlanChecks: emptyPlan},
				{Config: env.config(labelsBlock{labels: swapped}), Check: env.expectSandboxLabels(swapped)},
				{Config: env.config(labelsBlock{labels: swapped}), ConfigPlanChecks: emptyPlan},
			},
		})
	})
}

// exclusive = true clears labels outside the map, also one set later out of
// band, and frees a wanted label held outside the map.
func TestAccSessionLabels_exclusive(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, new("Support")) // holds the label groupKey wants
		env.session(testAgentID, dashKey, new("VIP"))
		env.session(testAgentID, "agent:main:main", nil)
		env.session(testAgent2ID, dashKey, new("Other agent"))
		want := map[string]string{groupKey: "Support"}
		cfg := env.config(labelsBlock{labels: want, exclusive: true})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(labelsAddr, attr("other_labels"), knownvalue.MapSizeExact(0)),
					},
					Check: env.expectSandboxLabels(want),
				},
				{Config: cfg, ConfigPlanChecks: emptyPlan},
				{
					PreConfig: func() { must(t, env.sb.Rename(testAgentID, "agent:main:main", new("Set by hand"))) },
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(labelsAddr, plancheck.ResourceActionUpdate),
						expectEntriesChanged{},
						plancheck.ExpectKnownValue(labelsAddr, attr("other_labels"), knownvalue.MapSizeExact(0)),
					}},
					Check: env.expectSandboxLabels(want),
				},
			},
		})
		env.expectLabel(testAgent2ID, dashKey, new("Other agent"))
	})
}

// Without exclusive, a label held outside the map fails its entry only, at
// apply, naming both sessions; the other entries are applied and recorded.
func TestAccSessionLabels_conflict(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		env.session(testAgentID, dashKey, new("Support"))
		want := map[string]string{groupKey: "Support", apiKey: "Sales"}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config:      env.config(labelsBlock{labels: want}),
					ExpectError: words(`Label already in use.*labels\["` + groupKey + `"\] = "Support": the session "` + dashKey + `" holds`),
				},
				{
					PreConfig: func() {
						// The entry without a conflict was applied.
						must(t, env.expectSandboxLabels(map[string]string{apiKey: "Sales", dashKey: "Support"})(nil))
						must(t, env.sb.Rename(testAgentID, dashKey, nil))
					},
					Config: env.config(labelsBlock{labels: want}),
					Check:  env.expectSandboxLabels(want),
				},
				{
					// The same on an update: the state keeps what was done.
					PreConfig:   func() { must(t, env.sb.Rename(testAgentID, dashKey, new("Billing"))) },
					Config:      env.config(labelsBlock{labels: map[string]string{groupKey: "Support 2", apiKey: "Billing"}}),
					ExpectError: words(`Label already in use.*labels\["` + apiKey + `"\] = "Billing": the session "` + dashKey + `" holds`),
				},
				{
					PreConfig:        func() { must(t, env.sb.Rename(testAgentID, dashKey, nil)) },
					Config:           env.config(labelsBlock{labels: map[string]string{groupKey: "Support 2", apiKey: "Billing"}}),
					ConfigPlanChecks: updatesEntries(apiKey),
					Check:            env.expectSandboxLabels(map[string]string{groupKey: "Support 2", apiKey: "Billing"}),
				},
			},
		})
	})
}

// Keys that are not active sessions are reported, warned about and left
// alone (never created, even where a rename would create them); the others
// are applied; a key that comes back is labelled by the next apply.
func TestAccSessionLabels_missingKeys(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const archivedKey, neverKey = "agent:main:webchat:direct:ana", "agent:main:telegram:direct:404"
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, archivedKey, new("Ana"))
		filename, err := env.sb.ArchiveSession(testAgentID, archivedKey)
		must(t, err)
		want := map[string]string{groupKey: "Support", archivedKey: "Ana", neverKey: "Nobody"}
		cfg := env.config(labelsBlock{labels: want})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(labelsAddr, attr("missing_keys"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact(neverKey), knownvalue.StringExact(archivedKey),
						})),
					},
					Check: resource.ComposeTestCheckFunc(
						env.expectSandboxLabels(map[string]string{groupKey: "Support"}),
						checkSandbox(func() error {
							if _, ok := env.sb.Session(testAgentID, neverKey); ok {
								return fmt.Errorf("the provider created session %q by renaming it", neverKey)
							}
							return nil
						}),
					),
				},
				{Config: cfg, ConfigPlanChecks: emptyPlan},
				{
					PreConfig: func() { must(t, env.sb.RestoreArchive(testAgentID, filename, nil, false)) },
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(labelsAddr, plancheck.ResourceActionUpdate),
						expectEntriesChanged{keys: []string{archivedKey}},
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(labelsAddr, attr("missing_keys"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact(neverKey),
						})),
					},
					Check: env.expectSandboxLabels(map[string]string{groupKey: "Support", archivedKey: "Ana"}),
				},
			},
		})
		// The plan warns about the key that is still missing (a warning:
		// only the CLI's output shows it, hence a tfWorkdir).
		w := newTFWorkdir(t, cfg)
		w.must("apply", "-auto-approve", "-no-color")
		out := w.must("plan", "-no-color")
		if !strings.Contains(flat(out), flat(`Warning: 1 of the keys in labels are not active sessions`)) ||
			!strings.Contains(out, neverKey) || !strings.Contains(out, "No changes.") {
			t.Errorf("plan output lacks the missing-key warning:\n%s", out)
		}
	})
}

// Import by agent id (and by an empty ID for the provider's agent):
// labels becomes every labelled active session.
func TestAccSessionLabels_import(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Support"))
		env.session(testAgentID, apiKey, new("Sales"))
		env.session(testAgentID, dashKey, nil)
		env.session(testAgent2ID, dashKey, new("Other agent"))
		all := map[string]string{groupKey: "Support", apiKey: "Sales"}
		cfg := env.config(labelsBlock{labels: all})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: cfg, ResourceName: labelsAddr, ImportState: true, ImportStateId: testAgentID, ImportStatePersist: true,
					ImportStateCheck: func(s []*terraform.InstanceState) error {
						a := s[0].Attributes
						if a["labels.%"] != "2" || a["labels."+groupKey] != "Support" || a["labels."+apiKey] != "Sales" ||
							a["agent_id"] != testAgentID || a["exclusive"] != "false" || a["on_destroy"] != "keep" {
							return fmt.Errorf("imported state: %v", a)
						}
						return nil
					}},
				{Config: cfg, ConfigPlanChecks: emptyPlan},
				{Config: cfg, ResourceName: labelsAddr, ImportState: true, ImportStateVerify: true, ImportStateId: testAgentID},
				{Config: cfg, ResourceName: labelsAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
					ImportStateId: testAgentID},
				{Config: cfg, ResourceName: labelsAddr, ImportState: true, ImportStateId: "not-an-agent",
					ExpectError: words(`not one of the accepted forms.*<agent_id>`)},
			},
		})
		// An empty ID imports the provider's agent (on a tfWorkdir:
		// resource.Test reads an empty ImportStateId as "the ID in state").
		w := newTFWorkdir(t, cfg)
		w.must("import", "-no-color", labelsAddr, "")
		out := w.must("plan", "-no-color", "-detailed-exitcode")
		if !strings.Contains(out, "No changes.") {
			t.Errorf("plan after importing with an empty ID:\n%s", out)
		}
	})
}

// on_destroy: keep leaves the sandbox exactly as it was; clear removes the
// labels the resource set and nothing else.
func TestAccSessionLabels_onDestroy(t *testing.T) {
	for _, mode := range []string{"keep", "clear"} {
		t.Run(mode, func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, env *testEnv) {
				env.session(testAgentID, groupKey, nil)
				env.session(testAgentID, apiKey, new("Old"))
				env.session(testAgentID, dashKey, new("Bystander"))
				env.session(testAgent2ID, groupKey, new("Other agent"))
				want := map[string]string{groupKey: "Support", apiKey: "Sales", "agent:main:gone": "Missing"}
				var before string
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: providerFactories,
					Steps: []resource.TestStep{{
						Config: env.config(labelsBlock{labels: want, onDestroy: mode}),
						Check:  checkSandbox(func() error { before = stateJSON(env.snapshot()); return nil }),
					}},
					CheckDestroy: checkSandbox(func() error {
						var st sandbox.State
						if err := json.Unmarshal([]byte(before), &st); err != nil {
							return err
						}
						if mode == "clear" {
							for i, ag := range st.Agents {
								for j, s := range ag.Sessions {
									if _, managed := want[s.Key]; managed && ag.ID == testAgentID {
										st.Agents[i].Sessions[j].Label = nil
									}
								}
							}
						}
						return diffErr(st, env.snapshot())
					}),
				})
			})
		})
	}
}

// Bad entries are refused at plan time, each error naming its entry.
func TestAccSessionLabels_planTimeValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	cfg := func(lines ...string) string {
		return env.provider() + hclBlock(`resource "guayaba_session_labels" "x"`, lines...)
	}
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"duplicate label": {cfg(`labels = { "a" = "Same", "b" = "Same" }`),
			`Duplicate label in labels\["b"\].*labels\["a"\] and labels\["b"\] both want the label "Same"`},
		"padded label":        {cfg(`labels = { "a" = " Padded" }`), `Invalid label in labels\["a"\].*white space`},
		"empty label":         {cfg(`labels = { "a" = "" }`), `Invalid label in labels\["a"\].*empty`},
		"long label":          {cfg(`labels = { "a" = ` + hclString(strings.Repeat("x", 256)) + ` }`), `Invalid label in labels\["a"\].*256 characters`},
		"null label":          {cfg(`labels = { "a" = null }`), `Missing label in labels\["a"\]`},
		"padded key":          {cfg(`labels = { " a" = "A" }`), `Invalid session key in labels\[" a"\]`},
		"on_destroy archive":  {cfg(`labels = {}`, `on_destroy = "archive"`), `on_destroy.*keep.*clear`},
		"agent_id not a UUID": {cfg(`labels = {}`, `agent_id = "nope"`), `"nope" is not a UUID`},
	})
}

// agent_id picks another agent than the provider's; changing it replaces
// the resource, and on_destroy = "clear" clears the old agent's labels.
func TestAccSessionLabels_agentID(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgent2ID, groupKey, nil)
		cfg := func(agentID string) string {
			return env.config(labelsBlock{labels: map[string]string{groupKey: "Support"}, agentID: agentID, onDestroy: "clear"})
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg(testAgent2ID),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(labelsAddr, attr("id"), knownvalue.StringExact(testAgent2ID)),
					},
					Check: resource.ComposeTestCheckFunc(
						env.expectLabel(testAgent2ID, groupKey, new("Support")),
						env.expectLabel(testAgentID, groupKey, nil),
					),
				},
				{
					Config: cfg(testAgentID),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(labelsAddr, plancheck.ResourceActionDestroyBeforeCreate),
					}},
					Check: resource.ComposeTestCheckFunc(
						env.expectLabel(testAgent2ID, groupKey, nil),
						env.expectLabel(testAgentID, groupKey, new("Support")),
					),
				},
			},
		})
	})
}
