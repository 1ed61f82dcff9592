package sessions

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// After a run in which one rename failed, the state records what is true:
// the labels that were set, the failed key's label as listed (or dropped
// when it has none), a wanted key that is not active with its wanted label
// (and listed as missing), a removed key whose clear failed (still managed),
// and with exclusive the labels left on other sessions; what the resource
// wrote is kept for a key whose label was changed by hand and not set again.
func TestRunLabelPlan_stateAfterFailure(t *testing.T) {
	cur := labels("a", "A", "b", "", "c", "By hand", "old", "Old", "other", "O")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "A2", "b", "B", "c", "C", "gone", "G"),
		Previous: want("c", "By hand", "old", "Old"), Written: want("c", "C", "old", "Old"), Exclusive: true, ClearRemoved: true})
	boom := errors.New("boom")
	res := RunLabelPlan(context.Background(), p, 2, func(_ context.Context, r LabelRename) error {
		if r.Key == "b" || r.Key == "c" || r.Key == "old" {
			return boom
		}
		return nil
	}, nil)
	if res.Complete {
		t.Fatal("a run with failed renames is complete")
	}
	// "other" was cleared; "old" is still managed (its clear failed), so it
	// is not among the others either.
	want := LabelsState{
		Labels:  map[string]string{"a": "A2", "c": "By hand", "gone": "G", "old": "Old"},
		Missing: []string{"gone"},
		Others:  map[string]string{},
		Written: map[string]string{"a": "A2", "c": "C", "gone": "G", "old": "Old"},
	}
	if !reflect.DeepEqual(res.State, want) {
		t.Errorf("state after the failure:\n got %+v\nwant %+v", res.State, want)
	}
}

// A complete run records the wanted labels; exclusive leaves no other label.
func TestRunLabelPlan_stateWhenComplete(t *testing.T) {
	cur := labels("a", "A", "other", "O")
	p := PlanLabels(LabelsInput{Current: cur, Wanted: want("a", "B", "gone", "G"), Exclusive: true})
	res := RunLabelPlan(context.Background(), p, 2, func(context.Context, LabelRename) error { return nil }, nil)
	want := LabelsState{Labels: map[string]string{"a": "B", "gone": "G"}, Missing: []string{"gone"}, Others: map[string]string{},
		Written: map[string]string{"a": "B", "gone": "G"}}
	if !res.Complete || !reflect.DeepEqual(res.State, want) {
		t.Errorf("complete %t, state %+v; want %+v", res.Complete, res.State, want)
	}
}

// A refresh keeps a managed key that is not active (missing), drops one
// whose session has no label, keeps what the resource wrote on the keys it
// keeps, and without exclusive records no others.
func TestCurrentLabels_Refresh(t *testing.T) {
	c := CurrentLabels{Labels: labels("a", "A2", "b", "", "other", "O")}
	got := c.Refresh(want("a", "A", "b", "B", "gone", "G"), want("a", "A", "b", "B", "gone", "G"), false)
	want := LabelsState{Labels: map[string]string{"a": "A2", "gone": "G"}, Missing: []string{"gone"},
		Written: map[string]string{"a": "A", "gone": "G"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("refresh: %+v, want %+v", got, want)
	}
	if got := c.Refresh(want.Labels, nil, true).Others; !reflect.DeepEqual(got, map[string]string{"other": "O"}) {
		t.Errorf("others with exclusive: %v", got)
	}
}

// Written is stored as its Drift from labels: empty unless a label was
// changed by hand; state without one counts its labels as written.
func TestDrift_roundTrip(t *testing.T) {
	labels := want("a", "A", "b", "By hand", "c", "C")
	written := want("a", "A", "b", "B")
	d := Drift(labels, written)
	if !reflect.DeepEqual(d, map[string]*string{"b": sp("B"), "c": nil}) {
		t.Errorf("drift %v", d)
	}
	if got := Undrift(labels, d); !reflect.DeepEqual(got, written) {
		t.Errorf("undrift %v, want %v", got, written)
	}
	if got := Undrift(labels, nil); !reflect.DeepEqual(got, labels) {
		t.Errorf("undrift without a drift %v, want the labels", got)
	}
}
