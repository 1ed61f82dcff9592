package sessions

import (
	"context"
	"errors"
	"fmt"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Ops performs the writes on one agent's sessions. Every write targets
// a session or archive the provider has just seen in a listing, and every
// outcome is taken from the listing, never from a response body: a failed
// call whose change may have happened anyway (lost response, gateway error,
// "not found" on a retry) is judged by listing again.
type Ops struct {
	client   *client.Client
	listings *Listings
	coord    *Coordinator
	agentID  string
}

// NewOps returns the writer of agentID's sessions, sharing listings (and
// their coordinator) with every Ops of one configured provider.
func NewOps(c *client.Client, listings *Listings, agentID string) *Ops {
	return &Ops{client: c, listings: listings, coord: listings.coord, agentID: agentID}
}

// Locate finds a managed session: by key among the active sessions, else by
// archive filename or session id among the archives. found is false when
// the session is in neither list (deleted outside Terraform).
func (o *Ops) Locate(ctx context.Context, key, sessionID, archiveFilename string) (Remote, bool, error) {
	s, ok, err := o.listings.Session(ctx, o.agentID, key)
	if err != nil {
		return Remote{}, false, err
	}
	if ok && (archiveFilename == "" || s.SessionID == sessionID) {
		return Remote{Active: &s}, true, nil
	}
	if sessionID == "" && archiveFilename == "" {
		return Remote{}, false, nil
	}
	archives, err := o.listings.Archives(ctx, o.agentID)
	if err != nil {
		return Remote{}, false, err
	}
	if a, found := FindArchive(archives, archiveFilename, sessionID); found {
		return Remote{Archive: &a}, true, nil
	}
	// The archive we tracked is gone. A conversation active under the same
	// key now is another one, never managed: it is not followed (only an
	// active managed session follows its key through a reset, above).
	return Remote{}, false, nil
}

// write runs one write call and returns its number in the agent's write
// sequence: a listing confirms it only if it started after that number.
func (o *Ops) write(call func() error) (uint64, error) {
	end := o.listings.beginWrite(o.agentID)
	err := call()
	seq := end()
	o.coord.notify(o.agentID)
	return seq, err
}

// Rename sets an active session's label and returns the session as it now is.
func (o *Ops) Rename(ctx context.Context, cur client.Session, label *string) (client.Session, error) {
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	seq, err := o.write(func() error { return o.client.Rename(ctx, o.agentID, cur.Key, label) })
	if err != nil {
		if !MayHaveApplied(err) {
			return client.Session{}, err
		}
		s, ok, lerr := o.listings.sessionAfter(ctx, o.agentID, cur.Key, seq)
		if lerr == nil && ok && s.SessionID == cur.SessionID && SameLabel(s.Label, label) {
			return s, nil
		}
		return client.Session{}, err
	}
	// The platform stores the label as sent (labels are validated to have no
	// surrounding white space), so the cached listing stays true without
	// listing again; the next refresh confirms it.
	cur.Label = label
	cur.LabelPresent = true
	o.listings.setSession(o.agentID, seq, cur.Key, &cur)
	o.coord.notify(o.agentID)
	return cur, nil
}

// Archive archives an active session and returns its archive. The archive
// listing confirms it when it shows a new archive of the session; only when
// it does not are the active sessions listed, to say what happened.
func (o *Ops) Archive(ctx context.Context, cur client.Session) (client.Archive, error) {
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	before := map[string]bool{}
	for _, a := range o.listings.cachedArchives(o.agentID) {
		if a.SessionID == cur.SessionID {
			before[a.Filename] = true
		}
	}
	seq, err := o.write(func() error { return o.client.Archive(ctx, o.agentID, cur.Key) })
	if err != nil && !MayHaveApplied(err) {
		return client.Archive{}, err
	}
	archives, lerr := o.listings.archivesAfter(ctx, o.agentID, seq)
	if lerr != nil {
		return client.Archive{}, lerr
	}
	if a, ok := FindArchive(archives, "", cur.SessionID); ok && !before[a.Filename] {
		o.listings.setSession(o.agentID, seq, cur.Key, nil)
		o.coord.notify(o.agentID)
		return a, nil
	}
	if s, ok, lerr := o.listings.sessionAfter(ctx, o.agentID, cur.Key, seq); lerr != nil {
		return client.Archive{}, lerr
	} else if ok && s.SessionID == cur.SessionID {
		if err != nil {
			return client.Archive{}, err
		}
		return client.Archive{}, fmt.Errorf("%w: the platform accepted the archive request, but session %q is still active", ErrNotConfirmed, cur.Key)
	}
	if err != nil {
		return client.Archive{}, err
	}
	return client.Archive{}, fmt.Errorf("%w: session %q left the active sessions, but no archive of session id %s appeared", ErrNotConfirmed, cur.Key, cur.SessionID)
}

// Restore restores an archive under its original key and returns the active
// session. label nil keeps the archive's label.
func (o *Ops) Restore(ctx context.Context, key string, a client.Archive, label *string) (client.Session, error) {
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	if s, ok, err := o.listings.Session(ctx, o.agentID, key); err != nil {
		return client.Session{}, err
	} else if ok && s.SessionID != a.SessionID {
		return client.Session{}, fmt.Errorf("%w: the key %q is held by another active session (session id %s), so archive %s cannot be "+
			"restored under it; archive or delete that session first", ErrKeyHeld, key, s.SessionID, a.Filename)
	}
	seq, err := o.write(func() error { return o.client.Restore(ctx, o.agentID, a.Filename, label) })
	if err != nil && !MayHaveApplied(err) {
		return client.Session{}, err
	}
	s, ok, lerr := o.listings.sessionAfter(ctx, o.agentID, key, seq)
	if lerr != nil {
		return client.Session{}, lerr
	}
	if ok && s.SessionID == a.SessionID {
		o.listings.setArchive(o.agentID, seq, a.Filename, nil)
		return s, nil
	}
	if err != nil {
		return client.Session{}, err
	}
	return client.Session{}, fmt.Errorf("%w: the platform accepted the restore of archive %s, but session %q is not active", ErrNotConfirmed, a.Filename, key)
}

// DeleteSession deletes an active session for good.
func (o *Ops) DeleteSession(ctx context.Context, cur client.Session) error {
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	seq, err := o.write(func() error { return o.client.Delete(ctx, o.agentID, cur.Key) })
	if err != nil && !MayHaveApplied(err) {
		return err
	}
	s, ok, lerr := o.listings.sessionAfter(ctx, o.agentID, cur.Key, seq)
	if lerr != nil {
		return lerr
	}
	if ok && s.SessionID == cur.SessionID {
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: the platform accepted the delete request, but session %q is still active", ErrNotConfirmed, cur.Key)
	}
	o.coord.notify(o.agentID)
	return nil
}

// DeleteArchive deletes an archive for good.
func (o *Ops) DeleteArchive(ctx context.Context, a client.Archive) error {
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	seq, err := o.write(func() error { return o.client.DeleteArchive(ctx, o.agentID, a.Filename) })
	if err != nil && !MayHaveApplied(err) {
		return err
	}
	archives, lerr := o.listings.archivesAfter(ctx, o.agentID, seq)
	if lerr != nil {
		return lerr
	}
	if _, ok := FindArchive(archives, a.Filename, ""); ok {
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: the platform accepted the delete request, but archive %s is still listed", ErrNotConfirmed, a.Filename)
	}
	return nil
}

// LabelHolder names the active session other than key that holds label,
// as the listing shows it ("" when none or unknown).
func (o *Ops) LabelHolder(ctx context.Context, key string, label *string) string {
	if label == nil {
		return ""
	}
	h, err := o.listings.holder(ctx, o.agentID, key, *label, 0)
	if err != nil {
		return ""
	}
	return h
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
