package sessions

import (
	"context"
	"fmt"
	"strings"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// One-off operations for Terraform actions. Each is idempotent: a session or
// archive that is already where the operation would put it is reported to
// progress and is not an error. Like the resource's writes, each targets
// only what the listing shows and confirms its effect by listing again.

// LabelMismatchError is DeleteKey refusing a session whose label is not the
// expected one.
type LabelMismatchError struct {
	Key           string
	Label         *string
	ExpectedLabel string
}

func (e *LabelMismatchError) Error() string {
	got := "no label"
	if e.Label != nil {
		got = fmt.Sprintf("the label %q", *e.Label)
	}
	return fmt.Sprintf("session %q has %s, not the expected label %q, so it was not deleted", e.Key, got, e.ExpectedLabel)
}

// ArchiveKey archives the active session with key.
func (o *Ops) ArchiveKey(ctx context.Context, key string, progress func(string)) error {
	s, ok, err := o.listings.Session(ctx, o.agentID, key)
	if err != nil {
		return err
	}
	if !ok {
		progress(fmt.Sprintf("Agent %s has no active session with key %q: it is already archived (or deleted). Nothing to do.", o.agentID, key))
		return nil
	}
	progress(fmt.Sprintf("Archiving session %q (session id %s, %s)…", key, s.SessionID, describeLabel(s.Label)))
	a, err := o.Archive(ctx, s)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("Session %q is archived as %s.", key, a.Filename))
	return nil
}

// DeleteKey deletes the active session with key for good; with an
// expectedLabel, only when the session's label is exactly that.
func (o *Ops) DeleteKey(ctx context.Context, key string, expectedLabel *string, progress func(string)) error {
	s, ok, err := o.listings.Session(ctx, o.agentID, key)
	if err != nil {
		return err
	}
	if !ok {
		progress(fmt.Sprintf("Agent %s has no active session with key %q: it is already deleted (or archived). Nothing to do.", o.agentID, key))
		return nil
	}
	if expectedLabel != nil && !SameLabel(s.Label, expectedLabel) {
		return &LabelMismatchError{Key: key, Label: s.Label, ExpectedLabel: *expectedLabel}
	}
	progress(fmt.Sprintf("Deleting session %q (session id %s, %s) and its transcript…", key, s.SessionID, describeLabel(s.Label)))
	if err := o.DeleteSession(ctx, s); err != nil {
		return err
	}
	progress(fmt.Sprintf("Session %q is deleted.", key))
	return nil
}

// RestoreFile restores the archive with filename under its original key.
// label nil keeps the archive's label.
func (o *Ops) RestoreFile(ctx context.Context, filename string, label *string, progress func(string)) error {
	archives, err := o.listings.Archives(ctx, o.agentID)
	if err != nil {
		return err
	}
	a, ok := FindArchive(archives, filename, "")
	if !ok {
		if s, found, err := o.activeFromArchiveName(ctx, filename); err != nil {
			return err
		} else if found {
			progress(fmt.Sprintf("Archive %s is already restored: it is the active session %q (%s). Nothing to do.",
				filename, s.Key, describeLabel(s.Label)))
			return nil
		}
		progress(fmt.Sprintf("Agent %s has no archive %s: it is already restored or deleted. Nothing to do.", o.agentID, filename))
		return nil
	}
	progress(fmt.Sprintf("Restoring archive %s (session id %s)…", a.Filename, a.SessionID))
	ctx, done := o.listings.enter(ctx, o.agentID)
	defer done()
	seq, err := o.write(func() error { return o.client.Restore(ctx, o.agentID, a.Filename, label) })
	if err != nil && !MayHaveApplied(err) {
		return err
	}
	s, found, lerr := o.activeBySessionID(ctx, a.SessionID, seq)
	if lerr != nil {
		return lerr
	}
	if !found {
		if err != nil {
			return err
		}
		return fmt.Errorf("the platform accepted the restore of archive %s, but no active session with session id %s appeared", a.Filename, a.SessionID)
	}
	o.listings.setArchive(o.agentID, seq, a.Filename, nil)
	progress(fmt.Sprintf("Archive %s is restored as session %q (%s).", a.Filename, s.Key, describeLabel(s.Label)))
	return nil
}

// DeleteArchiveFile deletes the archive with filename for good.
func (o *Ops) DeleteArchiveFile(ctx context.Context, filename string, progress func(string)) error {
	archives, err := o.listings.Archives(ctx, o.agentID)
	if err != nil {
		return err
	}
	a, ok := FindArchive(archives, filename, "")
	if !ok {
		progress(fmt.Sprintf("Agent %s has no archive %s: it is already deleted (or restored). Nothing to do.", o.agentID, filename))
		return nil
	}
	progress(fmt.Sprintf("Deleting archive %s (session id %s, %s)…", a.Filename, a.SessionID, describeLabel(a.Label)))
	if err := o.DeleteArchive(ctx, a); err != nil {
		return err
	}
	progress(fmt.Sprintf("Archive %s is deleted.", a.Filename))
	return nil
}

// activeBySessionID finds the active session that carries a session id, in
// a listing that started after write seq (0: any listing).
func (o *Ops) activeBySessionID(ctx context.Context, sessionID string, seq uint64) (client.Session, bool, error) {
	return o.listings.sessionByID(ctx, o.agentID, sessionID, seq)
}

// activeFromArchiveName finds the active session an archive filename of the
// form <sessionId>.jsonl.deleted.<time> was restored to, if any.
func (o *Ops) activeFromArchiveName(ctx context.Context, filename string) (client.Session, bool, error) {
	sid, _, ok := strings.Cut(filename, ".jsonl.")
	if !ok || sid == "" {
		return client.Session{}, false, nil
	}
	return o.activeBySessionID(ctx, sid, 0)
}

func describeLabel(l *string) string {
	if l == nil {
		return "no label"
	}
	return fmt.Sprintf("label %q", *l)
}
