package sessions

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// What a label plan must never do: write a label no plan showed changing.

// A listed key with white space around it names another session on a write
// (the API trims it): exclusive leaves it alone and says so, and a wanted
// label it holds is a conflict, not a release.
func TestPlanLabels_unaddressableKeys(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		for _, s := range []sandbox.SessionSpec{
			{Key: "agent:main:main", Label: sp("Main")},
			{Key: "agent:main:main ", Label: sp("Padded")},
			{Key: " agent:main:x", Label: sp("Support")},
			{Key: "agent:main:y", Label: sp("Other")},
			{Key: "agent:main:z"},
		} {
			if _, err := e.sb.AddSession(agentID, s); err != nil {
				t.Fatal(err)
			}
		}
		before := e.sb.Snapshot()
		a := e.agent()
		cur, err := a.CurrentLabels(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		p := PlanLabels(LabelsInput{Current: cur.Labels, Wanted: want("agent:main:main", "Main", "agent:main:z", "Support"),
			Exclusive: true})
		if !reflect.DeepEqual(p.Unaddressable, []string{" agent:main:x", "agent:main:main "}) {
			t.Errorf("unaddressable %q", p.Unaddressable)
		}
		if !reflect.DeepEqual(p.Conflicts, []LabelConflict{{Key: "agent:main:z", Label: "Support", Holder: " agent:main:x"}}) {
			t.Errorf("conflicts %+v", p.Conflicts)
		}
		if got := cur.Others(want("agent:main:main", "Main")); !reflect.DeepEqual(got, want("agent:main:y", "Other")) {
			t.Errorf("others %v", got)
		}
		res := a.RunLabels(t.Context(), cur, p, 4, nil)
		if len(res.Errs) != 0 || res.Complete {
			t.Fatalf("run: %+v", res)
		}
		for i, ag := range before.Agents {
			for j, s := range ag.Sessions {
				if s.Key == "agent:main:y" {
					before.Agents[i].Sessions[j].Label = nil
				}
			}
		}
		if after := e.sb.Snapshot(); !reflect.DeepEqual(before, after) {
			t.Errorf("the run changed more than clearing agent:main:y:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

// With Shown (the labels the plan being applied showed outside the map),
// exclusive clears only those still labelled as shown; a label set or
// changed since is Unplanned and left alone, and a wanted label it holds
// is a conflict.
func TestPlanLabels_exclusiveClearsOnlyWhatThePlanShowed(t *testing.T) {
	cur := labels("a", "", "shown", "S", "changed", "C2", "new", "N", "holder", "Support")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "Support"), Exclusive: true,
		Shown: want("shown", "S", "changed", "C1", "gone", "G")})
	if !reflect.DeepEqual(p.Unplanned, []string{"changed", "holder", "new"}) {
		t.Errorf("unplanned %q", p.Unplanned)
	}
	if !reflect.DeepEqual(p.Conflicts, []LabelConflict{{Key: "a", Label: "Support", Holder: "holder"}}) {
		t.Errorf("conflicts %+v", p.Conflicts)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "", "shown", "", "changed", "C2", "new", "N", "holder", "Support"))
	// Without Shown (a create, exclusive just turned on): every other label.
	p = PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "Support"), Exclusive: true})
	expectLabels(t, simulate(t, cur, p), labels("a", "Support", "shown", "", "changed", "", "new", "", "holder", ""))
}

// A removed key is cleared only while its label is the one the resource
// wrote (Written), not the refreshed one (Previous, which a refresh copies
// from the listing); without Written, Previous stands for it.
func TestPlanLabels_clearRemovedOnlyWhatItWrote(t *testing.T) {
	cur := labels("set", "S", "byHand", "Changed", "kept", "K")
	prev := want("set", "S", "byHand", "Changed")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("kept", "K"), Previous: prev,
		Written: want("set", "S", "byHand", "Original"), ClearRemoved: true})
	expectLabels(t, simulate(t, cur, p), labels("set", "", "byHand", "Changed", "kept", "K"))
	p = PlanLabels(LabelsInput{Current: cur, Wanted: want("kept", "K"), Previous: prev, ClearRemoved: true})
	expectLabels(t, simulate(t, cur, p), labels("set", "", "byHand", "", "kept", "K"))
}

// With exclusive, a key that left the map is never cleared as an "other"
// session: only by ClearRemoved, when its label is the one written. The
// rest are KeptRemoved, but for a label that moves to another key.
func TestPlanLabels_exclusiveKeepsRemovedKeys(t *testing.T) {
	cur := labels("a", "A", "kept", "K", "moved", "M", "other", "O")
	in := LabelsInput{Current: cur, Wanted: want("a", "A", "b", "M"), Previous: want("a", "A", "kept", "K", "moved", "M"),
		Exclusive: true}
	cur["b"] = nil
	p := PlanLabels(in)
	if !reflect.DeepEqual(p.KeptRemoved, []string{"kept"}) {
		t.Errorf("kept removed %q", p.KeptRemoved)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "A", "b", "M", "kept", "K", "moved", "", "other", ""))
	in.ClearRemoved = true
	p = PlanLabels(in)
	if len(p.KeptRemoved) != 0 {
		t.Errorf("kept removed %q with ClearRemoved", p.KeptRemoved)
	}
	expectLabels(t, simulate(t, cur, p), labels("a", "A", "b", "M", "kept", "", "moved", "", "other", ""))
}

// A clear of a labels change is left out when another labels change of the
// process wants the key labelled (WantLabels), even one that already ran;
// and WantLabels waits for a clear of its keys in flight, so that the
// listing it plans from shows it.
func TestRunLabels_clearNeverUndoesAWantedLabel(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		for _, k := range []string{"moved", "later"} {
			if _, err := e.sb.AddSession(agentID, sandbox.SessionSpec{Key: k, Label: sp("L-" + k)}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, a := t.Context(), e.agent()
		clearKey := func(key string) LabelRunResult {
			cur, err := a.CurrentLabels(ctx)
			if err != nil {
				t.Fatal(err)
			}
			prev := want(key, "L-"+key)
			p := PlanLabels(LabelsInput{Current: cur.Labels, Wanted: want(), Previous: prev, Written: prev, ClearRemoved: true})
			if len(p.Renames) != 1 {
				t.Fatalf("plan %+v", p.Renames)
			}
			return a.RunLabels(ctx, cur, p, 2, nil)
		}
		// The resource it moves to ran first: its label stays.
		if err := a.WantLabels(ctx, want("moved", "L-moved")); err != nil {
			t.Fatal(err)
		}
		if res := clearKey("moved"); !res.Complete || e.label("moved") != "L-moved" || e.counts()[sandbox.RouteSessionsRename] != 0 {
			t.Fatalf("the clear undid a wanted label: %+v, label %s", res, e.label("moved"))
		}
		// A clear in flight: WantLabels returns once it is over.
		entered, release := make(chan struct{}), make(chan struct{})
		e.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
			if strings.HasSuffix(r.URL.Path, "/sessions/rename") {
				close(entered)
				<-release
			}
			return false
		})
		done := make(chan LabelRunResult)
		go func() { done <- clearKey("later") }()
		<-entered
		wanted := make(chan error)
		go func() { wanted <- a.WantLabels(ctx, want("later", "New")) }()
		select {
		case err := <-wanted:
			t.Fatalf("WantLabels returned (%v) while a clear of its key was in flight", err)
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		if err := <-wanted; err != nil {
			t.Fatal(err)
		}
		if res := <-done; !res.Complete || e.label("later") != "<null>" {
			t.Fatalf("clear: %+v, label %s", res, e.label("later"))
		}
	})
}
