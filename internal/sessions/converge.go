package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Converge brings a session from where it is to the wanted label and archive
// state, in as few writes as possible, and returns where it ends up. A
// failed step is a *StepError.
//
// While it runs, the change is registered with the coordinator so that the
// other changes of this process can wait for the labels it gives up, and a
// wanted label held by a session that is about to give it up is waited for.
func (a *Agent) Converge(ctx context.Context, key string, cur Remote, label *string, archived bool) (Remote, error) {
	defer a.intend(key, label, archived)()
	ctx, done := a.enter(ctx)
	defer done()
	fail := func(what string, err error) (Remote, error) {
		se := &StepError{What: what, Err: err}
		var held *LabelHeldError
		if errors.As(err, &held) {
			se.Holder = held.Holder
		} else if IsLabelInUse(err) {
			se.Holder = a.LabelHolder(ctx, key, label)
		}
		return cur, se
	}

	if cur.Archive != nil && (!archived || !SameLabel(cur.Archive.Label, label)) {
		// Restore (with the wanted label when there is one), then relabel if needed.
		s, err := a.Restore(ctx, key, *cur.Archive, a.restoreLabel(ctx, key, *cur.Archive, label))
		if err != nil {
			return fail(fmt.Sprintf("restore session %q from archive %s", key, cur.Archive.Filename), err)
		}
		cur = Remote{Active: &s}
	}
	lastActive := cur.Active
	if cur.Active != nil && !SameLabel(cur.Active.Label, label) {
		s, err := a.relabel(ctx, *cur.Active, label)
		if err != nil {
			return fail(fmt.Sprintf("set the label of session %q", key), err)
		}
		cur = Remote{Active: &s}
		lastActive = cur.Active
	}
	if cur.Active != nil && archived {
		a, err := a.Archive(ctx, *cur.Active)
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
func (a *Agent) relabel(ctx context.Context, cur client.Session, label *string) (client.Session, error) {
	if label == nil {
		return a.Rename(ctx, cur, nil)
	}
	var released *string
	inUse, relisted := 0, false
	for {
		changed, idleEnd := a.changes()
		holder, plan, err := a.holder(ctx, cur.Key, *label, 0)
		if err != nil {
			return cur, err
		}
		if holder == "" {
			s, err := a.Rename(ctx, cur, label)
			if err == nil || !IsLabelInUse(err) {
				return s, err
			}
			// The listing did not show the holder: the label was taken
			// outside this process. Learn who from a new listing.
			if inUse++; inUse > maxLabelInUse {
				return cur, err
			}
			h, _, lerr := a.holder(ctx, cur.Key, *label, a.latest())
			if lerr != nil || h == "" {
				return cur, err
			}
			continue
		}
		if plan == holderKeeps {
			return cur, &LabelHeldError{Label: *label, Holder: holder, Keeps: true, Released: released}
		}
		if released == nil && cur.Label != nil {
			old := cur.Label
			s, err := a.Rename(ctx, cur, nil)
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
					a.forget(sessionsKind)
					continue
				}
				return cur, &LabelHeldError{Label: *label, Holder: holder, Released: released}
			}
		}
		if err := a.waitFor(ctx, changed, wait); err != nil {
			return cur, err
		}
	}
}

// waitFor waits, as a waiting change, until changed is closed, wait has
// passed (a negative wait never passes) or ctx ends.
func (a *Agent) waitFor(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
	defer a.wait()()
	return sleepUntil(ctx, changed, wait)
}
