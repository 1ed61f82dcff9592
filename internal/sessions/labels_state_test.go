package sessions

import (
	"context"
	"errors"
	"fmt"
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
// whose session has no label, keeps what the resource wrote, and without
// exclusive records no others.
func TestCurrentLabels_Refresh(t *testing.T) {
	c := CurrentLabels{Labels: labels("a", "A2", "b", "", "other", "O")}
	written := want("a", "A", "b", "B", "gone", "G")
	got := c.Refresh(want("a", "A", "b", "B", "gone", "G"), written, false)
	want := LabelsState{Labels: map[string]string{"a": "A2", "gone": "G"}, Missing: []string{"gone"}, Written: written}
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

// What a refresh of n labels costs with Written kept: Undrift of the
// stored drift, Refresh, and Drift of the result, as every Read does; with
// no label changed by hand (the usual case) and with one in ten. Compare
// "refresh only", a Refresh without Written.
func BenchmarkRefreshWritten(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		for _, byHand := range []int{0, 10} {
			cur := CurrentLabels{Labels: make(map[string]*string, n)}
			managed := make(map[string]string, n)
			for i := range n {
				k, l := fmt.Sprintf("agent:main:webchat:direct:%06d", i), fmt.Sprintf("label-%06d", i)
				managed[k] = l
				if byHand > 0 && i%byHand == 0 {
					l += " by hand"
				}
				cur.Labels[k] = &l
			}
			b.Run(fmt.Sprintf("n=%d/by_hand_every=%d", n, byHand), func(b *testing.B) {
				var drift map[string]*string
				b.ReportAllocs()
				for b.Loop() {
					st := cur.Refresh(managed, Undrift(managed, drift), false)
					drift = Drift(st.Labels, st.Written)
				}
			})
			if byHand == 0 {
				b.Run(fmt.Sprintf("n=%d/refresh_only", n), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						cur.Refresh(managed, nil, false)
					}
				})
			}
		}
	}
}
