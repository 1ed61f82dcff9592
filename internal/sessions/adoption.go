package sessions

import (
	"context"
	"errors"
	"fmt"
)

// What a plan can tell about adopting a session before apply tries it.
//
// Creating a guayaba_session adopts an active session of the agent; apply
// fails when the agent's listing does not show the key, or when the
// listing itself fails (an unknown or stopped agent, a key refused, an
// agent key of another agent or without agent:manage). The plan reads the
// same listing, from the agent's cache, so it costs no request beyond the
// one listing per agent the plan's refresh makes anyway, and it fails with
// what apply would fail with.
//
// The scope is known without writing anything: every Sessions call needs
// agent:manage, the listing too (the platform's reference says so of each
// endpoint), so a key without it fails the listing with the same 403 a
// write would get. Should a listing ever pass where a write is refused, the
// check says nothing false: it only reports what the listing answered.
//
// The check is a prediction from the listing at plan time; apply checks
// again, and a session that leaves (or arrives) in between is judged by
// apply's own listing as before.

// ErrNoActiveSession matches an adoption of a key that the agent's listing
// does not show (a *NoActiveSessionError).
var ErrNoActiveSession = errors.New("no active session with this key")

// NoActiveSessionError is a key that is not among an agent's active
// sessions, so that there is nothing to adopt.
type NoActiveSessionError struct {
	AgentID, Key string
}

func (e *NoActiveSessionError) Error() string {
	return fmt.Sprintf("agent %s has no active session with key %q", e.AgentID, e.Key)
}

// Is matches ErrNoActiveSession.
func (e *NoActiveSessionError) Is(target error) bool { return target == ErrNoActiveSession }

// CheckAdoption reports whether key can be adopted as apply would adopt it:
// nil when the agent's active sessions hold key; a *NoActiveSessionError
// when they do not; else the listing's own error (the client's typed
// errors: agent not found, not running, unauthorized, scope, another
// agent's key, ...). It reads the agent's cached listing, shared with every
// other read of this provider process, and writes nothing.
func (a *Agent) CheckAdoption(ctx context.Context, key string) error {
	_, ok, err := a.Session(ctx, key)
	switch {
	case err != nil:
		return err
	case !ok:
		return &NoActiveSessionError{AgentID: a.id, Key: key}
	}
	return nil
}
