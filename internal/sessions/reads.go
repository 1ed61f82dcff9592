package sessions

import (
	"context"
	"fmt"
	"sort"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// What the provider reads of an agent: everything but the transcript comes
// from the listing cache (listings.go).

// Session looks one active session up by key in the agent's listing.
func (a *Agent) Session(ctx context.Context, key string) (client.Session, bool, error) {
	return a.sessionAfter(ctx, key, 0)
}

// sessionAfter looks key up in a sessions listing that started after write
// seq completed (0: any listing).
func (a *Agent) sessionAfter(ctx context.Context, key string, seq uint64) (client.Session, bool, error) {
	var found client.Session
	var ok bool
	err := a.read(ctx, sessionsKind, seq, func(f *feed) { found, ok = f.byKey[key] })
	return found, ok, err
}

// sessionByID finds the active session that carries a session id, in a
// listing that started after write seq (0: any listing).
func (a *Agent) sessionByID(ctx context.Context, sessionID string, seq uint64) (client.Session, bool, error) {
	var found client.Session
	var ok bool
	err := a.read(ctx, sessionsKind, seq, func(f *feed) {
		for _, s := range f.byKey {
			if s.SessionID == sessionID {
				found, ok = s, true
				return
			}
		}
	})
	return found, ok, err
}

// SessionList returns the agent's active sessions sorted by key.
func (a *Agent) SessionList(ctx context.Context) ([]client.Session, error) {
	var out []client.Session
	err := a.read(ctx, sessionsKind, 0, func(f *feed) {
		out = make([]client.Session, 0, len(f.byKey))
		for _, s := range f.byKey {
			out = append(out, s)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// Archives returns the agent's archives, sorted by archivedAt then filename.
func (a *Agent) Archives(ctx context.Context) ([]client.Archive, error) {
	return a.archivesAfter(ctx, 0)
}

// archivesAfter returns the archives from a listing that started after
// write seq completed (0: any listing).
func (a *Agent) archivesAfter(ctx context.Context, seq uint64) ([]client.Archive, error) {
	var out []client.Archive
	err := a.read(ctx, archivesKind, seq, func(f *feed) { out = append([]client.Archive(nil), f.list...) })
	return out, err
}

// holder returns the key of the active session other than key that holds
// label, from a listing that started after write seq (0: any listing), and
// what this process knows of that holder's change, both as they are at one
// moment: a holder whose change is over has its outcome in the cache.
func (a *Agent) holder(ctx context.Context, key, label string, seq uint64) (string, holderPlan, error) {
	var h string
	var plan holderPlan
	err := a.read(ctx, sessionsKind, seq, func(f *feed) {
		if k, ok := f.byLabel[label]; ok && k != key {
			h, plan = k, a.holderPlanLocked(k, label)
		}
	})
	return h, plan, err
}

// LabelHolder names the active session other than key that holds label,
// as the listing shows it ("" when none or unknown).
func (a *Agent) LabelHolder(ctx context.Context, key string, label *string) string {
	if label == nil {
		return ""
	}
	h, _, err := a.holder(ctx, key, *label, 0)
	if err != nil {
		return ""
	}
	return h
}

// Locate finds a managed session: by key among the active sessions, else by
// archive filename or session id among the archives. found is false when
// the session is in neither list (deleted outside Terraform).
func (a *Agent) Locate(ctx context.Context, key, sessionID, archiveFilename string) (Remote, bool, error) {
	s, ok, err := a.Session(ctx, key)
	if err != nil {
		return Remote{}, false, err
	}
	if ok && (archiveFilename == "" || s.SessionID == sessionID) {
		return Remote{Active: &s}, true, nil
	}
	if sessionID == "" && archiveFilename == "" {
		return Remote{}, false, nil
	}
	archives, err := a.Archives(ctx)
	if err != nil {
		return Remote{}, false, err
	}
	if arch, found := FindArchive(archives, archiveFilename, sessionID); found {
		return Remote{Archive: &arch}, true, nil
	}
	// The archive we tracked is gone. A conversation active under the same
	// key now is another one, never managed: it is not followed (only an
	// active managed session follows its key through a reset, above).
	return Remote{}, false, nil
}

// History reads the last limit messages of the active session with key,
// oldest first. found is false, and nothing is read, when the listing has
// no such session: the platform may answer an unknown key with an empty
// transcript.
func (a *Agent) History(ctx context.Context, key string, limit int) ([]client.ChatMessage, bool, error) {
	if _, ok, err := a.Session(ctx, key); err != nil || !ok {
		return nil, false, err
	}
	msgs, err := a.client.History(ctx, a.id, key, limit)
	return msgs, true, err
}

// ArchiveOfAnotherError is an archive named for a key whose conversation it
// cannot be: an archive carries a session id, not a key, so this is all a
// listing can tell.
type ArchiveOfAnotherError struct {
	Key     string
	Archive client.Archive
	// Holder is the key of the active session with the archive's session
	// id, when one is listed: the archive's conversation is that session's.
	Holder string
	// Active is the session id of the conversation active under Key, when
	// there is one and Holder is empty.
	Active string
}

func (e *ArchiveOfAnotherError) Error() string {
	if e.Holder != "" {
		return fmt.Sprintf("archive %s holds the conversation %s of the active session %q, not of %q",
			e.Archive.Filename, e.Archive.SessionID, e.Holder, e.Key)
	}
	return fmt.Sprintf("archive %s holds the conversation %s, but %q is an active conversation (%s)",
		e.Archive.Filename, e.Archive.SessionID, e.Key, e.Active)
}

// CheckArchiveOf checks, by the listing, that archive can be the
// conversation of key: no other active session carries its session id, and
// key is not active with another one (an active key is a session to manage
// by its key). A session listed both active and archived under key passes.
// It returns an *ArchiveOfAnotherError otherwise.
func (a *Agent) CheckArchiveOf(ctx context.Context, key string, archive client.Archive) error {
	if s, ok, err := a.sessionByID(ctx, archive.SessionID, 0); err != nil {
		return err
	} else if ok && s.Key != key {
		return &ArchiveOfAnotherError{Key: key, Archive: archive, Holder: s.Key}
	} else if ok {
		return nil
	}
	s, ok, err := a.Session(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		return &ArchiveOfAnotherError{Key: key, Archive: archive, Active: s.SessionID}
	}
	return nil
}
