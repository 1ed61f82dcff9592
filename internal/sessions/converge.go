package sessions

import (
	"context"
	"fmt"
)

// StepError is a write of Converge that failed.
type StepError struct {
	// What names the step for the user, e.g. `archive session "k"`.
	What string
	// Err is the cause: an API error, or a write the listing did not confirm.
	Err error
	// Holder is the key of the other active session that holds the wanted
	// label when Err is a "label already in use" answer and the listing
	// shows who; else "".
	Holder string
}

func (e *StepError) Error() string { return "cannot " + e.What + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }

// Converge brings a session from where it is to the wanted label and archive
// state, in as few writes as possible, and returns where it ends up. A
// failed step is a *StepError.
func (o *Ops) Converge(ctx context.Context, key string, cur Remote, label *string, archived bool) (Remote, error) {
	fail := func(what string, err error) (Remote, error) {
		se := &StepError{What: what, Err: err}
		if IsLabelInUse(err) {
			se.Holder = o.LabelHolder(ctx, key, label)
		}
		return cur, se
	}

	if cur.Archive != nil && (!archived || !SameLabel(cur.Archive.Label, label)) {
		// Restore (with the wanted label when there is one), then relabel if needed.
		s, err := o.Restore(ctx, key, *cur.Archive, o.restoreLabel(ctx, key, *cur.Archive, label))
		if err != nil {
			return fail(fmt.Sprintf("restore session %q from archive %s", key, cur.Archive.Filename), err)
		}
		cur = Remote{Active: &s}
	}
	lastActive := cur.Active
	if cur.Active != nil && !SameLabel(cur.Active.Label, label) {
		s, err := o.Rename(ctx, *cur.Active, label)
		if err != nil {
			return fail(fmt.Sprintf("set the label of session %q", key), err)
		}
		cur = Remote{Active: &s}
		lastActive = cur.Active
	}
	if cur.Active != nil && archived {
		a, err := o.Archive(ctx, *cur.Active)
		if err != nil {
			return fail(fmt.Sprintf("archive session %q", key), err)
		}
		cur = Remote{Archive: &a}
	}
	cur.LastActive = lastActive
	return cur, nil
}
