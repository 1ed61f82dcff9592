package provider

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// What guayaba_session_labels must never do: change a label that no plan
// showed changing. The tests compare the sandbox's full state before and
// after a command and accept only the changes the plan showed (the last,
// about what reaches the terminal, checks the output instead).

// A listed key with white space around it ("agent:main:main ") is one the
// API trims into another key on a write: exclusive = true skips it with a
// warning naming it, instead of clearing the label of the session the
// trimmed key names (here the managed one). A tfWorkdir: the warning.
func TestAccSessionLabelsSafety_paddedListingKey(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const mainKey, padded = "agent:main:main", "agent:main:main "
		env.session(testAgentID, mainKey, new("Main"))
		env.session(testAgentID, padded, new("Padded"))
		env.session(testAgentID, groupKey, new("Other"))
		w := newTFWorkdir(t, env.config(labelsBlock{labels: map[string]string{mainKey: "Main"}, exclusive: true}))
		before := env.snapshot()
		out := w.must("apply", "-auto-approve", "-no-color")
		if err := expectLabelsChanged(map[string]*string{groupKey: nil})(before, env.snapshot()); err != nil {
			t.Fatalf("apply changed more than the plan showed: %v\n%s", err, lastLines(out, 60))
		}
		expectSays(t, "apply", out, "Warning: Session key with surrounding white space", `"agent:main:main "`)
		before = env.snapshot()
		out = w.must("plan", "-no-color", "-detailed-exitcode")
		if !strings.Contains(out, "No changes.") {
			t.Errorf("second plan is not empty:\n%s", out)
		}
		expectSays(t, "plan", out, "Warning: Session key with surrounding white space", `"agent:main:main "`)
		if err := expectUnchanged()(before, env.snapshot()); err != nil {
			t.Error(err)
		}
	})
}

// exclusive = true clears only the labels the saved plan showed: a session
// labelled in the dashboard after `plan -out` keeps its label, and so does
// one whose label changed since the plan showed it being cleared; the apply
// warns naming them, and the next plan shows them in other_labels. A
// tfWorkdir: a saved plan, and warnings.
func TestAccSessionLabelsSafety_exclusiveSavedPlan(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		env.session(testAgentID, dashKey, nil)
		w := newTFWorkdir(t, env.config(labelsBlock{labels: map[string]string{groupKey: "Support"}, exclusive: true}))
		w.must(applyArgs...)
		must(t, env.sb.Rename(testAgentID, apiKey, new("Shown in the plan")))
		w.write("main.tf", env.config(labelsBlock{labels: map[string]string{groupKey: "Support 2"}, exclusive: true}))
		out := w.must("plan", "-no-color", "-out=p.tfplan")
		expectSays(t, "plan", out, `~ other_labels = {`, `- "`+apiKey+`" = "Shown in the plan"`)
		// Out of band, between the plan and its apply.
		must(t, env.sb.Rename(testAgentID, apiKey, new("Changed since the plan")))
		must(t, env.sb.Rename(testAgentID, dashKey, new("New since the plan")))
		before := env.snapshot()
		out = w.must("apply", "-no-color", "p.tfplan")
		if err := expectLabelsChanged(map[string]*string{groupKey: new("Support 2")})(before, env.snapshot()); err != nil {
			t.Fatalf("apply changed more than the plan showed: %v\n%s", err, lastLines(out, 60))
		}
		expectSays(t, "apply", out, "Warning: Labels set since the plan were left alone", `"`+apiKey+`"`, `"`+dashKey+`"`)
		before = env.snapshot()
		out, err := w.run(nil, "plan", "-no-color", "-detailed-exitcode")
		if err == nil {
			t.Fatalf("the next plan shows nothing to clear:\n%s", out)
		}
		expectSays(t, "next plan", out, `- "`+apiKey+`" = "Changed since the plan"`, `- "`+dashKey+`" = "New since the plan"`)
		if err := expectUnchanged()(before, env.snapshot()); err != nil {
			t.Error(err)
		}
	})
}

// on_destroy = "clear" clears only the labels the resource itself set: a
// label a person changed in the dashboard since is left, on destroy and
// when its key leaves labels, although the refresh copies it into labels.
// A tfWorkdir: destroy, and the sandbox compared around each command.
func TestAccSessionLabelsSafety_clearLeavesDashboardChanges(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		env.session(testAgentID, dashKey, nil)
		all := map[string]string{groupKey: "Support", apiKey: "Sales", dashKey: "Dashboard"}
		w := newTFWorkdir(t, env.config(labelsBlock{labels: all, onDestroy: "clear"}))
		w.must(applyArgs...)
		// Removing a key whose label was changed by hand leaves that label.
		must(t, env.sb.Rename(testAgentID, dashKey, new("Changed by hand")))
		w.write("main.tf", env.config(labelsBlock{labels: map[string]string{groupKey: "Support", apiKey: "Sales"}, onDestroy: "clear"}))
		before := env.snapshot()
		out := w.must(applyArgs...)
		if err := expectUnchanged()(before, env.snapshot()); err != nil {
			t.Fatalf("removing %q cleared a label changed by hand: %v\n%s", dashKey, err, lastLines(out, 40))
		}
		// Destroy clears the label the resource set, not the one changed by
		// hand, also once a refresh stored that one in labels.
		must(t, env.sb.Rename(testAgentID, apiKey, new("Also by hand")))
		w.must("apply", "-refresh-only", "-auto-approve", "-no-color")
		if st := w.read("terraform.tfstate"); !strings.Contains(st, "Also by hand") {
			t.Fatalf("the refresh did not record the label changed by hand:\n%s", st)
		}
		before = env.snapshot()
		out = w.must("destroy", "-auto-approve", "-no-color")
		if err := expectLabelsChanged(map[string]*string{groupKey: nil})(before, env.snapshot()); err != nil {
			t.Fatalf("destroy changed more than the labels the resource set: %v\n%s", err, lastLines(out, 40))
		}
	})
}

// State written before the resource recorded what it set (0.1.0 kept no
// private state for it; the attributes are the same): an unchanged
// configuration plans empty, and a clear still leaves a label changed by
// hand since that state was written. The earlier state is this version's
// with the private state removed, which is what 0.1.0 wrote. A tfWorkdir:
// the raw state.
func TestAccSessionLabelsSafety_clearAfterUpgrade(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		cfg := env.config(labelsBlock{labels: map[string]string{groupKey: "Support", apiKey: "Sales"}, onDestroy: "clear"})
		w := newTFWorkdir(t, cfg)
		w.must(applyArgs...)
		w.write("terraform.tfstate", withoutPrivateState(t, w.read("terraform.tfstate")))
		out := w.must("plan", "-no-color", "-detailed-exitcode")
		if !strings.Contains(out, "No changes.") {
			t.Fatalf("plan after the upgrade is not empty:\n%s", out)
		}
		must(t, env.sb.Rename(testAgentID, apiKey, new("Changed by hand")))
		before := env.snapshot()
		out = w.must("destroy", "-auto-approve", "-no-color")
		if err := expectLabelsChanged(map[string]*string{groupKey: nil})(before, env.snapshot()); err != nil {
			t.Fatalf("destroy after the upgrade changed more than the labels the resource set: %v\n%s", err, lastLines(out, 40))
		}
	})
}

// exclusive = true with labels not known until apply: the plan cannot show
// what the apply clears, so other_labels is unknown and the plan warns;
// the apply then clears what it said. A tfWorkdir: the warning.
func TestAccSessionLabelsSafety_exclusiveUnknownLabels(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, new("Other"))
		w := newTFWorkdir(t, env.provider()+`resource "terraform_data" "label" {
  input = "Support"
}
`+hclBlock(`resource "guayaba_session_labels" "x"`, "labels = { "+hclString(groupKey)+" = terraform_data.label.output }",
			"exclusive = true"))
		out := w.must("plan", "-no-color")
		expectSays(t, "plan", out, "other_labels = (known after apply)",
			"Warning: exclusive = true with labels not known until apply")
		before := env.snapshot()
		w.must(applyArgs...)
		if err := expectLabelsChanged(map[string]*string{groupKey: new("Support"), apiKey: nil})(before, env.snapshot()); err != nil {
			t.Error(err)
		}
		if out := w.must("plan", "-no-color"); !strings.Contains(out, "No changes.") {
			t.Errorf("second plan is not empty:\n%s", out)
		}
	})
}

// exclusive = true and on_destroy = "keep": a key removed from labels keeps
// its label in that apply, as "keep" says, with a warning; the next plan
// shows it in other_labels, and its apply clears it. A tfWorkdir: warnings.
func TestAccSessionLabelsSafety_exclusiveKeepsRemovedKeys(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		w := newTFWorkdir(t, env.config(labelsBlock{labels: map[string]string{groupKey: "Support", apiKey: "Sales"}, exclusive: true}))
		w.must(applyArgs...)
		w.write("main.tf", env.config(labelsBlock{labels: map[string]string{groupKey: "Support"}, exclusive: true}))
		before := env.snapshot()
		out := w.must(applyArgs...)
		if err := expectUnchanged()(before, env.snapshot()); err != nil {
			t.Fatalf("removing %q under on_destroy = \"keep\" changed the sandbox: %v", apiKey, err)
		}
		expectSays(t, "apply", out, "Warning: Keys removed from labels keep their labels", `"`+apiKey+`"`)
		out, err := w.run(nil, "plan", "-no-color", "-detailed-exitcode")
		if err == nil {
			t.Fatalf("the next plan does not show the kept label:\n%s", out)
		}
		expectSays(t, "next plan", out, `- "`+apiKey+`" = "Sales"`)
		before = env.snapshot()
		w.must(applyArgs...)
		if err := expectLabelsChanged(map[string]*string{apiKey: nil})(before, env.snapshot()); err != nil {
			t.Error(err)
		}
	})
}

// Labels are data: the provider stores a listed label exactly, control
// characters too, and what reaches the terminal is Terraform's rendering
// (which escapes them) and the provider's messages (which quote them). No
// raw escape sequence or bell reaches the output. A tfWorkdir: the output.
func TestAccSessionLabelsSafety_controlCharactersInListedLabels(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const evil = "Evil\x1b[2J\x1b]0;title\x07\x1b[31mRed\rover\x08"
		env.session(testAgentID, groupKey, new(evil))
		env.session(testAgentID, apiKey, new(evil+" 2"))
		w := newTFWorkdir(t, env.config(labelsBlock{labels: map[string]string{groupKey: "Good"}, exclusive: true}))
		outs := []string{w.must("plan", "-no-color")}
		w.must(applyArgs...)
		must(t, env.sb.Rename(testAgentID, groupKey, new(evil)))
		out, _ := w.run(nil, "plan", "-no-color")
		outs = append(outs, out, w.must("state", "show", "-no-color", labelsAddr))
		if s, _ := env.sb.Session(testAgentID, groupKey); s.Label == nil || *s.Label != evil {
			t.Fatalf("the sandbox did not keep the label as set: %s", labelOf(s.Label))
		}
		for i, out := range outs {
			if strings.ContainsAny(out, "\x1b\x07\x08\r") {
				t.Errorf("output %d carries raw control characters: %q", i, out)
			}
		}
	})
}

// A key moved from one guayaba_session_labels to another, both on_destroy
// = "clear", keeps its label in one apply, whichever runs first: the clear
// of the resource it leaves must not undo the label the other wants. The
// order is forced with depends_on; "from last" is the one that cleared it.
func TestAccSessionLabelsSafety_keyMovedBetweenResources(t *testing.T) {
	for order, deps := range map[string][2]string{
		"from last":  {"depends_on = [guayaba_session_labels.to]", ""},
		"to last":    {"", "depends_on = [guayaba_session_labels.from]"},
		"concurrent": {"", ""},
	} {
		t.Run(hclName(order), func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, env *testEnv) {
				const mainKey = "agent:main:main"
				env.session(testAgentID, groupKey, nil)
				env.session(testAgentID, apiKey, nil)
				env.session(testAgentID, mainKey, nil)
				block := func(name string, labels map[string]string, extra string) string {
					var m []string
					for _, k := range slices.Sorted(maps.Keys(labels)) {
						m = append(m, hclString(k)+" = "+hclString(labels[k]))
					}
					return hclBlock(`resource "guayaba_session_labels" `+hclString(name),
						"labels = { "+strings.Join(m, ", ")+" }", `on_destroy = "clear"`, extra)
				}
				v1 := env.provider() + block("from", map[string]string{groupKey: "Moving", apiKey: "Stays"}, "") +
					block("to", map[string]string{mainKey: "Main"}, "")
				v2 := env.provider() + block("from", map[string]string{apiKey: "Stays"}, deps[0]) +
					block("to", map[string]string{mainKey: "Main", groupKey: "Moving"}, deps[1])
				var before sandbox.State
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: providerFactories,
					Steps: []resource.TestStep{
						{Config: v1, Check: env.expectSandboxLabels(map[string]string{groupKey: "Moving", apiKey: "Stays", mainKey: "Main"})},
						{
							PreConfig: func() { before = env.snapshot() },
							Config:    v2,
							Check:     env.expectChange(&before, expectUnchanged()),
						},
						{Config: v2, ConfigPlanChecks: emptyPlan},
					},
				})
			})
		})
	}
}
