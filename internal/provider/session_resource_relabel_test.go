package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Labels are unique among an agent's active sessions, so moving, swapping
// or rotating labels makes renames that collide unless they run in the
// right order. Every rename of one terraform apply runs in one provider
// process, which orders them: each apply below converges at once, and the
// next plan is empty.

// The tests at another -parallelism than Terraform's default (10) run on a
// tfWorkdir: resource.Test cannot pass the flag.

// expectRelabels checks the sandbox's label of each key (labels: key →
// label, "" for none).
func expectRelabels(env *testEnv, keys []string, labels map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, k := range keys {
			var want *string
			if l := labels[k]; l != "" {
				want = &l
			}
			if err := env.expectLabel(testAgentID, k, want)(nil); err != nil {
				return err
			}
		}
		return nil
	}
}

// relabelApply applies labels at a parallelism, checks the sandbox and that
// the next plan is empty.
func relabelApply(t *testing.T, env *testEnv, w *tfWorkdir, keys []string, labels map[string]string, parallelism int) {
	t.Helper()
	w.write("main.tf", relabelConfig(env, keys, labels))
	w.must("apply", "-auto-approve", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism))
	if err := expectRelabels(env, keys, labels)(nil); err != nil {
		t.Fatal(err)
	}
	w.must("plan", "-no-color", "-detailed-exitcode")
}

func relabelConfig(env *testEnv, keys []string, labels map[string]string) string {
	ss := make([]sessionBlock, len(keys))
	for i, k := range keys {
		ss[i] = sessionBlock{name: fmt.Sprintf("s%02d", i), key: k}
		if l := labels[k]; l != "" {
			ss[i].label = &l
		}
	}
	return env.provider() + sessionBlocks(ss...)
}

// relabelSessions adds n sessions labelled "Support #<i>".
func relabelSessions(env *testEnv, n int) ([]string, map[string]string) {
	keys := make([]string, n)
	labels := map[string]string{}
	for i := range keys {
		keys[i] = fmt.Sprintf("agent:main:telegram:group:-100%d", i)
		labels[keys[i]] = fmt.Sprintf("Support #%d", i)
		env.session(testAgentID, keys[i], new(labels[keys[i]]))
	}
	return keys, labels
}

// relabelWorkdir is a working directory managing keys with labels, applied.
func relabelWorkdir(t *testing.T, env *testEnv, keys []string, labels map[string]string) *tfWorkdir {
	t.Helper()
	w := newTFWorkdir(t, relabelConfig(env, keys, labels))
	w.must(applyArgs...)
	return w
}

// A label moved from one session to another, 20 times, at Terraform's
// default -parallelism=10.
func TestAccSession_labelMove(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys, labels := relabelSessions(env, 2)
		steps := []resource.TestStep{{Config: relabelConfig(env, keys, labels)}}
		for i := range 20 {
			moved := map[string]string{keys[i%2]: "Support"}
			steps = append(steps, resource.TestStep{Config: relabelConfig(env, keys, moved), Check: expectRelabels(env, keys, moved)})
		}
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: providerFactories, Steps: steps})
	})
}

// A swap A↔B, and a rotation over 30 sessions, each in one apply. Terraform
// runs at most -parallelism changes at once, and a change waiting for a
// label holds its turn: a rotation completes in one apply when all of its
// sessions can run at once (the documented rule), hence -parallelism=30.
func TestAccSession_labelSwapAndRotation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys, labels := relabelSessions(env, 30)
		w := relabelWorkdir(t, env, keys, labels)

		swapped := map[string]string{}
		for k, l := range labels {
			swapped[k] = l
		}
		swapped[keys[0]], swapped[keys[1]] = labels[keys[1]], labels[keys[0]]
		relabelApply(t, env, w, keys, swapped, 10)

		rotated := map[string]string{}
		for i, k := range keys {
			rotated[k] = swapped[keys[(i+1)%len(keys)]]
		}
		relabelApply(t, env, w, keys, rotated, len(keys))

		// Rotating again with fewer workers than sessions may stop with
		// errors; the failed sessions have given up their labels, so the
		// next apply completes the rotation.
		again := map[string]string{}
		for i, k := range keys {
			again[k] = rotated[keys[(i+1)%len(keys)]]
		}
		w.write("main.tf", relabelConfig(env, keys, again))
		if out, err := w.run(nil, "apply", "-auto-approve", "-no-color", "-parallelism=5"); err != nil {
			if !words("Label already in use .* run terraform apply again").MatchString(flat(out)) {
				t.Fatalf("a rotation beyond -parallelism failed without saying what to do:\n%s", out)
			}
			t.Logf("the rotation at -parallelism=5 took a second apply")
		}
		relabelApply(t, env, w, keys, again, 5)
	})
}

// With -parallelism=1 the changes run one after the other, so a swap cannot
// complete in one apply: the first rename fails (after a few seconds without
// progress), naming the holder and saying what to do, having given up its
// label; the second rename completes; a second apply completes the swap.
func TestAccSession_labelSwapParallelism1(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys, labels := relabelSessions(env, 2)
		w := relabelWorkdir(t, env, keys, labels)
		swapped := map[string]string{keys[0]: labels[keys[1]], keys[1]: labels[keys[0]]}
		w.write("main.tf", relabelConfig(env, keys, swapped))
		out, err := w.run(nil, "apply", "-auto-approve", "-no-color", "-parallelism=1")
		if err == nil {
			t.Fatalf("a swap at -parallelism=1 completed in one apply:\n%s", out)
		}
		msg := flat(out)
		for _, want := range []string{
			"Label already in use", "is already held by the session with key",
			"which this apply did not change", "gave up its label", "run terraform apply again",
		} {
			if !words(want).MatchString(msg) {
				t.Errorf("the error does not say %q:\n%s", want, out)
			}
		}
		relabelApply(t, env, w, keys, swapped, 1)
	})
}
