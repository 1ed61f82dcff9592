package sessions

import (
	"context"
	"fmt"
	"strings"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// One-off operations for Terraform actions, named for what they do: each
// acts only if the listing shows its target (an active session, a listed
// archive), so that it is idempotent: a session or archive already where
// the operation would put it is reported to progress and is not an error.
// Each write is the resource's own (writes.go), with the same
// confirmation.

// activeOrDone returns the active session with key; when there is none it
// reports that it is already gone (done: "archived (or deleted)").
func (a *Agent) activeOrDone(ctx context.Context, key, done string, progress func(string)) (client.Session, bool, error) {
	s, ok, err := a.Session(ctx, key)
	if err == nil && !ok {
		progress(fmt.Sprintf("Agent %s has no active session with key %q: it is already %s. Nothing to do.", a.id, key, done))
	}
	return s, ok, err
}

// ArchiveIfActive archives the active session with key, if there is one.
func (a *Agent) ArchiveIfActive(ctx context.Context, key string, progress func(string)) error {
	s, ok, err := a.activeOrDone(ctx, key, "archived (or deleted)", progress)
	if err != nil || !ok {
		return err
	}
	progress(fmt.Sprintf("Archiving session %q (session id %s, %s)…", key, s.SessionID, describeLabel(s.Label)))
	arch, err := a.Archive(ctx, s)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("Session %q is archived as %s.", key, arch.Filename))
	return nil
}

// DeleteIfActive deletes the active session with key for good, if there is
// one; with an expectedLabel, only when the session's label is exactly that.
func (a *Agent) DeleteIfActive(ctx context.Context, key string, expectedLabel *string, progress func(string)) error {
	s, ok, err := a.activeOrDone(ctx, key, "deleted (or archived)", progress)
	if err != nil || !ok {
		return err
	}
	if expectedLabel != nil && !SameLabel(s.Label, expectedLabel) {
		return &LabelMismatchError{Key: key, Label: s.Label, ExpectedLabel: *expectedLabel}
	}
	progress(fmt.Sprintf("Deleting session %q (session id %s, %s) and its transcript…", key, s.SessionID, describeLabel(s.Label)))
	if err := a.DeleteSession(ctx, s); err != nil {
		return err
	}
	progress(fmt.Sprintf("Session %q is deleted.", key))
	return nil
}

// RestoreIfListed restores the archive with filename under its original
// key, if it is listed. label nil keeps the archive's label.
func (a *Agent) RestoreIfListed(ctx context.Context, filename string, label *string, progress func(string)) error {
	archives, err := a.Archives(ctx)
	if err != nil {
		return err
	}
	arch, ok := FindArchive(archives, filename, "")
	if !ok {
		if s, found, err := a.activeFromArchiveName(ctx, filename); err != nil {
			return err
		} else if found {
			progress(fmt.Sprintf("Archive %s is already restored: it is the active session %q (%s). Nothing to do.",
				filename, s.Key, describeLabel(s.Label)))
			return nil
		}
		progress(fmt.Sprintf("Agent %s has no archive %s: it is already restored or deleted. Nothing to do.", a.id, filename))
		return nil
	}
	progress(fmt.Sprintf("Restoring archive %s (session id %s)…", arch.Filename, arch.SessionID))
	// The archive does not carry its key: the restored session is found by
	// its session id.
	s, err := a.restore(ctx, "", arch, label)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("Archive %s is restored as session %q (%s).", arch.Filename, s.Key, describeLabel(s.Label)))
	return nil
}

// DeleteArchiveIfListed deletes the archive with filename for good, if it
// is listed.
func (a *Agent) DeleteArchiveIfListed(ctx context.Context, filename string, progress func(string)) error {
	archives, err := a.Archives(ctx)
	if err != nil {
		return err
	}
	arch, ok := FindArchive(archives, filename, "")
	if !ok {
		progress(fmt.Sprintf("Agent %s has no archive %s: it is already deleted (or restored). Nothing to do.", a.id, filename))
		return nil
	}
	progress(fmt.Sprintf("Deleting archive %s (session id %s, %s)…", arch.Filename, arch.SessionID, describeLabel(arch.Label)))
	if err := a.DeleteArchive(ctx, arch); err != nil {
		return err
	}
	progress(fmt.Sprintf("Archive %s is deleted.", arch.Filename))
	return nil
}

// activeFromArchiveName finds the active session an archive filename of the
// form <sessionId>.jsonl.deleted.<time> was restored to, if any.
func (a *Agent) activeFromArchiveName(ctx context.Context, filename string) (client.Session, bool, error) {
	sid, _, ok := strings.Cut(filename, ".jsonl.")
	if !ok || sid == "" {
		return client.Session{}, false, nil
	}
	return a.sessionByID(ctx, sid, 0)
}

func describeLabel(l *string) string {
	if l == nil {
		return "no label"
	}
	return fmt.Sprintf("label %q", *l)
}
