package sessions

import (
	"reflect"
	"testing"

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
