package sessions

import (
	"context"
	"errors"
	"time"
)

// RenameFunc performs one rename of a plan and reports whether it happened.
type RenameFunc func(ctx context.Context, r LabelRename) error

// LabelProgress is told, now and then and at the end, how far a run is.
type LabelProgress func(done, failed, total int)

// ErrNotAttempted marks a rename that was not tried because the rename that
// frees its label failed, or the run was cancelled.
var ErrNotAttempted = errors.New("not attempted")

// LabelRunResult tells what became of each rename of a plan.
type LabelRunResult struct {
	// Errs holds, by index in LabelPlan.Renames, the error of each rename
	// that did not happen (ErrNotAttempted for those never tried). A rename
	// absent from Errs succeeded.
	Errs map[int]error
	// Done counts the renames that succeeded.
	Done int
	// Complete is true when every wanted label was set: no rename failed,
	// and the plan had no conflicts and no blocked keys.
	Complete bool
	// State is what a guayaba_session_labels resource records after the
	// run: the wanted labels when complete, else what is now true (the
	// plan's state after a partial failure).
	State LabelsState
}

// progressEvery is how often a run reports progress, at most.
const progressEvery = 2 * time.Second

// RunLabelPlan runs the plan's renames, at most workers at a time, each one
// as soon as the rename that frees its label has succeeded. A failed rename
// leaves the renames that wait on it untried. Each call goes through the
// caller's rename function, so the client's throttle (a shared gate after a
// 429) paces the workers; the run adds no retries of its own.
func RunLabelPlan(ctx context.Context, plan LabelPlan, workers int, rename RenameFunc, progress LabelProgress) LabelRunResult {
	res := runRenames(ctx, plan, workers, rename, progress)
	res.Complete = len(res.Errs) == 0 && len(plan.Conflicts) == 0 && len(plan.Blocked) == 0
	if res.Complete {
		res.State = plan.complete()
	} else {
		res.State = plan.afterFailure(res.Errs)
	}
	return res
}

// RunLabels runs a plan made from cur (PlanLabels of cur.Labels) through
// the agent's renames, at most workers at a time. A clear that another
// change of this process wants undone (see WantLabels) is left out: the key
// is wanted labelled, so not clearing it is what the apply asks for.
func (a *Agent) RunLabels(ctx context.Context, cur CurrentLabels, plan LabelPlan, workers int, progress LabelProgress) LabelRunResult {
	return RunLabelPlan(ctx, plan, workers, func(ctx context.Context, rn LabelRename) error {
		if rn.To == nil && !rn.Release {
			end, ok := a.beginClear(rn.Key)
			if !ok {
				return nil
			}
			defer end()
		}
		s := cur.sessions[rn.Key]
		s.Label = rn.From
		_, err := a.Rename(ctx, s, rn.To)
		return err
	}, progress)
}

// runRenames runs the renames of RunLabelPlan.
func runRenames(ctx context.Context, plan LabelPlan, workers int, rename RenameFunc, progress LabelProgress) LabelRunResult {
	res := LabelRunResult{Errs: map[int]error{}}
	total := len(plan.Renames)
	if total == 0 {
		return res
	}
	workers = max(1, workers)
	waiters := make(map[int][]int, total) // rename → renames waiting on it
	var ready []int
	for i, r := range plan.Renames {
		if r.After < 0 {
			ready = append(ready, i)
		} else {
			waiters[r.After] = append(waiters[r.After], i)
		}
	}
	type outcome struct {
		i   int
		err error
	}
	results := make(chan outcome, workers)
	running, lastReport := 0, time.Now()
	var skip func(i int, err error)
	skip = func(i int, err error) {
		for _, w := range waiters[i] {
			res.Errs[w] = err
			skip(w, err)
		}
	}
	for len(ready) > 0 || running > 0 {
		for running < workers && len(ready) > 0 && ctx.Err() == nil {
			i := ready[0]
			ready = ready[1:]
			running++
			go func() { results <- outcome{i, rename(ctx, plan.Renames[i])} }()
		}
		if running == 0 {
			// Cancelled with renames still waiting to start.
			for _, i := range ready {
				res.Errs[i] = errors.Join(ErrNotAttempted, ctx.Err())
				skip(i, res.Errs[i])
			}
			break
		}
		o := <-results
		running--
		if o.err != nil {
			res.Errs[o.i] = o.err
			skip(o.i, ErrNotAttempted)
		} else {
			res.Done++
			ready = append(ready, waiters[o.i]...)
		}
		if progress != nil && time.Since(lastReport) >= progressEvery {
			progress(res.Done, len(res.Errs), total)
			lastReport = time.Now()
		}
	}
	if progress != nil {
		progress(res.Done, len(res.Errs), total)
	}
	return res
}
