package sessions

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Listings holds the session and archive listings of each agent for the
// life of one configured provider, which Terraform creates anew for every
// command (and every graph walk within it): nothing is served across two
// commands, so drift made between them is always seen.
//
// The API has no "get one session" call, so without this cache refreshing N
// resources costs N listings of N sessions. With it, concurrent readers of
// one agent share one in-flight request (singleflight) and later readers
// reuse its result. Writes keep the cache true: a rename updates the cached
// session in place; an archive, restore or delete drops the listings it
// changes so that the next reader lists again and sees the platform's state.
type Listings struct {
	client *client.Client
	group  singleflight.Group

	mu       sync.Mutex
	sessions map[string]*sessionsEntry
	archives map[string]*archivesEntry
}

type sessionsEntry struct {
	gen    uint64
	loaded bool
	byKey  map[string]client.Session
}

type archivesEntry struct {
	gen    uint64
	loaded bool
	list   []client.Archive
}

// NewListings returns an empty cache that lists through c.
func NewListings(c *client.Client) *Listings {
	return &Listings{
		client:   c,
		sessions: map[string]*sessionsEntry{},
		archives: map[string]*archivesEntry{},
	}
}

func (lc *Listings) sessionsEntryLocked(agentID string) *sessionsEntry {
	e := lc.sessions[agentID]
	if e == nil {
		e = &sessionsEntry{}
		lc.sessions[agentID] = e
	}
	return e
}

func (lc *Listings) archivesEntryLocked(agentID string) *archivesEntry {
	e := lc.archives[agentID]
	if e == nil {
		e = &archivesEntry{}
		lc.archives[agentID] = e
	}
	return e
}

// Session looks one active session up by key in the agent's listing.
func (lc *Listings) Session(ctx context.Context, agentID, key string) (client.Session, bool, error) {
	var found client.Session
	var ok bool
	err := lc.withSessions(ctx, agentID, func(byKey map[string]client.Session) {
		found, ok = byKey[key]
	})
	return found, ok, err
}

// SessionList returns the agent's active sessions sorted by key.
func (lc *Listings) SessionList(ctx context.Context, agentID string) ([]client.Session, error) {
	var out []client.Session
	err := lc.withSessions(ctx, agentID, func(byKey map[string]client.Session) {
		out = make([]client.Session, 0, len(byKey))
		for _, s := range byKey {
			out = append(out, s)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// withSessions lists the agent's sessions once (shared by concurrent callers)
// and calls fn with the listing while no write can change it. fn must not
// keep the map.
func (lc *Listings) withSessions(ctx context.Context, agentID string, fn func(map[string]client.Session)) error {
	lc.mu.Lock()
	e := lc.sessionsEntryLocked(agentID)
	if e.loaded {
		fn(e.byKey)
		lc.mu.Unlock()
		return nil
	}
	gen := e.gen
	lc.mu.Unlock()

	// Callers share a listing only within one generation: a caller that has
	// just written (and so bumped the generation) never joins a listing that
	// started before its write, which could not show it.
	v, err := lc.do(ctx, fmt.Sprintf("sessions/%s/%d", agentID, gen), func(fctx context.Context) (any, error) {
		list, err := lc.client.ListSessions(fctx, agentID)
		if err != nil {
			return nil, err
		}
		byKey := make(map[string]client.Session, len(list))
		for _, s := range list {
			byKey[s.Key] = s
		}
		lc.mu.Lock()
		if e := lc.sessionsEntryLocked(agentID); e.gen == gen {
			e.loaded, e.byKey = true, byKey
		}
		lc.mu.Unlock()
		return byKey, nil
	})
	if err != nil {
		return err
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if e := lc.sessionsEntryLocked(agentID); e.loaded {
		fn(e.byKey)
	} else {
		// A write dropped the listing while it was in flight; the fetched
		// map is no longer shared with the cache, so nothing mutates it.
		fn(v.(map[string]client.Session))
	}
	return nil
}

// Archives returns the agent's archives, sorted by archivedAt then filename.
func (lc *Listings) Archives(ctx context.Context, agentID string) ([]client.Archive, error) {
	lc.mu.Lock()
	e := lc.archivesEntryLocked(agentID)
	if e.loaded {
		out := append([]client.Archive(nil), e.list...)
		lc.mu.Unlock()
		return out, nil
	}
	gen := e.gen
	lc.mu.Unlock()

	v, err := lc.do(ctx, fmt.Sprintf("archives/%s/%d", agentID, gen), func(fctx context.Context) (any, error) {
		list, err := lc.client.ListArchives(fctx, agentID)
		if err != nil {
			return nil, err
		}
		SortArchives(list)
		lc.mu.Lock()
		if e := lc.archivesEntryLocked(agentID); e.gen == gen {
			e.loaded, e.list = true, list
		}
		lc.mu.Unlock()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return append([]client.Archive(nil), v.([]client.Archive)...), nil
}

// do runs fn once for all concurrent callers of key. The shared call is not
// cancelled when one caller gives up; each caller still returns as soon as
// its own context ends. The client bounds the call itself (timeouts, retries).
func (lc *Listings) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	ch := lc.group.DoChan(key, func() (any, error) {
		return fn(context.WithoutCancel(ctx))
	})
	select {
	case r := <-ch:
		return r.Val, r.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// SetSession records a session's new state after a confirmed write.
func (lc *Listings) SetSession(agentID string, s client.Session) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e := lc.sessionsEntryLocked(agentID)
	e.gen++
	if e.loaded {
		e.byKey[s.Key] = s
	}
}

// InvalidateSessions drops the agent's session listing: the next reader lists again.
func (lc *Listings) InvalidateSessions(agentID string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e := lc.sessionsEntryLocked(agentID)
	e.gen++
	e.loaded, e.byKey = false, nil
}

// InvalidateArchives drops the agent's archive listing: the next reader lists again.
func (lc *Listings) InvalidateArchives(agentID string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e := lc.archivesEntryLocked(agentID)
	e.gen++
	e.loaded, e.list = false, nil
}
