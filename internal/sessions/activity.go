package sessions

import (
	"context"
	"time"
)

// activity is what an agent's changes in progress are doing, guarded by the
// agent's lock. It serves two purposes with one record of events:
//
//   - Batching confirmations: a confirmation that needs a new listing waits
//     until no write can land before it starts (see batchWaitLocked).
//   - Coordinating renames: all the resources of one terraform apply are
//     changed by one provider process, concurrently up to -parallelism.
//     Each Converge registers what it wants (label, archived) while it
//     runs, so that a rename whose label another session holds can tell
//     whether that session is about to give it up (wait for it), will keep
//     it (fail at once), or is not known to be changing (wait while the
//     apply makes progress, then fail).
//
// Every event (a change or write starting or ending, a confirmed write
// patching the cache) closes changed, waking whoever waits for one, and
// moves lastEvent, from which the batching's quiet period and the renames'
// idle wait are counted. A listing landing, or a change starting to wait,
// wakes the waiters but is not progress.
type activity struct {
	seq       uint64    // writes completed so far: the agent's write sequence
	writing   int       // writes in flight
	lastEvent time.Time // the last progress
	changed   chan struct{}
	// Changes in progress (Converge or a single write), how many of them
	// are waiting (for a listing or a label), and the most seen at once
	// (about -parallelism during a large apply), reached at peakAt.
	active, waiting, peak int
	peakAt                time.Time
	// intents are what each session's Converge wants, by key.
	intents map[string]*intent
	// labelWants are the keys that a guayaba_session_labels change of this
	// process wants labelled (for the rest of the process: a resource that
	// ran first wants its labels to stay), and labelClears the clears of
	// such changes in flight, each closed when it ends. See WantLabels.
	labelWants  map[string]bool
	labelClears map[string]chan struct{}
}

type intent struct {
	label    *string
	archived bool
	done     bool
}

func newActivity() activity {
	return activity{changed: make(chan struct{}), lastEvent: time.Now(), intents: map[string]*intent{},
		labelWants: map[string]bool{}, labelClears: map[string]chan struct{}{}}
}

// wakeLocked wakes every waiter, without counting as progress.
func (a *Agent) wakeLocked() {
	close(a.activity.changed)
	a.activity.changed = make(chan struct{})
}

// progressLocked records progress and wakes every waiter.
func (a *Agent) progressLocked() {
	a.activity.lastEvent = time.Now()
	a.wakeLocked()
}

type workKey struct{ a *Agent }

// enter records that a change of the agent is in progress until the
// returned func is called. Nested calls (a write within Converge) count once.
func (a *Agent) enter(ctx context.Context) (context.Context, func()) {
	if ctx.Value(workKey{a}) != nil {
		return ctx, func() {}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	act := &a.activity
	act.active++
	if act.active > act.peak {
		act.peak, act.peakAt = act.active, time.Now()
	}
	a.progressLocked()
	return context.WithValue(ctx, workKey{a}, true), func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		act.active--
		a.progressLocked()
	}
}

// intend records that key is being brought to label and archived; the
// returned func records that its change is over.
func (a *Agent) intend(key string, label *string, archived bool) func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	in := &intent{label: label, archived: archived}
	a.activity.intents[key] = in
	a.progressLocked()
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		in.done = true
		a.progressLocked()
	}
}

// wait records that a change of the agent waits (for a listing or a label)
// until the returned func is called.
func (a *Agent) wait() func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.activity.waiting++
	a.wakeLocked()
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.activity.waiting--
		a.wakeLocked()
	}
}

// beginWrite records that a write of the agent starts; the returned func
// records that it ended (with or without success) and returns its number
// in the agent's write sequence.
func (a *Agent) beginWrite() func() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.activity.writing++
	a.progressLocked()
	return func() uint64 {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.activity.writing--
		a.activity.seq++
		a.progressLocked()
		return a.activity.seq
	}
}

// latest is the number of the agent's last completed write.
func (a *Agent) latest() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.activity.seq
}

// batchWaitLocked is how long a confirmation should still wait before
// starting a listing, at most maxWait after it asked: until every change in
// progress waits, so that no write can land before the listing starts,
// and either as many changes wait as ever ran at once (Terraform cannot
// start another before one ends; once that number has held for settle, as
// the first changes of an apply arrive one by one) or none started or
// ended for settle.
func (a *Agent) batchWaitLocked(asked time.Time) time.Duration {
	act := &a.activity
	now := time.Now()
	left := a.timing.maxWait - now.Sub(asked)
	if left <= 0 {
		return 0
	}
	if act.writing > 0 || act.waiting < act.active {
		return left
	}
	if act.active >= act.peak && now.Sub(act.peakAt) >= a.timing.settle {
		return 0
	}
	quiet := a.timing.settle - now.Sub(act.lastEvent)
	if quiet <= 0 {
		return 0
	}
	return min(quiet, left)
}

// holderPlan is what this process knows of a label holder's change.
type holderPlan int

const (
	holderUnknown  holderPlan = iota // not being changed here (yet)
	holderReleases                   // being changed to another label, or archived
	holderKeeps                      // its change here keeps the label, or is over
)

// holderPlanLocked tells what the change of holder, which holds label,
// does with it.
func (a *Agent) holderPlanLocked(holder, label string) holderPlan {
	in := a.activity.intents[holder]
	switch {
	case in == nil:
		return holderUnknown
	case in.done || (!in.archived && in.label != nil && *in.label == label):
		return holderKeeps
	default:
		return holderReleases
	}
}

// changes returns a channel closed at the agent's next event, and when the
// renames' idle wait, counted from the last progress, ends.
func (a *Agent) changes() (<-chan struct{}, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.activity.changed, a.activity.lastEvent.Add(a.timing.idle)
}

// WantLabels records that a guayaba_session_labels change of this process
// wants the keys of wanted labelled, so that no clear of another labels
// change of the same apply undoes them (a key moved between two resources
// with on_destroy = "clear": the one it leaves clears it, the other sets
// it). Call it before listing the labels to plan from: it waits for the
// clears of those keys already in flight, so that the listing shows their
// outcome.
func (a *Agent) WantLabels(ctx context.Context, wanted map[string]string) error {
	a.mu.Lock()
	var inFlight []chan struct{}
	for k := range wanted {
		a.activity.labelWants[k] = true
		if c, ok := a.activity.labelClears[k]; ok {
			inFlight = append(inFlight, c)
		}
	}
	a.mu.Unlock()
	for _, c := range inFlight {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// beginClear asks to clear the label of key for a labels change. It
// refuses (ok false) when another change of this process wants the key
// labelled: a labels change (WantLabels) or a Converge that sets a label.
// Otherwise the returned func ends the clear.
func (a *Agent) beginClear(key string) (end func(), ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	act := &a.activity
	if in := act.intents[key]; act.labelWants[key] || (in != nil && in.label != nil && !in.archived) {
		return nil, false
	}
	c := make(chan struct{})
	act.labelClears[key] = c
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		close(c)
		delete(act.labelClears, key)
	}, true
}
