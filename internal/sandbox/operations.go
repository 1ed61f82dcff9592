package sandbox

import (
	"fmt"
	"time"
)

func (s *Sandbox) agentLocked(id string) (*agent, error) {
	a, ok := s.agents[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAgent, id)
	}
	return a, nil
}

// renameLocked sets the label of key; create makes a new session for an
// unknown key (the lenient runtime's behaviour). label is already normalised.
func (s *Sandbox) renameLocked(a *agent, key string, label *string, create bool) error {
	sess, ok := a.sessions[key]
	if !ok {
		if !create {
			return fmt.Errorf("%w: %s", ErrUnknownSession, key)
		}
		if err := labelTaken(a, label, ""); err != nil {
			return err
		}
		_, err := s.addSessionLocked(a, SessionSpec{Key: key, Label: label, ChatType: "direct", LastChannel: "api"}, nil)
		return err
	}
	if err := labelTaken(a, label, key); err != nil {
		return err
	}
	sess.Label = copyLabel(label)
	return nil
}

func (s *Sandbox) archiveLocked(a *agent, key string) (string, error) {
	sess, ok := a.sessions[key]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrUnknownSession, key)
	}
	at := s.now().Truncate(time.Millisecond)
	if !at.After(s.lastArchv) {
		at = s.lastArchv.Add(time.Millisecond)
	}
	name := ArchiveFilename(sess.SessionID, at)
	for a.archives[name] != nil {
		at = at.Add(time.Millisecond)
		name = ArchiveFilename(sess.SessionID, at)
	}
	s.lastArchv = at
	a.archives[name] = &archive{
		Archive: Archive{Filename: name, Label: sess.Label, ArchivedAt: at.Format(ArchiveTimeFormat), SessionID: sess.SessionID},
		seq:     s.nextSeq(), key: sess.Key, sessionFile: sess.SessionFile, chatType: sess.ChatType,
		lastChannel: sess.LastChannel, origin: sess.Origin, updatedAt: sess.UpdatedAt, messages: sess.messages,
	}
	delete(a.sessions, key)
	return name, nil
}

// restoreLocked brings an archive back under its original key. With
// keepLabel the archive's label is used, else label (already normalised).
func (s *Sandbox) restoreLocked(a *agent, filename string, label *string, keepLabel bool) error {
	arc, ok := a.archives[filename]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownArchive, filename)
	}
	if _, taken := a.sessions[arc.key]; taken {
		return fmt.Errorf("%w: %s", ErrSessionExists, arc.key)
	}
	if keepLabel {
		label = arc.Label
	}
	if err := labelTaken(a, label, ""); err != nil {
		return err
	}
	a.sessions[arc.key] = &session{
		Session: Session{Key: arc.key, SessionID: arc.SessionID, SessionFile: arc.sessionFile,
			Label: copyLabel(label), UpdatedAt: arc.updatedAt, ChatType: arc.chatType,
			LastChannel: arc.lastChannel, Origin: arc.origin},
		seq:      s.nextSeq(),
		messages: arc.messages,
	}
	delete(a.archives, filename)
	return nil
}

func (s *Sandbox) deleteSessionLocked(a *agent, key string) error {
	if _, ok := a.sessions[key]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownSession, key)
	}
	delete(a.sessions, key)
	return nil
}

func (s *Sandbox) deleteArchiveLocked(a *agent, filename string) error {
	if _, ok := a.archives[filename]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownArchive, filename)
	}
	delete(a.archives, filename)
	return nil
}
