package sessions

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Listings holds the session and archive listings of each agent for the
// life of one configured provider, which Terraform creates anew for every
// command (and every graph walk within it): nothing is served across two
// commands, so drift made between them is always seen.
//
// The API has no "get one session" call, so without this cache refreshing N
// resources costs N listings of N sessions. With it, concurrent readers of
// one agent share one in-flight request and later readers reuse its result.
//
// Writes are confirmed by listing, and a listing confirms a write only when
// it started after the write completed. Every completed write of an agent
// gets the next number of that agent's write sequence; a listing remembers
// the number current when it started and confirms every write up to it, so
// all the writes completed before a listing starts share it. At most one
// listing of each kind per agent is in flight: a confirmation that needs a
// newer one waits for it to end, then for the writes still in flight (up to
// a bound), and starts the next one for all of them. A sweep of W archives
// at parallelism P so costs about one archive listing per wave of P writes.
//
// Confirmed writes patch the cached listings (a rename sets the label, a
// confirmed archive drops the session, a confirmed restore drops the
// archive), so readers never list again because of someone else's write.
// A listing that was in flight during a write is patched when it lands.
type Listings struct {
	client *client.Client
	// coord coordinates the changes made through these listings (one
	// configured provider: one terraform command's graph walk).
	coord *Coordinator
	// settle is how long no write must start or end before a confirmation
	// starts a listing; maxWait bounds that wait.
	settle, maxWait time.Duration

	mu     sync.Mutex
	agents map[string]*agentListings
}

// Default batching of confirmations: a listing starts once no write has
// started or ended for settle (the writes of one wave land together), and
// never later than maxWait after the confirmation asked for it.
const (
	defaultSettle  = 500 * time.Millisecond
	defaultMaxWait = 3 * time.Second
)

type kind int

const (
	sessionsKind kind = iota
	archivesKind
)

type agentListings struct {
	seq       uint64    // writes completed so far
	writing   int       // writes in flight
	lastEvent time.Time // the last write or change start or end
	changed   chan struct{}
	// Changes in progress (Converge or a single write), how many of them
	// are waiting (for a listing or a label), and the most seen at once
	// (about -parallelism during a large apply), reached at peakAt.
	active, waiting, peak int
	peakAt                time.Time

	feeds   [2]feed
	patches []patch
}

// feed is one listing of an agent: sessions (byKey, byLabel) or archives
// (list, oldest first).
type feed struct {
	loaded  bool
	from    uint64 // the write sequence when the loaded listing started
	byKey   map[string]client.Session
	byLabel map[string]string
	list    []client.Archive
	flight  *flight
}

type flight struct {
	from uint64
	done chan struct{}
	err  error
}

// patch is a confirmed write's effect on a listing: set (or with a nil
// value remove) one session by key or one archive by filename.
type patch struct {
	seq     uint64
	kind    kind
	name    string
	session *client.Session
	archive *client.Archive
}

// NewListings returns an empty cache that lists through c.
func NewListings(c *client.Client) *Listings {
	return &Listings{client: c, coord: NewCoordinator(), settle: defaultSettle, maxWait: defaultMaxWait,
		agents: map[string]*agentListings{}}
}

// SetBatching tunes how confirmations wait for each other (see Listings).
func (lc *Listings) SetBatching(settle, maxWait time.Duration) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.settle, lc.maxWait = settle, maxWait
}

func (lc *Listings) agentLocked(agentID string) *agentListings {
	a := lc.agents[agentID]
	if a == nil {
		a = &agentListings{changed: make(chan struct{})}
		lc.agents[agentID] = a
	}
	return a
}

// broadcastLocked wakes every confirmation waiting for a change.
func (a *agentListings) broadcastLocked() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// Session looks one active session up by key in the agent's listing.
func (lc *Listings) Session(ctx context.Context, agentID, key string) (client.Session, bool, error) {
	return lc.sessionAfter(ctx, agentID, key, 0)
}

// sessionAfter looks key up in a sessions listing that started after write
// seq completed (0: any listing).
func (lc *Listings) sessionAfter(ctx context.Context, agentID, key string, seq uint64) (client.Session, bool, error) {
	var found client.Session
	var ok bool
	err := lc.read(ctx, agentID, sessionsKind, seq, func(f *feed) { found, ok = f.byKey[key] })
	return found, ok, err
}

// SessionList returns the agent's active sessions sorted by key.
func (lc *Listings) SessionList(ctx context.Context, agentID string) ([]client.Session, error) {
	var out []client.Session
	err := lc.read(ctx, agentID, sessionsKind, 0, func(f *feed) {
		out = make([]client.Session, 0, len(f.byKey))
		for _, s := range f.byKey {
			out = append(out, s)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// holder returns the key of the active session other than key that holds
// label, from a listing that started after write seq (0: any listing).
func (lc *Listings) holder(ctx context.Context, agentID, key, label string, seq uint64) (string, error) {
	var h string
	err := lc.read(ctx, agentID, sessionsKind, seq, func(f *feed) {
		if k, ok := f.byLabel[label]; ok && k != key {
			h = k
		}
	})
	return h, err
}

// Archives returns the agent's archives, sorted by archivedAt then filename.
func (lc *Listings) Archives(ctx context.Context, agentID string) ([]client.Archive, error) {
	return lc.archivesAfter(ctx, agentID, 0)
}

// archivesAfter returns the archives from a listing that started after
// write seq completed (0: any listing).
func (lc *Listings) archivesAfter(ctx context.Context, agentID string, seq uint64) ([]client.Archive, error) {
	var out []client.Archive
	err := lc.read(ctx, agentID, archivesKind, seq, func(f *feed) { out = append([]client.Archive(nil), f.list...) })
	return out, err
}

// read calls fn, under the lock, with a listing of the kind that started
// after write seq completed: the cached one when it qualifies, else the one
// in flight when it does, else a new one (after batching, when confirming).
func (lc *Listings) read(ctx context.Context, agentID string, k kind, seq uint64, fn func(*feed)) error {
	asked := time.Now()
	if seq > 0 {
		defer lc.wait(agentID)()
	}
	lc.mu.Lock()
	for {
		a := lc.agentLocked(agentID)
		f := &a.feeds[k]
		if f.loaded && f.from >= seq {
			fn(f)
			lc.mu.Unlock()
			return nil
		}
		if fl := f.flight; fl != nil {
			lc.mu.Unlock()
			select {
			case <-fl.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			lc.mu.Lock()
			if fl.err != nil && fl.from >= seq {
				lc.mu.Unlock()
				return fl.err
			}
			continue
		}
		if seq > 0 {
			if wait := lc.batchWaitLocked(a, asked); wait > 0 {
				ch := a.changed
				lc.mu.Unlock()
				t := time.NewTimer(wait)
				select {
				case <-ch:
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				}
				t.Stop()
				lc.mu.Lock()
				continue
			}
		}
		fl := &flight{from: a.seq, done: make(chan struct{})}
		f.flight = fl
		go lc.list(context.WithoutCancel(ctx), agentID, k, fl)
	}
}

// batchWaitLocked is how long a confirmation should still wait before
// starting a listing, at most maxWait after it asked: until every change in
// progress waits, so that no write can land before the listing starts,
// and either as many changes wait as ever ran at once (Terraform cannot
// start another before one ends; once that number has held for settle, as
// the first changes of an apply arrive one by one) or none started or
// ended for settle.
func (lc *Listings) batchWaitLocked(a *agentListings, asked time.Time) time.Duration {
	now := time.Now()
	left := lc.maxWait - now.Sub(asked)
	if left <= 0 {
		return 0
	}
	if a.writing > 0 || a.waiting < a.active {
		return left
	}
	if a.active >= a.peak && now.Sub(a.peakAt) >= lc.settle {
		return 0
	}
	quiet := lc.settle - now.Sub(a.lastEvent)
	if quiet <= 0 {
		return 0
	}
	return min(quiet, left)
}

type workKey struct{ lc *Listings }

// enter records that a change of the agent is in progress until the
// returned func is called. Nested calls (a write within Converge) count once.
func (lc *Listings) enter(ctx context.Context, agentID string) (context.Context, func()) {
	if ctx.Value(workKey{lc}) != nil {
		return ctx, func() {}
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	a := lc.agentLocked(agentID)
	a.active++
	if a.active > a.peak {
		a.peak, a.peakAt = a.active, time.Now()
	}
	a.lastEvent = time.Now()
	a.broadcastLocked()
	return context.WithValue(ctx, workKey{lc}, true), func() {
		lc.mu.Lock()
		defer lc.mu.Unlock()
		a.active--
		a.lastEvent = time.Now()
		a.broadcastLocked()
	}
}

// wait records that a change of the agent waits (for a listing or a label)
// until the returned func is called.
func (lc *Listings) wait(agentID string) func() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	a := lc.agentLocked(agentID)
	a.waiting++
	a.broadcastLocked()
	return func() {
		lc.mu.Lock()
		defer lc.mu.Unlock()
		a.waiting--
		a.broadcastLocked()
	}
}

// list runs one listing and installs it. The call is shared, so it is not
// cancelled when the caller that started it gives up; the client bounds it
// (timeouts, retries).
func (lc *Listings) list(ctx context.Context, agentID string, k kind, fl *flight) {
	var sessions []client.Session
	var archives []client.Archive
	var err error
	if k == sessionsKind {
		sessions, err = lc.client.ListSessions(ctx, agentID)
	} else {
		archives, err = lc.client.ListArchives(ctx, agentID)
		SortArchives(archives)
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	a := lc.agentLocked(agentID)
	f := &a.feeds[k]
	f.flight = nil
	fl.err = err
	close(fl.done)
	a.broadcastLocked()
	if err != nil {
		return
	}
	f.loaded, f.from = true, fl.from
	if k == sessionsKind {
		f.byKey = make(map[string]client.Session, len(sessions))
		f.byLabel = make(map[string]string, len(sessions))
		for _, s := range sessions {
			f.setSession(s.Key, &s)
		}
	} else {
		f.list = archives
	}
	// Writes confirmed while the listing was in flight may be missing from it.
	kept := a.patches[:0]
	for _, p := range a.patches {
		if p.kind != k {
			kept = append(kept, p)
		} else if p.seq > fl.from {
			f.apply(p)
		}
	}
	a.patches = kept
}

// beginWrite records that a write of the agent starts; the returned func
// records that it ended (with or without success) and returns its number
// in the agent's write sequence.
func (lc *Listings) beginWrite(agentID string) func() uint64 {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	a := lc.agentLocked(agentID)
	a.writing++
	a.lastEvent = time.Now()
	a.broadcastLocked()
	return func() uint64 {
		lc.mu.Lock()
		defer lc.mu.Unlock()
		a.writing--
		a.seq++
		a.lastEvent = time.Now()
		a.broadcastLocked()
		return a.seq
	}
}

// setSession records a confirmed write's effect on an active session (nil:
// it is no longer active). seq is the write's number.
func (lc *Listings) setSession(agentID string, seq uint64, key string, s *client.Session) {
	lc.patch(agentID, patch{seq: seq, kind: sessionsKind, name: key, session: s})
}

// setArchive records a confirmed write's effect on an archive (nil: it is
// gone).
func (lc *Listings) setArchive(agentID string, seq uint64, filename string, a *client.Archive) {
	lc.patch(agentID, patch{seq: seq, kind: archivesKind, name: filename, archive: a})
}

func (lc *Listings) patch(agentID string, p patch) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	a := lc.agentLocked(agentID)
	f := &a.feeds[p.kind]
	if f.loaded {
		f.apply(p)
	}
	if f.flight != nil && f.flight.from < p.seq {
		a.patches = append(a.patches, p)
	}
}

func (f *feed) apply(p patch) {
	if p.kind == sessionsKind {
		f.setSession(p.name, p.session)
		return
	}
	kept := f.list[:0:0]
	for _, a := range f.list {
		if a.Filename != p.name {
			kept = append(kept, a)
		}
	}
	if p.archive != nil {
		kept = append(kept, *p.archive)
		SortArchives(kept)
	}
	f.list = kept
}

func (f *feed) setSession(key string, s *client.Session) {
	if old, ok := f.byKey[key]; ok && old.Label != nil && f.byLabel[*old.Label] == key {
		delete(f.byLabel, *old.Label)
	}
	if s == nil {
		delete(f.byKey, key)
		return
	}
	f.byKey[key] = *s
	if s.Label != nil {
		f.byLabel[*s.Label] = key
	}
}

// cachedArchives returns the archives as last listed, without listing.
func (lc *Listings) cachedArchives(agentID string) []client.Archive {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return append([]client.Archive(nil), lc.agentLocked(agentID).feeds[archivesKind].list...)
}

// latest is the number of the agent's last completed write.
func (lc *Listings) latest(agentID string) uint64 {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.agentLocked(agentID).seq
}

// forget drops the agent's cached listing of a kind: the next reader lists
// again (or joins the listing in flight).
func (lc *Listings) forget(agentID string, k kind) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.agentLocked(agentID).feeds[k].loaded = false
}

// sessionByID finds the active session that carries a session id, in a
// listing that started after write seq (0: any listing).
func (lc *Listings) sessionByID(ctx context.Context, agentID, sessionID string, seq uint64) (client.Session, bool, error) {
	var found client.Session
	var ok bool
	err := lc.read(ctx, agentID, sessionsKind, seq, func(f *feed) {
		for _, s := range f.byKey {
			if s.SessionID == sessionID {
				found, ok = s, true
				return
			}
		}
	})
	return found, ok, err
}
