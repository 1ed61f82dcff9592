package sessions

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// change is one session's wanted label in a test apply.
type change struct {
	key   string
	label *string
}

// applyAll converges every change concurrently, as terraform apply does at
// a parallelism of at least len(changes), and returns the errors by key.
func (e *env) applyAll(changes ...change) map[string]error {
	e.t.Helper()
	agent := e.agent()
	var mu sync.Mutex
	errs := map[string]error{}
	var wg sync.WaitGroup
	for _, c := range changes {
		r, ok, err := agent.Locate(e.t.Context(), c.key, "", "")
		if err != nil || !ok {
			e.t.Fatalf("locate %s: %t %v", c.key, ok, err)
		}
		wg.Go(func() {
			if _, err := agent.Converge(e.t.Context(), c.key, r, c.label, false); err != nil {
				mu.Lock()
				errs[c.key] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

func (e *env) expectLabels(want map[string]string) {
	e.t.Helper()
	for k, l := range want {
		if got := e.label(k); got != l {
			e.t.Errorf("%s: label %s, want %s", k, got, l)
		}
	}
}

func TestConverge_moveLabel(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, false)
		if err := e.sb.Rename(agentID, keys[0], new("Support")); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			from, to := keys[i%2], keys[(i+1)%2]
			e.sb.ResetCounters()
			e.newApply()
			if errs := e.applyAll(change{to, new("Support")}, change{from, nil}); len(errs) != 0 {
				t.Fatalf("move %d: %v", i, errs)
			}
			e.expectLabels(map[string]string{to: "Support", from: "<null>"})
			if n := e.counts()["sessions.rename"]; n != 2 {
				t.Errorf("move %d: %d renames, want 2", i, n)
			}
		}
	})
}

func TestConverge_swap(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, true)
		errs := e.applyAll(change{keys[0], new("label-0001")}, change{keys[1], new("label-0000")})
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		e.expectLabels(map[string]string{keys[0]: "label-0001", keys[1]: "label-0000"})
		if n := e.counts()["sessions.rename"]; n > 4 {
			t.Errorf("%d renames for a swap, want at most 4", n)
		}
	})
}

func TestConverge_rotation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		const n = 30
		keys := e.sessions(n, true)
		var changes []change
		want := map[string]string{}
		for i, k := range keys {
			l := fmt.Sprintf("label-%04d", (i+1)%n)
			changes = append(changes, change{k, new(l)})
			want[k] = l
		}
		if errs := e.applyAll(changes...); len(errs) != 0 {
			t.Fatal(errs)
		}
		e.expectLabels(want)
	})
}

// The holder is not being changed: the rename fails once the process stops
// making progress, naming the holder; the session gave up its own label.
func TestConverge_holderNotChanging(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, true)
		start := time.Now()
		errs := e.applyAll(change{keys[0], new("label-0001")})
		var held *LabelHeldError
		if !errors.As(errs[keys[0]], &held) || held.Holder != keys[1] || held.Keeps || held.Released == nil || *held.Released != "label-0000" {
			t.Fatalf("want a LabelHeldError naming %s, got %#v", keys[1], errs[keys[0]])
		}
		var se *StepError
		if !errors.As(errs[keys[0]], &se) || se.Holder != keys[1] {
			t.Errorf("step error: %#v", errs[keys[0]])
		}
		t.Logf("failed after %s: %v", time.Since(start), errs[keys[0]])
		e.expectLabels(map[string]string{keys[0]: "<null>", keys[1]: "label-0001"})
	})
}

// The holder's own change keeps the label: fail at once, label untouched.
func TestConverge_holderKeepsLabel(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, true)
		e.agent().timing.idle = time.Hour
		defer e.agent().intend(keys[1], new("label-0001"), false)()
		errs := e.applyAll(change{keys[0], new("label-0001")})
		var held *LabelHeldError
		if !errors.As(errs[keys[0]], &held) || held.Holder != keys[1] || !held.Keeps || held.Released != nil {
			t.Fatalf("want a LabelHeldError (keeps) naming %s, got %#v", keys[1], errs[keys[0]])
		}
		e.expectLabels(map[string]string{keys[0]: "label-0000"})
		if n := e.counts()["sessions.rename"]; n != 0 {
			t.Errorf("%d renames", n)
		}
	})
}

// At -parallelism=1 a swap runs one change after the other: the first fails
// having given up its label, the second completes, and a second apply
// completes the first.
func TestConverge_swapOneAtATime(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, true)
		errs := e.applyAll(change{keys[0], new("label-0001")})
		var held *LabelHeldError
		if !errors.As(errs[keys[0]], &held) || held.Released == nil {
			t.Fatalf("first change: %v", errs)
		}
		if errs := e.applyAll(change{keys[1], new("label-0000")}); len(errs) != 0 {
			t.Fatalf("second change: %v", errs)
		}
		e.newApply()
		if errs := e.applyAll(change{keys[0], new("label-0001")}); len(errs) != 0 {
			t.Fatalf("second apply: %v", errs)
		}
		e.expectLabels(map[string]string{keys[0]: "label-0001", keys[1]: "label-0000"})
	})
}

// A label taken outside this process after the listing: the 422 makes the
// rename learn the holder from a new listing, and the error names it.
func TestConverge_labelTakenOutside(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, false)
		agent := e.agent()
		r, _, err := agent.Locate(t.Context(), keys[0], "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sb.Rename(agentID, keys[1], new("Taken")); err != nil {
			t.Fatal(err)
		}
		_, err = agent.Converge(t.Context(), keys[0], r, new("Taken"), false)
		var se *StepError
		if !errors.As(err, &se) || se.Holder != keys[1] {
			t.Fatalf("want a step error naming %s, got %#v", keys[1], err)
		}
		if n := e.counts()["sessions.rename"]; n != 1 {
			t.Errorf("%d renames, want the 1 refused", n)
		}
	})
}
