package sandbox

import (
	"fmt"
	"slices"
	"time"
)

// AddOwner adds (or updates) an owner and its subscription state.
func (s *Sandbox) AddOwner(id string, subscriptionActive bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owners[id] = subscriptionActive
}

// SetSubscription sets an owner's subscription, adding the owner if needed.
func (s *Sandbox) SetSubscription(ownerID string, active bool) { s.AddOwner(ownerID, active) }

// AddAgent adds a running agent of ownerID; an unknown owner is added with
// an active subscription. Adding an existing agent changes nothing.
func (s *Sandbox) AddAgent(ownerID, agentID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.addAgentLocked(ownerID, agentID)
}

func (s *Sandbox) addAgentLocked(ownerID, agentID string) error {
	if _, ok := s.agents[agentID]; ok {
		return fmt.Errorf("%w: %s", ErrAgentExists, agentID)
	}
	if _, ok := s.owners[ownerID]; !ok {
		s.owners[ownerID] = true
	}
	s.agents[agentID] = &agent{id: agentID, owner: ownerID, running: true,
		sessions: map[string]*session{}, archives: map[string]*archive{}}
	return nil
}

// SetAgentRunning starts or stops an agent's container; a stopped agent
// answers 503 on every Sessions call. Unknown agents are ignored.
func (s *Sandbox) SetAgentRunning(agentID string, running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.agents[agentID]; ok {
		a.running = running
	}
}

// AddKey registers a key and returns it as stored. An empty Token is
// generated with the right prefix; an agent key without OwnerID takes its
// agent's owner; agent keys always carry agent:read.
func (s *Sandbox) AddKey(k Key) Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addKeyLocked(k)
}

func (s *Sandbox) addKeyLocked(k Key) Key {
	if k.OwnerID == "" && k.AgentID != "" {
		if a, ok := s.agents[k.AgentID]; ok {
			k.OwnerID = a.owner
		}
	}
	if k.Token == "" {
		if k.IsMaster() {
			k.Token = MasterKeyPrefix + randomHex(keyHexLen)
		} else {
			k.Token = AgentKeyPrefix + randomHex(keyHexLen)
		}
	}
	if k.IsMaster() {
		k.Scopes = nil
	} else if !slices.Contains(k.Scopes, ScopeRead) {
		k.Scopes = append([]string{ScopeRead}, k.Scopes...)
	} else {
		k.Scopes = slices.Clone(k.Scopes)
	}
	stored := k
	s.keys[k.Token] = &stored
	return k
}

// RevokeKey revokes a key; it reports whether the key exists.
func (s *Sandbox) RevokeKey(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[token]
	if ok {
		k.Revoked = true
	}
	return ok
}

// AddSession adds an active session to an agent.
func (s *Sandbox) AddSession(agentID string, spec SessionSpec) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[agentID]
	if !ok {
		return Session{}, fmt.Errorf("%w: %s", ErrUnknownAgent, agentID)
	}
	sess, err := s.addSessionLocked(a, spec, nil)
	if err != nil {
		return Session{}, err
	}
	return publicSession(sess), nil
}

// addSessionLocked adds a session. labels, when not nil, holds every label
// of the agent's active sessions and gets the new one: Load passes it so
// that loading n sessions does not look at every session n times (100,000
// took minutes).
func (s *Sandbox) addSessionLocked(a *agent, spec SessionSpec, labels map[string]bool) (*session, error) {
	if spec.Key == "" {
		return nil, &ValidationError{Field: "key", Message: "The key field is required."}
	}
	if _, ok := a.sessions[spec.Key]; ok {
		return nil, fmt.Errorf("%w: %s", ErrSessionExists, spec.Key)
	}
	label, err := normalizeLabel(spec.Label)
	if err != nil {
		return nil, err
	}
	switch {
	case labels == nil:
		if err := labelTaken(a, label, ""); err != nil {
			return nil, err
		}
	case label != nil && labels[*label]:
		return nil, labelInUse(*label)
	}
	msgs, err := s.normalizeMessages(spec.Messages)
	if err != nil {
		return nil, err
	}
	if labels != nil && label != nil {
		labels[*label] = true
	}
	fillConversationDefaults(a.id, &spec.SessionID, &spec.SessionFile, &spec.ChatType, &spec.LastChannel)
	updated := spec.UpdatedAt
	if updated.IsZero() {
		updated = s.now()
		if n := len(msgs); n > 0 && msgs[n-1].Timestamp > updated.UnixMilli() {
			updated = time.UnixMilli(msgs[n-1].Timestamp)
		}
	}
	sess := &session{
		Session: Session{
			Key: spec.Key, SessionID: spec.SessionID, SessionFile: spec.SessionFile,
			Label: label, UpdatedAt: updated.UnixMilli(), ChatType: spec.ChatType,
			LastChannel: spec.LastChannel, Origin: cloneOrigin(spec.Origin),
		},
		seq:      s.nextSeq(),
		messages: msgs,
	}
	a.sessions[spec.Key] = sess
	return sess, nil
}

// AddArchive adds an archive to an agent.
func (s *Sandbox) AddArchive(agentID string, spec ArchiveSpec) (Archive, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[agentID]
	if !ok {
		return Archive{}, fmt.Errorf("%w: %s", ErrUnknownAgent, agentID)
	}
	arc, err := s.addArchiveLocked(a, spec)
	if err != nil {
		return Archive{}, err
	}
	return publicArchive(arc), nil
}

func (s *Sandbox) addArchiveLocked(a *agent, spec ArchiveSpec) (*archive, error) {
	if spec.Key == "" {
		return nil, &ValidationError{Field: "key", Message: "an archive must remember its session key"}
	}
	label, err := normalizeLabel(spec.Label)
	if err != nil {
		return nil, err
	}
	msgs, err := s.normalizeMessages(spec.Messages)
	if err != nil {
		return nil, err
	}
	fillConversationDefaults(a.id, &spec.SessionID, &spec.SessionFile, &spec.ChatType, &spec.LastChannel)
	at := spec.ArchivedAt
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	if spec.Filename == "" {
		spec.Filename = ArchiveFilename(spec.SessionID, at)
	}
	if _, ok := a.archives[spec.Filename]; ok {
		return nil, fmt.Errorf("%w: %s", ErrArchiveExists, spec.Filename)
	}
	updated := spec.UpdatedAt
	if updated.IsZero() {
		updated = at
	}
	arc := &archive{
		Archive: Archive{Filename: spec.Filename, Label: label, ArchivedAt: at.Format(ArchiveTimeFormat), SessionID: spec.SessionID},
		seq:     s.nextSeq(), key: spec.Key, sessionFile: spec.SessionFile,
		chatType: spec.ChatType, lastChannel: spec.LastChannel, origin: cloneOrigin(spec.Origin),
		updatedAt: updated.UnixMilli(), messages: msgs,
	}
	a.archives[spec.Filename] = arc
	return arc, nil
}

// Load adds a fixture's owners, agents (with sessions and archives) and
// keys. It stops at the first error, leaving what was added before it.
func (s *Sandbox) Load(f Fixture) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range f.Owners {
		s.owners[o.ID] = o.SubscriptionActive
	}
	for _, af := range f.Agents {
		if af.ID == "" {
			return &ValidationError{Field: "agents", Message: "agent without id"}
		}
		if err := s.addAgentLocked(af.OwnerID, af.ID); err != nil {
			return err
		}
		a := s.agents[af.ID]
		a.running, a.name = !af.Stopped, af.Name
		labels := map[string]bool{} // the agent is new: no label is taken yet
		for _, sp := range af.Sessions {
			if _, err := s.addSessionLocked(a, sp, labels); err != nil {
				return fmt.Errorf("agent %s session %q: %w", af.ID, sp.Key, err)
			}
		}
		for _, sp := range af.Archives {
			if _, err := s.addArchiveLocked(a, sp); err != nil {
				return fmt.Errorf("agent %s archive of %q: %w", af.ID, sp.Key, err)
			}
		}
	}
	for _, k := range f.Keys {
		s.addKeyLocked(k)
	}
	return nil
}

// Reset removes all data (owners, agents, keys), faults (queued and
// random), rate-limit buckets and counters; options stay.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owners = map[string]bool{}
	s.agents = map[string]*agent{}
	s.keys = map[string]*Key{}
	s.faults = map[string][]*Fault{}
	s.random = nil
	s.buckets = map[string]*bucket{}
	s.counters = newCounters()
}

// fillConversationDefaults gives the empty fields of a session or archive
// spec those of a fresh conversation: a new session id, its transcript
// path, a direct chat over the API.
func fillConversationDefaults(agentID string, sessionID, sessionFile, chatType, lastChannel *string) {
	if *sessionID == "" {
		*sessionID = newUUID()
	}
	if *sessionFile == "" {
		*sessionFile = sessionFilePath(agentID, *sessionID)
	}
	if *chatType == "" {
		*chatType = "direct"
	}
	if *lastChannel == "" {
		*lastChannel = "api"
	}
}

// MasterToken returns the token of the fixture's first master key, or "".
func (f Fixture) MasterToken() string {
	for _, k := range f.Keys {
		if k.IsMaster() {
			return k.Token
		}
	}
	return ""
}
