package sessions

import (
	"context"
	"errors"
	"fmt"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// A write is one request and the evidence that proves it happened. Every
// write of the provider goes through Agent.write, which sends the request
// and then judges it by listings that started after it completed: never by
// its response body, and never by what a listing before the write already
// showed.
type write struct {
	// change names the write in a "not confirmed" error, e.g. "the
	// archive request".
	change string
	// send makes the request.
	send func(ctx context.Context) error
	// shown tells whether listings that started after write seq completed
	// show the change; when they do not, instead says what they show.
	shown func(ctx context.Context, seq uint64) (ok bool, instead string, err error)
	// done, when set, records a shown change in the cache.
	done func(seq uint64)
	// asSent, when set, takes a 2xx answer as the change made as sent and
	// records it without listing (a rename: the platform stores a label as
	// sent, and labels are checked at plan time to need no trimming).
	asSent func(seq uint64)
}

// outcome is what the listings say of one write.
type outcome int

const (
	// confirmed: a listing that started after the write shows the change
	// (or, for a rename answered 2xx, it was recorded as sent).
	confirmed outcome = iota
	// refused: the platform refused the write, which cannot have happened.
	refused
	// failed: the write failed in a way that may have happened anyway (a
	// lost response, a gateway error), and the listing does not show it;
	// or the listing itself failed.
	failed
	// unconfirmed: the platform accepted the write, but the listing does
	// not show it (a *NotConfirmedError).
	unconfirmed
)

// write sends w and judges it; the error is nil exactly when the outcome
// is confirmed.
func (a *Agent) write(ctx context.Context, w write) (outcome, error) {
	ctx, done := a.enter(ctx)
	defer done()
	end := a.beginWrite()
	err := w.send(ctx)
	seq := end()
	switch {
	case err == nil && w.asSent != nil:
		w.asSent(seq)
		return confirmed, nil
	case err != nil && !MayHaveApplied(err):
		return refused, err
	}
	ok, instead, lerr := w.shown(ctx, seq)
	switch {
	case ok && lerr == nil:
		if w.done != nil {
			w.done(seq)
		}
		return confirmed, nil
	case err != nil:
		return failed, err
	case lerr != nil:
		return failed, lerr
	}
	return unconfirmed, &NotConfirmedError{Change: w.change, Instead: instead}
}

// Rename sets an active session's label and returns the session as it now is.
func (a *Agent) Rename(ctx context.Context, cur client.Session, label *string) (client.Session, error) {
	_, err := a.write(ctx, write{
		change: "the rename",
		send:   func(ctx context.Context) error { return a.client.Rename(ctx, a.id, cur.Key, label) },
		asSent: func(seq uint64) {
			cur.Label, cur.LabelPresent = label, true
			a.setSession(seq, cur.Key, &cur)
		},
		shown: func(ctx context.Context, seq uint64) (bool, string, error) {
			s, ok, err := a.sessionAfter(ctx, cur.Key, seq)
			if err != nil || !ok || s.SessionID != cur.SessionID || !SameLabel(s.Label, label) {
				return false, fmt.Sprintf("session %q does not have the label", cur.Key), err
			}
			cur = s
			return true, "", nil
		},
	})
	if err != nil {
		return client.Session{}, err
	}
	return cur, nil
}

// Archive archives an active session and returns its archive. Only an
// archive of the session that no listing before the write showed proves
// it, so the archives are listed (or taken from the cache) first: a
// session the platform lists both active and archived is not taken for
// archived by a write that did nothing. Only when the archive listing does
// not prove it are the active sessions listed, to say what happened.
func (a *Agent) Archive(ctx context.Context, cur client.Session) (client.Archive, error) {
	ctx, done := a.enter(ctx)
	defer done()
	before, err := a.Archives(ctx)
	if err != nil {
		return client.Archive{}, err
	}
	known := map[string]bool{}
	for _, arch := range before {
		known[arch.Filename] = true
	}
	var got client.Archive
	_, err = a.write(ctx, write{
		change: "the archive request",
		send:   func(ctx context.Context) error { return a.client.Archive(ctx, a.id, cur.Key) },
		shown: func(ctx context.Context, seq uint64) (bool, string, error) {
			archives, err := a.archivesAfter(ctx, seq)
			if err != nil {
				return false, "", err
			}
			if arch, ok := newArchiveOf(archives, cur.SessionID, known); ok {
				got = arch
				return true, "", nil
			}
			if left, instead, err := a.sessionLeft(ctx, cur, seq); !left {
				return false, instead, err
			}
			return false, fmt.Sprintf("session %q left the active sessions, but no new archive of session id %s appeared",
				cur.Key, cur.SessionID), nil
		},
		done: func(seq uint64) { a.setSession(seq, cur.Key, nil) },
	})
	return got, err
}

// newArchiveOf returns the newest archive of sessionID whose filename is
// not in known. archives must be sorted oldest first.
func newArchiveOf(archives []client.Archive, sessionID string, known map[string]bool) (client.Archive, bool) {
	for i := len(archives) - 1; i >= 0; i-- {
		if archives[i].SessionID == sessionID && !known[archives[i].Filename] {
			return archives[i], true
		}
	}
	return client.Archive{}, false
}

// Restore restores an archive under its original key and returns the active
// session. label nil keeps the archive's label.
func (a *Agent) Restore(ctx context.Context, key string, arch client.Archive, label *string) (client.Session, error) {
	return a.restore(ctx, key, arch, label)
}

// restore is the one restore of the provider. key is the archive's own key,
// or "" when the caller does not know it (an action names only the archive,
// and archives do not carry their key): then the restored session is found
// by its session id, and only the platform can refuse a held key (409).
//
// The evidence is an active session with the archive's session id, under
// key when known, that no listing before the write showed; a session the
// platform already listed active (both active and archived) is restored
// only once the archive has left the archive listing.
func (a *Agent) restore(ctx context.Context, key string, arch client.Archive, label *string) (client.Session, error) {
	ctx, done := a.enter(ctx)
	defer done()
	s, active, err := a.restoreTarget(ctx, key, arch.SessionID, 0)
	if err != nil {
		return client.Session{}, err
	}
	if active && s.SessionID != arch.SessionID {
		return client.Session{}, fmt.Errorf("%w: the key %q is held by another active session (session id %s), so archive %s cannot be "+
			"restored under it; archive or delete that session first", ErrKeyHeld, key, s.SessionID, arch.Filename)
	}
	wasActive := active
	_, err = a.write(ctx, write{
		change: "the restore of archive " + arch.Filename,
		send:   func(ctx context.Context) error { return a.client.Restore(ctx, a.id, arch.Filename, label) },
		shown: func(ctx context.Context, seq uint64) (bool, string, error) {
			after, ok, err := a.restoreTarget(ctx, key, arch.SessionID, seq)
			switch {
			case err != nil || (!ok && key == ""):
				return false, "no active session with session id " + arch.SessionID + " appeared", err
			case !ok || after.SessionID != arch.SessionID:
				return false, fmt.Sprintf("session %q is not active", key), nil
			}
			s = after
			if !wasActive {
				return true, "", nil
			}
			return a.archiveLeft(ctx, arch.Filename, seq)
		},
		done: func(seq uint64) { a.setArchive(seq, arch.Filename, nil) },
	})
	if err != nil {
		return client.Session{}, err
	}
	return s, nil
}

// restoreTarget finds where an archive is restored to, in a sessions
// listing that started after write seq: the session active under key, or
// with key "" the active session with the archive's session id.
func (a *Agent) restoreTarget(ctx context.Context, key, sessionID string, seq uint64) (client.Session, bool, error) {
	if key == "" {
		return a.sessionByID(ctx, sessionID, seq)
	}
	return a.sessionAfter(ctx, key, seq)
}

// DeleteSession deletes an active session for good.
func (a *Agent) DeleteSession(ctx context.Context, cur client.Session) error {
	_, err := a.write(ctx, write{
		change: "the delete request",
		send:   func(ctx context.Context) error { return a.client.Delete(ctx, a.id, cur.Key) },
		shown:  func(ctx context.Context, seq uint64) (bool, string, error) { return a.sessionLeft(ctx, cur, seq) },
		done:   func(seq uint64) { a.setSession(seq, cur.Key, nil) },
	})
	return err
}

// DeleteArchive deletes an archive for good.
func (a *Agent) DeleteArchive(ctx context.Context, arch client.Archive) error {
	_, err := a.write(ctx, write{
		change: "the delete request",
		send:   func(ctx context.Context) error { return a.client.DeleteArchive(ctx, a.id, arch.Filename) },
		shown: func(ctx context.Context, seq uint64) (bool, string, error) {
			return a.archiveLeft(ctx, arch.Filename, seq)
		},
		done: func(seq uint64) { a.setArchive(seq, arch.Filename, nil) },
	})
	return err
}

// sessionLeft tells whether cur is no longer active under its key in a
// sessions listing that started after write seq, and if not, says so.
func (a *Agent) sessionLeft(ctx context.Context, cur client.Session, seq uint64) (bool, string, error) {
	s, ok, err := a.sessionAfter(ctx, cur.Key, seq)
	if err != nil || (ok && s.SessionID == cur.SessionID) {
		return false, fmt.Sprintf("session %q is still active", cur.Key), err
	}
	return true, "", nil
}

// archiveLeft tells whether archive filename is gone from an archive
// listing that started after write seq, and if not, says so.
func (a *Agent) archiveLeft(ctx context.Context, filename string, seq uint64) (bool, string, error) {
	archives, err := a.archivesAfter(ctx, seq)
	if _, listed := FindArchive(archives, filename, ""); err != nil || listed {
		return false, "archive " + filename + " is still listed", err
	}
	return true, "", nil
}

// MayHaveApplied tells whether a failed write may nonetheless have happened
// (a lost response, a gateway error) or whether its target was already gone:
// in both cases the listing, not the error, says what the state is.
func MayHaveApplied(err error) bool {
	var te *client.TransportError
	return errors.As(err, &te) ||
		errors.Is(err, client.ErrBadGateway) ||
		errors.Is(err, client.ErrServer) ||
		errors.Is(err, client.ErrRateLimited) ||
		errors.Is(err, client.ErrOutcomeUnknown) ||
		errors.Is(err, client.ErrSessionNotFound)
}

// IsLabelInUse tells a 422 about a label held by another session.
func IsLabelInUse(err error) bool {
	return errors.Is(err, client.ErrLabelInUse)
}
