package sessions

import (
	"sync"
	"time"
)

// Coordinator lets the changes of one provider process see each other. All
// the resources of one terraform apply are changed by one provider process,
// concurrently up to -parallelism: each change registers what it wants
// (label, archived) while it runs, and every write is announced, so that a
// rename whose label another session holds can tell whether that session is
// about to give it up (wait for it), will keep it (fail at once), or is not
// known to be changing (wait while the apply makes progress, then fail).
type Coordinator struct {
	idle time.Duration

	mu     sync.Mutex
	agents map[string]*agentIntents
}

// DefaultIdle is how long a rename waits for the holder of its label when
// that holder is not being changed in this process and nothing else
// happens: long enough for Terraform to start the holder's own change,
// short enough to report an impossible rename quickly.
const DefaultIdle = 5 * time.Second

type agentIntents struct {
	byKey   map[string]*intent
	changed chan struct{}
	last    time.Time
}

type intent struct {
	label    *string
	archived bool
	done     bool
}

// NewCoordinator returns a coordinator that gives up on unknown holders
// after DefaultIdle without progress.
func NewCoordinator() *Coordinator {
	return &Coordinator{idle: DefaultIdle, agents: map[string]*agentIntents{}}
}

// SetIdle changes how long a rename waits without progress for a holder
// that is not being changed.
func (c *Coordinator) SetIdle(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = d
}

func (c *Coordinator) agentLocked(agentID string) *agentIntents {
	a := c.agents[agentID]
	if a == nil {
		a = &agentIntents{byKey: map[string]*intent{}, changed: make(chan struct{}), last: time.Now()}
		c.agents[agentID] = a
	}
	return a
}

func (a *agentIntents) eventLocked() {
	a.last = time.Now()
	close(a.changed)
	a.changed = make(chan struct{})
}

// register records that key is being brought to label and archived; the
// returned func records that its change is over.
func (c *Coordinator) register(agentID, key string, label *string, archived bool) func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.agentLocked(agentID)
	in := &intent{label: label, archived: archived}
	a.byKey[key] = in
	a.eventLocked()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		in.done = true
		a.eventLocked()
	}
}

// notify announces a write of the agent.
func (c *Coordinator) notify(agentID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.agentLocked(agentID).eventLocked()
}

// holderPlan is what this process knows of a label holder's change.
type holderPlan int

const (
	holderUnknown  holderPlan = iota // not being changed here (yet)
	holderReleases                   // being changed to another label, or archived
	holderKeeps                      // its change here keeps the label, or is over
)

func (c *Coordinator) plan(agentID, holder, label string) holderPlan {
	c.mu.Lock()
	defer c.mu.Unlock()
	in := c.agentLocked(agentID).byKey[holder]
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
// agent's idle wait, counted from its last event, ends.
func (c *Coordinator) changes(agentID string) (<-chan struct{}, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.agentLocked(agentID)
	return a.changed, a.last.Add(c.idle)
}
