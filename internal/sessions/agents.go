// Package sessions decides what to write to a Guayaba agent's sessions, and
// confirms every write by listing: the per-agent handle (Agent) with its
// listing cache, the tracker of the changes in progress, the one
// write-and-confirm step every write goes through, converging a session to
// a wanted label and archive state, the idempotent operations of the
// actions, and the label renames of guayaba_session_labels. It knows
// nothing of Terraform.
package sessions

import (
	"sync"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Agents hands out one Agent per agent id for the life of one configured
// provider, which Terraform creates anew for every command (and every graph
// walk within it): nothing is served across two commands, so drift made
// between them is always seen.
type Agents struct {
	client *client.Client
	timing timing

	mu   sync.Mutex
	byID map[string]*Agent
}

// timing holds the waits of an agent's changes: how a confirmation batches
// with the writes of its wave (settle, maxWait) and how long a rename waits
// without progress for a holder not being changed (idle).
type timing struct {
	// settle is how long no change may start or end before a confirmation
	// starts a listing; maxWait bounds that wait.
	settle, maxWait time.Duration
	idle            time.Duration
}

// Default batching of confirmations: a listing starts once no write has
// started or ended for settle (the writes of one wave land together), and
// never later than maxWait after the confirmation asked for it.
const (
	defaultSettle  = 500 * time.Millisecond
	defaultMaxWait = 3 * time.Second
)

// DefaultIdle is how long a rename waits for the holder of its label when
// that holder is not being changed in this process and nothing else
// happens: long enough for Terraform to start the holder's own change,
// short enough to report an impossible rename quickly.
const DefaultIdle = 5 * time.Second

// NewAgents returns the handles of one configured provider, reading and
// writing through c.
func NewAgents(c *client.Client) *Agents {
	return &Agents{client: c, timing: timing{settle: defaultSettle, maxWait: defaultMaxWait, idle: DefaultIdle},
		byID: map[string]*Agent{}}
}

// Agent returns the handle of agent id, the same one every time.
func (as *Agents) Agent(id string) *Agent {
	as.mu.Lock()
	defer as.mu.Unlock()
	a := as.byID[id]
	if a == nil {
		a = &Agent{id: id, client: as.client, timing: as.timing, activity: newActivity()}
		as.byID[id] = a
	}
	return a
}

// Agent is everything the provider does to one agent's sessions, in one
// place: the agent's listing cache (listings.go), one tracker of the
// changes in progress that both batches confirmations and coordinates
// renames (activity.go), the reads (reads.go), and the writes, each
// confirmed by a listing that started after it (writes.go). One lock
// guards all of it.
//
// Every write targets a session or archive the provider has just seen in
// a listing, and every outcome is taken from a listing, never from a
// response body.
type Agent struct {
	id     string
	client *client.Client
	timing timing

	mu       sync.Mutex
	activity activity
	feeds    [2]feed
	patches  []patch
}

// ID is the agent's id.
func (a *Agent) ID() string { return a.id }
