package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// StepError is a write of Converge that failed.
type StepError struct {
	// What names the step for the user, e.g. `archive session "k"`.
	What string
	// Err is the cause: an API error, a *LabelHeldError, or a write the
	// listing did not confirm.
	Err error
	// Holder is the key of the other active session that holds the wanted
	// label when the label is in use and the listing shows who; else "".
	Holder string
}

func (e *StepError) Error() string { return "cannot " + e.What + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }

// LabelHeldError is a rename that cannot complete in this apply: another
// active session holds the wanted label and is not giving it up.
type LabelHeldError struct {
	Label  string
	Holder string
	// Keeps is true when the holder's own change in this apply keeps the
	// label (or is over); false when the holder was not seen changing
	// before the apply stopped making progress.
	Keeps bool
	// Released is the label the session gave up while it waited, if any:
	// it now has no label.
	Released *string
}

func (e *LabelHeldError) Error() string {
	why := "which this apply has not changed"
	if e.Keeps {
		why = "which keeps it in this apply"
	}
	msg := fmt.Sprintf("the label %q is held by the session with key %q, %s", e.Label, e.Holder, why)
	if e.Released != nil {
		msg += fmt.Sprintf("; this session gave up its label %q meanwhile and has no label now", *e.Released)
	}
	return msg
}

// Converge brings a session from where it is to the wanted label and archive
// state, in as few writes as possible, and returns where it ends up. A
// failed step is a *StepError.
//
// While it runs, the change is registered with the coordinator so that the
// other changes of this process can wait for the labels it gives up, and a
// wanted label held by a session that is about to give it up is waited for.
func (o *Ops) Converge(ctx context.Context, key string, cur Remote, label *string, archived bool) (Remote, error) {
	defer o.coord.register(o.agentID, key, label, archived)()
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	fail := func(what string, err error) (Remote, error) {
		se := &StepError{What: what, Err: err}
		var held *LabelHeldError
		if errors.As(err, &held) {
			se.Holder = held.Holder
		} else if IsLabelInUse(err) {
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
		s, err := o.relabel(ctx, *cur.Active, label)
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

// maxLabelInUse bounds the renames answered "label in use" although the
// listing showed the label free (a change outside this process each time).
const maxLabelInUse = 3

// relabel renames an active session to label, waiting for a holder of the
// label that is giving it up in this process. While it waits it gives up
// its own label, which another change may be waiting for (a swap, a
// rotation). It fails at once when the holder keeps the label, and when the
// holder is not being changed here, once the process has made no progress
// for the coordinator's idle time.
func (o *Ops) relabel(ctx context.Context, cur client.Session, label *string) (client.Session, error) {
	if label == nil {
		return o.Rename(ctx, cur, nil)
	}
	var released *string
	inUse, relisted := 0, false
	for {
		changed, idleEnd := o.coord.changes(o.agentID)
		holder, err := o.listings.holder(ctx, o.agentID, cur.Key, *label, 0)
		if err != nil {
			return cur, err
		}
		if holder == "" {
			s, err := o.Rename(ctx, cur, label)
			if err == nil || !IsLabelInUse(err) {
				return s, err
			}
			// The listing did not show the holder: the label was taken
			// outside this process. Learn who from a new listing.
			if inUse++; inUse > maxLabelInUse {
				return cur, err
			}
			h, lerr := o.listings.holder(ctx, o.agentID, cur.Key, *label, o.listings.latest(o.agentID))
			if lerr != nil || h == "" {
				return cur, err
			}
			continue
		}
		plan := o.coord.plan(o.agentID, holder, *label)
		if plan == holderKeeps {
			return cur, &LabelHeldError{Label: *label, Holder: holder, Keeps: true, Released: released}
		}
		if released == nil && cur.Label != nil {
			old := cur.Label
			s, err := o.Rename(ctx, cur, nil)
			if err != nil {
				return cur, err
			}
			cur, released = s, old
			continue
		}
		wait := time.Duration(-1)
		if plan == holderUnknown {
			if wait = time.Until(idleEnd); wait <= 0 {
				if !relisted {
					// Before giving up, make sure the holder was not changed
					// outside this process meanwhile.
					relisted = true
					o.listings.forget(o.agentID, sessionsKind)
					continue
				}
				return cur, &LabelHeldError{Label: *label, Holder: holder, Released: released}
			}
		}
		if err := o.waitFor(ctx, changed, wait); err != nil {
			return cur, err
		}
	}
}

// waitFor waits until changed is closed, wait has passed (a negative wait
// never passes) or ctx ends.
func (o *Ops) waitFor(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
	defer o.listings.wait(o.agentID)()
	var deadline <-chan time.Time
	if wait >= 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	select {
	case <-changed:
	case <-deadline:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
