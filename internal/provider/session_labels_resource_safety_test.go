package provider

import (
	"strings"
	"testing"
)

// What guayaba_session_labels must never do: change a label that no plan
// showed changing. Each test compares the sandbox's full state before and
// after, and accepts only the changes the plan showed.

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
