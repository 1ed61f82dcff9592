package sessions

import (
	"context"
	"sort"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// What a guayaba_session_labels resource sees and records: the agent's
// labels as one listing shows them (CurrentLabels), and the state it
// records after a refresh or a run (LabelsState).

// CurrentLabels is one listing of an agent's active sessions, seen as
// labels: what a label plan starts from and a refresh reads.
type CurrentLabels struct {
	// Labels maps every active session's key to its label (nil: none).
	Labels   map[string]*string
	sessions map[string]client.Session
}

// CurrentLabels returns the agent's labels from its listing.
func (a *Agent) CurrentLabels(ctx context.Context) (CurrentLabels, error) {
	list, err := a.SessionList(ctx)
	if err != nil {
		return CurrentLabels{}, err
	}
	c := CurrentLabels{Labels: make(map[string]*string, len(list)), sessions: make(map[string]client.Session, len(list))}
	for _, s := range list {
		c.sessions[s.Key] = s
		c.Labels[s.Key] = s.Label
	}
	return c, nil
}

// Others returns the labels of the active sessions whose keys are not in
// managed (all of them with a nil managed), but for keys no write can name
// (see Addressable).
func (c CurrentLabels) Others(managed map[string]string) map[string]string {
	return othersOf(c.Labels, managed)
}

func othersOf(current map[string]*string, managed map[string]string) map[string]string {
	out := map[string]string{}
	for k, l := range current {
		if _, ok := managed[k]; !ok && l != nil && Addressable(k) {
			out[k] = *l
		}
	}
	return out
}

// LabelsState is what a guayaba_session_labels resource records.
type LabelsState struct {
	// Labels are the labels it manages, by key.
	Labels map[string]string
	// Missing are the keys of Labels that are not active sessions, sorted.
	Missing []string
	// Others are, with exclusive, the labels of the active sessions outside
	// Labels (none after a complete apply); nil without exclusive.
	Others map[string]string
	// Written is, by key, the label the resource itself last set
	// (LabelsInput.Written); a key without one is absent, and keys outside
	// Labels do not count. It may share its map with the input it came
	// from: read it, never change it.
	Written map[string]string
}

// Drift is what Written holds beyond labels, for storing it small: the keys
// of labels whose written label differs (nil: none written). A person
// changing labels by hand is what makes it non-empty.
func Drift(labels, written map[string]string) map[string]*string {
	out := map[string]*string{}
	for k, l := range labels {
		w, ok := written[k]
		switch {
		case !ok:
			out[k] = nil
		case w != l:
			d := w // only a drifted key allocates
			out[k] = &d
		}
	}
	return out
}

// Undrift rebuilds Written from labels and their Drift. State recorded
// before the resource kept a Drift has none: its labels count as written,
// which is what they were after its last apply. Without a drift (the usual
// case) it returns labels itself.
func Undrift(labels map[string]string, drift map[string]*string) map[string]string {
	if len(drift) == 0 {
		return labels
	}
	out := make(map[string]string, len(labels))
	for k, l := range labels {
		d, drifted := drift[k]
		switch {
		case !drifted:
			out[k] = l
		case d != nil:
			out[k] = *d
		}
	}
	return out
}

// Refresh reads each managed key's label from the listing. A key that is
// not active keeps its recorded label and is Missing; an active session
// without a label drops out, so the plan shows the entry being set again.
func (c CurrentLabels) Refresh(managed, written map[string]string, exclusive bool) LabelsState {
	st := LabelsState{Labels: make(map[string]string, len(managed)), Written: written}
	for k, v := range managed {
		l, active := c.Labels[k]
		switch {
		case !active:
			st.Labels[k] = v
			st.Missing = append(st.Missing, k)
		case l != nil:
			st.Labels[k] = *l
		}
	}
	sort.Strings(st.Missing)
	if exclusive {
		st.Others = c.Others(managed)
	}
	return st
}

// complete is the state after a run that set every wanted label.
func (p LabelPlan) complete() LabelsState {
	st := LabelsState{Labels: p.input.Wanted, Missing: p.Missing, Written: p.input.Wanted}
	if p.input.Exclusive {
		st.Others = map[string]string{}
	}
	return st
}

// afterFailure is what is true after a run in which the renames of errs
// failed (or the plan left conflicts or blocked keys): the labels that were
// set, the others as listed, and removed keys whose clear failed, which the
// resource keeps managing.
func (p LabelPlan) afterFailure(errs map[int]error) LabelsState {
	in := p.input
	now := make(map[string]*string, len(in.Current))
	for k, v := range in.Current {
		now[k] = v
	}
	// Renames run in plan order per key; the last one that happened wins.
	for i, rn := range p.Renames {
		if _, failed := errs[i]; !failed {
			now[rn.Key] = rn.To
		}
	}
	st := LabelsState{Labels: map[string]string{}, Written: map[string]string{}}
	for k, w := range in.Wanted {
		l, active := now[k]
		switch {
		case !active:
			st.Labels[k], st.Written[k] = w, w
		case l != nil:
			st.Labels[k] = *l
			if *l == w {
				st.Written[k] = w
			} else if old, ok := in.written(k); ok {
				st.Written[k] = old
			}
		}
	}
	for k := range in.Previous {
		if _, kept := in.Wanted[k]; kept {
			continue
		}
		if w, ok := in.written(k); ok {
			if l, active := now[k]; active && l != nil && *l == w {
				st.Labels[k], st.Written[k] = w, w // still labelled by this resource: keep managing it
			}
		}
	}
	for k := range st.Labels {
		if _, active := now[k]; !active {
			st.Missing = append(st.Missing, k)
		}
	}
	sort.Strings(st.Missing)
	if in.Exclusive {
		st.Others = othersOf(now, st.Labels)
	}
	return st
}
