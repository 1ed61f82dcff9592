package sessions

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

func sp(s string) *string { return &s }

func labels(kv ...string) map[string]*string {
	m := map[string]*string{}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			m[kv[i]] = nil
		} else {
			m[kv[i]] = sp(kv[i+1])
		}
	}
	return m
}

func want(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// simulate runs a plan one rename at a time in its order on a copy of cur,
// failing when a rename would set a label another session still holds (as
// the platform does) or runs before the rename it waits on.
func simulate(t *testing.T, cur map[string]*string, p LabelPlan) map[string]*string {
	t.Helper()
	out := map[string]*string{}
	for k, v := range cur {
		out[k] = v
	}
	for i, r := range p.Renames {
		if r.After >= i {
			t.Fatalf("rename %d (%s) runs after rename %d, which comes later", i, r.Key, r.After)
		}
		if _, ok := out[r.Key]; !ok {
			t.Fatalf("rename %d targets %q, which is not an active session", i, r.Key)
		}
		if labelString(out[r.Key]) != labelString(r.From) {
			t.Fatalf("rename %d of %q: From %s, but the session holds %s", i, r.Key, labelString(r.From), labelString(out[r.Key]))
		}
		if r.To != nil {
			for k, l := range out {
				if k != r.Key && l != nil && *l == *r.To {
					t.Fatalf("rename %d sets %q on %q while %q holds it", i, *r.To, r.Key, k)
				}
			}
		}
		out[r.Key] = r.To
	}
	return out
}

func labelString(p *string) string {
	if p == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *p)
}

func expectLabels(t *testing.T, got map[string]*string, wantKV map[string]*string) {
	t.Helper()
	for k, w := range wantKV {
		if labelString(got[k]) != labelString(w) {
			t.Errorf("%s: label %s, want %s", k, labelString(got[k]), labelString(w))
		}
	}
}

func TestPlanLabels_setsOnlyWhatDiffers(t *testing.T) {
	cur := labels("a", "A", "b", "", "c", "old", "x", "X")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "A", "b", "B", "c", "C")})
	if len(p.Renames) != 2 || p.Changes() != 2 {
		t.Fatalf("want 2 renames (b, c), got %+v", p.Renames)
	}
	for _, r := range p.Renames {
		if r.After != -1 || r.Release {
			t.Errorf("independent rename %+v should need nothing first", r)
		}
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "A", "b", "B", "c", "C", "x", "X"))
}

func TestPlanLabels_swapReleasesOnce(t *testing.T) {
	cur := labels("a", "A", "b", "B")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "B", "b", "A")})
	if len(p.Renames) != 3 || p.Changes() != 2 || !p.Renames[0].Release || p.Renames[0].Key != "a" {
		t.Fatalf("a swap is one release then two sets, got %+v", p.Renames)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "B", "b", "A"))
}

func TestPlanLabels_rotation(t *testing.T) {
	const n = 50
	cur, w := map[string]*string{}, map[string]string{}
	for i := range n {
		k := fmt.Sprintf("k%02d", i)
		cur[k] = sp(fmt.Sprintf("L%02d", i))
		w[k] = fmt.Sprintf("L%02d", (i+1)%n)
	}
	p := PlanLabels(LabelsInput{Current: cur, Wanted: w})
	if len(p.Renames) != n+1 {
		t.Fatalf("a rotation of %d labels is %d renames, got %d", n, n+1, len(p.Renames))
	}
	got := simulate(t, cur, p)
	for k, l := range w {
		if labelString(got[k]) != labelString(&l) {
			t.Fatalf("%s: %s, want %q", k, labelString(got[k]), l)
		}
	}
}

func TestPlanLabels_chainNeedsNoRelease(t *testing.T) {
	// a takes b's label, b takes c's, c takes a new one.
	cur := labels("a", "A", "b", "B", "c", "C")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "B", "b", "C", "c", "D")})
	if len(p.Renames) != 3 || p.Renames[0].Key != "c" || p.Renames[1].Key != "b" || p.Renames[2].Key != "a" {
		t.Fatalf("want c, b, a without releases, got %+v", p.Renames)
	}
	if p.Renames[1].After != 0 || p.Renames[2].After != 1 {
		t.Errorf("each rename must wait for the one that frees its label: %+v", p.Renames)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "B", "b", "C", "c", "D"))
}

func TestPlanLabels_exclusiveClearsOthersFirst(t *testing.T) {
	cur := labels("a", "", "oob", "Support", "other", "VIP", "plain", "")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "Support"), Exclusive: true})
	if p.Changes() != 3 || len(p.Conflicts) != 0 {
		t.Fatalf("want clears of oob and other and the set of a, got %+v conflicts %+v", p.Renames, p.Conflicts)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "Support", "oob", "", "other", "", "plain", ""))
}

func TestPlanLabels_conflictWithUnmanagedHolder(t *testing.T) {
	cur := labels("a", "A", "b", "B", "held", "Support")
	// a wants a label held outside the map; b wants a's label, so waits on a.
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "Support", "b", "A", "c", "C")})
	if !reflect.DeepEqual(p.Conflicts, []LabelConflict{{Key: "a", Label: "Support", Holder: "held"}}) {
		t.Fatalf("conflicts %+v", p.Conflicts)
	}
	if !reflect.DeepEqual(p.Blocked, []string{"b"}) || !reflect.DeepEqual(p.Missing, []string{"c"}) {
		t.Fatalf("blocked %v missing %v", p.Blocked, p.Missing)
	}
	if len(p.Renames) != 0 {
		t.Fatalf("nothing can move, got %+v", p.Renames)
	}
}

func TestPlanLabels_duplicateWantedLabel(t *testing.T) {
	cur := labels("a", "", "b", "")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "X", "b", "X")})
	if len(p.Renames) != 1 || p.Renames[0].Key != "a" ||
		!reflect.DeepEqual(p.Conflicts, []LabelConflict{{Key: "b", Label: "X", Holder: "a"}}) {
		t.Fatalf("renames %+v conflicts %+v", p.Renames, p.Conflicts)
	}
}

func TestPlanLabels_removedKeys(t *testing.T) {
	cur := labels("gone", "G", "changed", "by hand", "moved", "M", "new", "")
	prev := want("gone", "G", "changed", "C", "moved", "M")
	// keep: removed keys stay as they are, except a label that moves.
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("new", "M"), Previous: prev})
	expectLabels(t, simulate(t, cur, p), labels("gone", "G", "changed", "by hand", "moved", "", "new", "M"))
	if len(p.Conflicts) != 0 || p.Changes() != 2 {
		t.Fatalf("renames %+v conflicts %+v", p.Renames, p.Conflicts)
	}
	// clear: removed keys lose the label the resource set, not one set by hand.
	p = PlanLabels(LabelsInput{Current: cur, Wanted: want("new", "M"), Previous: prev, ClearRemoved: true})
	expectLabels(t, simulate(t, cur, p), labels("gone", "", "changed", "by hand", "moved", "", "new", "M"))
}

// Random current and wanted labels: every plan keeps labels unique at each
// step and ends where it should.
func TestPlanLabels_randomPermutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		n := 1 + rng.IntN(30)
		cur, w := map[string]*string{}, map[string]string{}
		pool := rng.Perm(2 * n)
		for i := range n {
			k := fmt.Sprintf("k%d", i)
			if rng.IntN(4) > 0 {
				cur[k] = sp(fmt.Sprintf("L%d", pool[i]))
			} else {
				cur[k] = nil
			}
		}
		wantPool := rng.Perm(2*n + 2)
		for i := range n + 2 {
			if rng.IntN(3) > 0 {
				w[fmt.Sprintf("k%d", i)] = fmt.Sprintf("L%d", wantPool[i])
			}
		}
		exclusive := rng.IntN(2) == 0
		p := PlanLabels(LabelsInput{Current: cur, Wanted: w, Exclusive: exclusive})
		got := simulate(t, cur, p)
		stuck := map[string]bool{}
		for _, c := range p.Conflicts {
			stuck[c.Key] = true
		}
		for _, k := range p.Blocked {
			stuck[k] = true
		}
		if !exclusive && len(stuck) == 0 {
			// Conflicts can only come from holders outside the map.
			for k, l := range w {
				if _, ok := cur[k]; ok && labelString(got[k]) != labelString(&l) {
					t.Fatalf("round %d: %s = %s, want %q; plan %+v", round, k, labelString(got[k]), l, p)
				}
			}
		}
		if exclusive {
			if len(stuck) != 0 {
				t.Fatalf("round %d: exclusive plans never conflict: %+v", round, p)
			}
			for k, l := range got {
				wl, wanted := w[k]
				if (!wanted && l != nil) || (wanted && labelString(l) != labelString(&wl)) {
					t.Fatalf("round %d: %s = %s after an exclusive plan", round, k, labelString(l))
				}
			}
		}
	}
}

// sandboxAgent starts the sandbox's handler with one agent holding n
// sessions labelled L0..Ln-1 and returns a client and the agent's keys.
func sandboxAgent(t *testing.T, opts sandbox.Options, n int) (*sandbox.Sandbox, *client.Client, []string) {
	t.Helper()
	const owner, agent = "owner-1", "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	sb := sandbox.New(opts)
	sb.AddOwner(owner, true)
	sb.AddAgent(owner, agent)
	key := sb.AddKey(sandbox.MasterKey(owner)).Token
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("agent:main:telegram:group:-100%04d", i)
		if _, err := sb.AddSession(agent, sandbox.SessionSpec{Key: keys[i], Label: sp(fmt.Sprintf("L%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{BaseURL: srv.URL + "/api/v1", APIKey: key, MaxRetries: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	return sb, c, keys
}

const testAgent = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"

func currentOf(t *testing.T, c *client.Client) map[string]*string {
	t.Helper()
	list, err := c.ListSessions(context.Background(), testAgent)
	if err != nil {
		t.Fatal(err)
	}
	cur := map[string]*string{}
	for _, s := range list {
		cur[s.Key] = s.Label
	}
	return cur
}

// A 200-key rotation, a swap and new labels run eight at a time against the
// sandbox's handler converge in one run with one extra rename per cycle.
func TestRunLabelPlan_sandbox(t *testing.T) {
	for name, opts := range map[string]sandbox.Options{
		"strict":  {},
		"lenient": {UnknownKeys: sandbox.UnknownKeyLenient, SuccessBody: sandbox.SuccessMessage, OmitNullLabel: true, ShuffleLists: true},
	} {
		t.Run(name, func(t *testing.T) {
			sb, c, keys := sandboxAgent(t, opts, 260)
			w := map[string]string{}
			for i := range 200 { // rotation
				w[keys[i]] = fmt.Sprintf("L%d", (i+1)%200)
			}
			w[keys[200]], w[keys[201]] = "L201", "L200" // swap
			for i := 202; i < 250; i++ {
				w[keys[i]] = fmt.Sprintf("new %d", i)
			}
			w["agent:main:telegram:group:never"] = "nobody"
			p := PlanLabels(LabelsInput{Current: currentOf(t, c), Wanted: w, Exclusive: true})
			if want := 200 + 1 + 2 + 1 + 48 + 10; len(p.Renames) != want {
				t.Fatalf("want %d renames, got %d", want, len(p.Renames))
			}
			var calls, inFlight, peak atomic.Int32
			sb.ResetCounters()
			res := RunLabelPlan(context.Background(), p, 8, func(ctx context.Context, r LabelRename) error {
				calls.Add(1)
				now := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					old := peak.Load()
					if now <= old || peak.CompareAndSwap(old, now) {
						break
					}
				}
				return c.Rename(ctx, testAgent, r.Key, r.To)
			}, nil)
			if len(res.Errs) != 0 {
				t.Fatalf("errors: %v", res.Errs)
			}
			if peak.Load() > 8 {
				t.Errorf("%d renames ran at once, want at most 8", peak.Load())
			}
			if got := sb.Counters().ByRoute[sandbox.RouteSessionsRename]; got != len(p.Renames) {
				t.Errorf("sandbox saw %d renames, want %d", got, len(p.Renames))
			}
			got := currentOf(t, c)
			if _, created := got["agent:main:telegram:group:never"]; created {
				t.Error("a missing key was renamed (and so created)")
			}
			for k, l := range got {
				wl, ok := w[k]
				if (ok && labelString(l) != labelString(&wl)) || (!ok && l != nil) {
					t.Errorf("%s: %s after the run", k, labelString(l))
				}
			}
		})
	}
}

// A failed rename leaves the renames waiting on it untried, and the others run.
func TestRunLabelPlan_failureStopsItsChainOnly(t *testing.T) {
	cur := labels("a", "A", "b", "B", "c", "C", "x", "X")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "B", "b", "C", "c", "D", "x", "Y")})
	boom := errors.New("boom")
	var progressed [3]int
	res := RunLabelPlan(context.Background(), p, 4, func(_ context.Context, r LabelRename) error {
		if r.Key == "c" {
			return boom
		}
		return nil
	}, func(done, failed, total int) { progressed = [3]int{done, failed, total} })
	if res.Done != 1 || len(res.Errs) != 3 || progressed != [3]int{1, 3, 4} {
		t.Fatalf("done %d errs %v progress %v", res.Done, res.Errs, progressed)
	}
	for i, r := range p.Renames {
		switch r.Key {
		case "c":
			if !errors.Is(res.Errs[i], boom) {
				t.Errorf("c: %v", res.Errs[i])
			}
		case "a", "b":
			if !errors.Is(res.Errs[i], ErrNotAttempted) {
				t.Errorf("%s: %v, want not attempted", r.Key, res.Errs[i])
			}
		}
	}
}

func TestRunLabelPlan_cancelled(t *testing.T) {
	cur := labels("a", "A", "b", "B")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "B", "b", "A")})
	ctx, cancel := context.WithCancel(context.Background())
	res := RunLabelPlan(ctx, p, 1, func(context.Context, LabelRename) error { cancel(); return nil }, nil)
	if res.Done != 1 || len(res.Errs) != 2 {
		t.Fatalf("done %d errs %v", res.Done, res.Errs)
	}
	for _, err := range res.Errs {
		if !errors.Is(err, ErrNotAttempted) || !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
	}
}
