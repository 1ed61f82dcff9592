package provider

import (
	"fmt"
	"testing"
)

// Labels are unique among an agent's active sessions, so moving, swapping
// or rotating labels makes renames that collide unless they run in the
// right order. Every rename of one terraform apply runs in one provider
// process, which orders them: each apply below converges at once, and the
// next plan is empty.

// relabelApply applies labels (key → label, "" for none) at a parallelism
// and checks the sandbox and that the next plan is empty.
func relabelApply(t *testing.T, env *testEnv, w *tfWorkdir, keys []string, labels map[string]string, parallelism int) {
	t.Helper()
	w.write("main.tf", relabelConfig(env, keys, labels))
	w.must("apply", "-auto-approve", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism))
	for _, k := range keys {
		var want *string
		if l := labels[k]; l != "" {
			want = &l
		}
		if err := env.expectLabel(testAgentID, k, want)(nil); err != nil {
			t.Fatal(err)
		}
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

// relabelSessions adds n sessions labelled "Support #<i>" and a working
// directory that manages them with those labels, applied.
func relabelSessions(t *testing.T, env *testEnv, n int) ([]string, map[string]string, *tfWorkdir) {
	keys := make([]string, n)
	labels := map[string]string{}
	for i := range keys {
		keys[i] = fmt.Sprintf("agent:main:telegram:group:-100%d", i)
		labels[keys[i]] = fmt.Sprintf("Support #%d", i)
		env.session(testAgentID, keys[i], new(labels[keys[i]]))
	}
	w := newTFWorkdir(t, relabelConfig(env, keys, labels))
	w.must("apply", "-auto-approve", "-no-color")
	return keys, labels, w
}

// A label moved from one session to another, 20 times, at -parallelism=10.
func TestAccSession_labelMove(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys, _, w := relabelSessions(t, env, 2)
		for i := range 20 {
			relabelApply(t, env, w, keys, map[string]string{keys[i%2]: "Support"}, 10)
		}
	})
}

// A swap A↔B, and a rotation over 30 sessions, each in one apply. Terraform
// runs at most -parallelism changes at once, and a change waiting for a
// label holds its turn: a rotation completes in one apply when all of its
// sessions can run at once (the documented rule), hence -parallelism=30.
func TestAccSession_labelSwapAndRotation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		keys, labels, w := relabelSessions(t, env, 30)

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
		keys, labels, w := relabelSessions(t, env, 2)
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
