package sandbox

import (
	"fmt"
	"slices"
)

// withAgent runs fn on an agent with the sandbox locked: how every
// out-of-band change starts.
func (s *Sandbox) withAgent(agentID string, fn func(a *agent) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
	return fn(a)
}

// Rename sets a session's label as the dashboard would: trimmed, empty
// means none, unique among the agent's active sessions (a *ValidationError
// otherwise). It never creates a session.
func (s *Sandbox) Rename(agentID, key string, label *string) error {
	return s.withAgent(agentID, func(a *agent) error {
		l, err := normalizeLabel(label)
		if err != nil {
			return err
		}
		return s.renameLocked(a, key, l, false)
	})
}

// ArchiveSession archives a session and returns the archive's filename.
func (s *Sandbox) ArchiveSession(agentID, key string) (string, error) {
	var filename string
	err := s.withAgent(agentID, func(a *agent) error {
		var err error
		filename, err = s.archiveLocked(a, key)
		return err
	})
	return filename, err
}

// RestoreArchive restores an archive under its original key; with keepLabel
// the archive's label is kept, else label (nil clears) is used.
// ErrSessionExists when the key is taken.
func (s *Sandbox) RestoreArchive(agentID, filename string, label *string, keepLabel bool) error {
	return s.withAgent(agentID, func(a *agent) error {
		l, err := normalizeLabel(label)
		if err != nil {
			return err
		}
		return s.restoreLocked(a, filename, l, keepLabel)
	})
}

// DeleteSession deletes a session and its transcript.
func (s *Sandbox) DeleteSession(agentID, key string) error {
	return s.withAgent(agentID, func(a *agent) error { return s.deleteSessionLocked(a, key) })
}

// DeleteArchive deletes an archive.
func (s *Sandbox) DeleteArchive(agentID, filename string) error {
	return s.withAgent(agentID, func(a *agent) error { return s.deleteArchiveLocked(a, filename) })
}

// ResetSession starts a new conversation under the same key, as /new in a
// chat does: a new sessionId and sessionFile, an empty transcript (the old
// one is dropped), updatedAt now. The label stays.
func (s *Sandbox) ResetSession(agentID, key string) (string, error) {
	var sessionID string
	err := s.withAgent(agentID, func(a *agent) error {
		sess, ok := a.sessions[key]
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownSession, key)
		}
		sess.SessionID = newUUID()
		sess.SessionFile = sessionFilePath(a.id, sess.SessionID)
		sess.messages = nil
		sess.UpdatedAt = s.now().UnixMilli()
		sessionID = sess.SessionID
		return nil
	})
	return sessionID, err
}

// AddMessages appends messages to a session's transcript, as chatting does,
// and bumps updatedAt to now (or the last message's timestamp if later).
// Empty IDs and zero timestamps are filled in.
func (s *Sandbox) AddMessages(agentID, key string, msgs ...Message) error {
	return s.withAgent(agentID, func(a *agent) error {
		sess, ok := a.sessions[key]
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownSession, key)
		}
		norm, err := s.normalizeMessages(msgs)
		if err != nil {
			return err
		}
		// Copy so archives and earlier snapshots never share a backing array.
		sess.messages = append(slices.Clip(sess.messages), norm...)
		up := s.now().UnixMilli()
		if n := len(norm); n > 0 && norm[n-1].Timestamp > up {
			up = norm[n-1].Timestamp
		}
		sess.UpdatedAt = max(sess.UpdatedAt, up)
		return nil
	})
}
