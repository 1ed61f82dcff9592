package sessions

import (
	"context"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// The listing cache of an agent. The API has no "get one session" call, so
// without it refreshing N resources costs N listings of N sessions. With
// it, concurrent readers share one in-flight request and later readers
// reuse its result.
//
// Writes are confirmed by listing, and a listing confirms a write only when
// it started after the write completed. Every completed write gets the next
// number of the agent's write sequence; a listing remembers the number
// current when it started and confirms every write up to it, so all the
// writes completed before a listing starts share it. At most one listing
// of each kind is in flight: a confirmation that needs a newer one waits
// for it to end, then for the writes still in flight (up to a bound), and
// starts the next one for all of them. A sweep of W archives at
// parallelism P so costs about one archive listing per wave of P writes.
//
// Confirmed writes patch the cached listings (a rename sets the label, a
// confirmed archive drops the session, a confirmed restore drops the
// archive), so readers never list again because of someone else's write.
// A listing that was in flight during a write is patched when it lands.

type kind int

const (
	sessionsKind kind = iota
	archivesKind
)

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

// read calls fn, under the lock, with a listing of the kind that started
// after write seq completed (0: any listing): the cached one when it
// qualifies, else the one in flight when it does, else a new one (after
// batching, when confirming).
func (a *Agent) read(ctx context.Context, k kind, seq uint64, fn func(*feed)) error {
	asked := time.Now()
	if seq > 0 {
		defer a.wait()()
	}
	a.mu.Lock()
	for {
		f := &a.feeds[k]
		if f.loaded && f.from >= seq {
			fn(f)
			a.mu.Unlock()
			return nil
		}
		if fl := f.flight; fl != nil {
			a.mu.Unlock()
			select {
			case <-fl.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			a.mu.Lock()
			if fl.err != nil && fl.from >= seq {
				a.mu.Unlock()
				return fl.err
			}
			continue
		}
		if seq > 0 {
			if wait := a.batchWaitLocked(asked); wait > 0 {
				ch := a.activity.changed
				a.mu.Unlock()
				if err := sleepUntil(ctx, ch, wait); err != nil {
					return err
				}
				a.mu.Lock()
				continue
			}
		}
		fl := &flight{from: a.activity.seq, done: make(chan struct{})}
		f.flight = fl
		go a.list(context.WithoutCancel(ctx), k, fl)
	}
}

// sleepUntil waits until changed is closed, wait has passed (a negative
// wait never passes) or ctx ends.
func sleepUntil(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
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

// list runs one listing and installs it. The call is shared, so it is not
// cancelled when the caller that started it gives up; the client bounds it
// (timeouts, retries).
func (a *Agent) list(ctx context.Context, k kind, fl *flight) {
	var sessions []client.Session
	var archives []client.Archive
	var err error
	if k == sessionsKind {
		sessions, err = a.client.ListSessions(ctx, a.id)
	} else {
		archives, err = a.client.ListArchives(ctx, a.id)
		SortArchives(archives)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f := &a.feeds[k]
	f.flight = nil
	fl.err = err
	close(fl.done)
	a.wakeLocked()
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

// setSession records a confirmed write's effect on an active session (nil:
// it is no longer active). seq is the write's number.
func (a *Agent) setSession(seq uint64, key string, s *client.Session) {
	a.patch(patch{seq: seq, kind: sessionsKind, name: key, session: s})
}

// setArchive records a confirmed write's effect on an archive (nil: it is
// gone).
func (a *Agent) setArchive(seq uint64, filename string, arch *client.Archive) {
	a.patch(patch{seq: seq, kind: archivesKind, name: filename, archive: arch})
}

// patch applies p to the cached listing and to the one in flight when it
// lands; it is progress, so that a rename waiting for a label sees it.
func (a *Agent) patch(p patch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := &a.feeds[p.kind]
	if f.loaded {
		f.apply(p)
	}
	if f.flight != nil && f.flight.from < p.seq {
		a.patches = append(a.patches, p)
	}
	a.progressLocked()
}

func (f *feed) apply(p patch) {
	if p.kind == sessionsKind {
		f.setSession(p.name, p.session)
		return
	}
	kept := f.list[:0:0]
	for _, arch := range f.list {
		if arch.Filename != p.name {
			kept = append(kept, arch)
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

// forget drops the agent's cached listing of a kind: the next reader lists
// again (or joins the listing in flight).
func (a *Agent) forget(k kind) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.feeds[k].loaded = false
}
