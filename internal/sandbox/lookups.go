package sandbox

import (
	"sort"
)

func publicSession(s *session) Session {
	out := s.Session
	out.Label = copyLabel(s.Label)
	out.Origin = cloneOrigin(s.Origin)
	return out
}

func publicArchive(a *archive) Archive {
	out := a.Archive
	out.Label = copyLabel(a.Label)
	return out
}

// Session returns an active session.
func (s *Sandbox) Session(agentID, key string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.agents[agentID]; ok {
		if sess, ok := a.sessions[key]; ok {
			return publicSession(sess), true
		}
	}
	return Session{}, false
}

// Sessions returns an agent's active sessions sorted by key.
func (s *Sandbox) Sessions(agentID string) []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Session{}
	if a, ok := s.agents[agentID]; ok {
		for _, sess := range a.sessions {
			out = append(out, publicSession(sess))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Archives returns an agent's archives sorted by filename.
func (s *Sandbox) Archives(agentID string) []Archive {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Archive{}
	if a, ok := s.agents[agentID]; ok {
		for _, arc := range a.archives {
			out = append(out, publicArchive(arc))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Filename < out[j].Filename })
	return out
}

// History returns the whole transcript of an active session, oldest first
// (nil for an unknown session).
func (s *Sandbox) History(agentID, key string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.agents[agentID]; ok {
		if sess, ok := a.sessions[key]; ok {
			return copyMessages(sess.messages)
		}
	}
	return nil
}

// Snapshot returns the full state, sorted so that it is deterministic.
func (s *Sandbox) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Owners: []OwnerFixture{}, Agents: []AgentState{}}
	for id, active := range s.owners {
		st.Owners = append(st.Owners, OwnerFixture{ID: id, SubscriptionActive: active})
	}
	sort.Slice(st.Owners, func(i, j int) bool { return st.Owners[i].ID < st.Owners[j].ID })
	for _, a := range s.agents {
		as := AgentState{ID: a.id, OwnerID: a.owner, Running: a.running, Sessions: []SessionState{}, Archives: []ArchiveState{}}
		for _, sess := range a.sessions {
			as.Sessions = append(as.Sessions, SessionState{Session: publicSession(sess), Messages: copyMessages(sess.messages)})
		}
		sort.Slice(as.Sessions, func(i, j int) bool { return as.Sessions[i].Key < as.Sessions[j].Key })
		for _, arc := range a.archives {
			as.Archives = append(as.Archives, ArchiveState{
				Archive: publicArchive(arc), Key: arc.key, SessionFile: arc.sessionFile,
				ChatType: arc.chatType, LastChannel: arc.lastChannel, Origin: cloneOrigin(arc.origin),
				UpdatedAt: arc.updatedAt, Messages: copyMessages(arc.messages),
			})
		}
		sort.Slice(as.Archives, func(i, j int) bool { return as.Archives[i].Filename < as.Archives[j].Filename })
		st.Agents = append(st.Agents, as)
	}
	sort.Slice(st.Agents, func(i, j int) bool { return st.Agents[i].ID < st.Agents[j].ID })
	return st
}
