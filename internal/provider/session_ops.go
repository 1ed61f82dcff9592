package provider

import (
	"context"
	"fmt"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// remoteSession is where a managed session is on the platform: active (in
// the sessions listing) or archived (in the archives listing).
type remoteSession struct {
	Active  *client.Session
	Archive *client.Archive
	// lastActive is the session as last seen active during a change that
	// ended archived: archives carry no chat type or channel.
	lastActive *client.Session
}

func (r remoteSession) archived() bool { return r.Archive != nil }

func (r remoteSession) sessionID() string {
	if r.Active != nil {
		return r.Active.SessionID
	}
	if r.Archive != nil {
		return r.Archive.SessionID
	}
	return ""
}

func (r remoteSession) label() *string {
	if r.Active != nil {
		return r.Active.Label
	}
	if r.Archive != nil {
		return r.Archive.Label
	}
	return nil
}

// sessionOps performs the writes on one agent's sessions. Every write targets
// a session or archive the provider has just seen in a listing, and every
// outcome is taken from the listing, never from a response body: a failed
// call whose change may have happened anyway (lost response, gateway error,
// "not found" on a retry) is judged by listing again.
type sessionOps struct {
	client   *client.Client
	listings *listingCache
	agentID  string
}

func (p *providerData) ops(agentID string) *sessionOps {
	return &sessionOps{client: p.client, listings: p.listings, agentID: agentID}
}

// locate finds a managed session: by key among the active sessions, else by
// archive filename or session id among the archives. found is false when
// the session is in neither list (deleted outside Terraform).
func (o *sessionOps) locate(ctx context.Context, key, sessionID, archiveFilename string) (remoteSession, bool, error) {
	s, ok, err := o.listings.Session(ctx, o.agentID, key)
	if err != nil {
		return remoteSession{}, false, err
	}
	if ok && (archiveFilename == "" || s.SessionID == sessionID) {
		return remoteSession{Active: &s}, true, nil
	}
	if sessionID == "" && archiveFilename == "" {
		return remoteSession{}, false, nil
	}
	archives, err := o.listings.Archives(ctx, o.agentID)
	if err != nil {
		return remoteSession{}, false, err
	}
	if a, found := findArchive(archives, archiveFilename, sessionID); found {
		return remoteSession{Archive: &a}, true, nil
	}
	if ok {
		// The archive we tracked is gone, but the key is active again (under
		// a new conversation): follow the key.
		return remoteSession{Active: &s}, true, nil
	}
	return remoteSession{}, false, nil
}

// findArchive returns the archive with the filename, else the newest archive
// of the session id. archives must be sorted oldest first.
func findArchive(archives []client.Archive, filename, sessionID string) (client.Archive, bool) {
	if filename != "" {
		for _, a := range archives {
			if a.Filename == filename {
				return a, true
			}
		}
	}
	if sessionID != "" {
		for i := len(archives) - 1; i >= 0; i-- {
			if archives[i].SessionID == sessionID {
				return archives[i], true
			}
		}
	}
	return client.Archive{}, false
}

// rename sets an active session's label and returns the session as it now is.
func (o *sessionOps) rename(ctx context.Context, cur client.Session, label *string) (client.Session, error) {
	err := o.client.Rename(ctx, o.agentID, cur.Key, label)
	if err != nil {
		if !mayHaveApplied(err) {
			return client.Session{}, err
		}
		o.listings.InvalidateSessions(o.agentID)
		s, ok, lerr := o.listings.Session(ctx, o.agentID, cur.Key)
		if lerr == nil && ok && s.SessionID == cur.SessionID && sameLabel(s.Label, label) {
			return s, nil
		}
		return client.Session{}, err
	}
	// The platform stores the label as sent (labels are validated to have no
	// surrounding white space), so the cached listing stays true without
	// listing again; the next refresh confirms it.
	cur.Label = label
	cur.LabelPresent = true
	o.listings.SetSession(o.agentID, cur)
	return cur, nil
}

// archive archives an active session and returns its archive, found by
// listing the archives.
func (o *sessionOps) archive(ctx context.Context, cur client.Session) (client.Archive, error) {
	err := o.client.Archive(ctx, o.agentID, cur.Key)
	if err != nil && !mayHaveApplied(err) {
		return client.Archive{}, err
	}
	o.listings.InvalidateSessions(o.agentID)
	o.listings.InvalidateArchives(o.agentID)
	if s, ok, lerr := o.listings.Session(ctx, o.agentID, cur.Key); lerr != nil {
		return client.Archive{}, lerr
	} else if ok && s.SessionID == cur.SessionID {
		if err != nil {
			return client.Archive{}, err
		}
		return client.Archive{}, fmt.Errorf("the platform accepted the archive request, but session %q is still active", cur.Key)
	}
	archives, lerr := o.listings.Archives(ctx, o.agentID)
	if lerr != nil {
		return client.Archive{}, lerr
	}
	if a, ok := findArchive(archives, "", cur.SessionID); ok {
		return a, nil
	}
	if err != nil {
		return client.Archive{}, err
	}
	return client.Archive{}, fmt.Errorf("session %q left the active sessions, but no archive of session id %s appeared", cur.Key, cur.SessionID)
}

// restore restores an archive under its original key and returns the active
// session. label nil keeps the archive's label.
func (o *sessionOps) restore(ctx context.Context, key string, a client.Archive, label *string) (client.Session, error) {
	if s, ok, err := o.listings.Session(ctx, o.agentID, key); err != nil {
		return client.Session{}, err
	} else if ok && s.SessionID != a.SessionID {
		return client.Session{}, fmt.Errorf("the key %q is held by another active session (session id %s), so archive %s cannot be "+
			"restored under it; archive or delete that session first", key, s.SessionID, a.Filename)
	}
	err := o.client.Restore(ctx, o.agentID, a.Filename, label)
	if err != nil && !mayHaveApplied(err) {
		return client.Session{}, err
	}
	o.listings.InvalidateSessions(o.agentID)
	o.listings.InvalidateArchives(o.agentID)
	s, ok, lerr := o.listings.Session(ctx, o.agentID, key)
	if lerr != nil {
		return client.Session{}, lerr
	}
	if ok && s.SessionID == a.SessionID {
		return s, nil
	}
	if err != nil {
		return client.Session{}, err
	}
	return client.Session{}, fmt.Errorf("the platform accepted the restore of archive %s, but session %q is not active", a.Filename, key)
}

// deleteSession deletes an active session for good.
func (o *sessionOps) deleteSession(ctx context.Context, cur client.Session) error {
	err := o.client.Delete(ctx, o.agentID, cur.Key)
	if err != nil && !mayHaveApplied(err) {
		return err
	}
	o.listings.InvalidateSessions(o.agentID)
	s, ok, lerr := o.listings.Session(ctx, o.agentID, cur.Key)
	if lerr != nil {
		return lerr
	}
	if ok && s.SessionID == cur.SessionID {
		if err != nil {
			return err
		}
		return fmt.Errorf("the platform accepted the delete request, but session %q is still active", cur.Key)
	}
	return nil
}

// deleteArchive deletes an archive for good.
func (o *sessionOps) deleteArchive(ctx context.Context, a client.Archive) error {
	err := o.client.DeleteArchive(ctx, o.agentID, a.Filename)
	if err != nil && !mayHaveApplied(err) {
		return err
	}
	o.listings.InvalidateArchives(o.agentID)
	archives, lerr := o.listings.Archives(ctx, o.agentID)
	if lerr != nil {
		return lerr
	}
	if _, ok := findArchive(archives, a.Filename, ""); ok {
		if err != nil {
			return err
		}
		return fmt.Errorf("the platform accepted the delete request, but archive %s is still listed", a.Filename)
	}
	return nil
}

// labelHolder names the active session other than key that holds label.
func (o *sessionOps) labelHolder(ctx context.Context, key string, label *string) string {
	if label == nil {
		return ""
	}
	list, err := o.listings.SessionList(ctx, o.agentID)
	if err != nil {
		return ""
	}
	for _, s := range list {
		if s.Key != key && s.Label != nil && *s.Label == *label {
			return s.Key
		}
	}
	return ""
}
