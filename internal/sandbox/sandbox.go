// Package sandbox is an in-memory emulator of the Guayaba Sessions API: a real
// HTTP server that behaves as /work/shared/api/BEHAVIOUR.md describes, for
// offline demos, the provider's acceptance tests and the client's tests.
//
// The API is served under /api/v1 (the eight Sessions endpoints, with master
// and agent keys, scopes, subscriptions and the documented error bodies) and
// a control API under /_sandbox/ (fixtures, out-of-band changes, faults, rate
// limits, counters and a state dump), answered to loopback clients only.
//
// Every [assumed] point of BEHAVIOUR.md has a switch in Options. All methods
// are safe for concurrent use.
package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Sandbox is the emulator. Create it with New.
type Sandbox struct {
	mu        sync.Mutex
	opts      Options
	owners    map[string]bool // owner id → subscription active
	agents    map[string]*agent
	keys      map[string]*Key
	faults    map[string][]*Fault
	buckets   map[string]*bucket
	counters  Counters
	seq       uint64
	lastArchv time.Time

	handler http.Handler

	srvMu    sync.Mutex
	server   *http.Server
	listener net.Listener
}

type agent struct {
	id       string
	owner    string
	running  bool
	sessions map[string]*session // by key
	archives map[string]*archive // by filename
}

type session struct {
	Session
	seq      uint64
	messages []Message
}

type archive struct {
	Archive
	seq         uint64
	key         string
	sessionFile string
	chatType    string
	lastChannel string
	origin      map[string]any
	updatedAt   int64
	messages    []Message
}

// New returns a sandbox with no data. Add owners, agents, keys and sessions
// with the fixture methods or Load, then serve it with Start or Handler.
func New(opts Options) *Sandbox {
	s := &Sandbox{
		owners:  map[string]bool{},
		agents:  map[string]*agent{},
		keys:    map[string]*Key{},
		faults:  map[string][]*Fault{},
		buckets: map[string]*bucket{},
	}
	s.setOptionsLocked(opts)
	s.counters = newCounters()
	s.handler = s.buildHandler()
	return s
}

func newCounters() Counters {
	return Counters{ByRoute: map[string]int{}, ByRouteStatus: map[string]map[int]int{}}
}

func (s *Sandbox) setOptionsLocked(o Options) {
	if o.UnknownKeys == "" {
		o.UnknownKeys = UnknownKey404
	}
	if o.SuccessBody == "" {
		o.SuccessBody = SuccessEmpty
	}
	if o.RateLimitPerMinute != s.opts.RateLimitPerMinute || o.RateLimitBurst != s.opts.RateLimitBurst {
		s.buckets = map[string]*bucket{}
	}
	s.opts = o
}

// Options returns the current options.
func (s *Sandbox) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

// SetOptions replaces the options at run time. A nil Clock keeps the
// current one.
func (s *Sandbox) SetOptions(o Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.Clock == nil {
		o.Clock = s.opts.Clock
	}
	s.setOptionsLocked(o)
}

// Handler returns the HTTP handler: the API under /api/v1, the control API
// under /_sandbox/.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Start listens on addr ("" means 127.0.0.1:0) and serves in the background.
func (s *Sandbox) Start(addr string) error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.server != nil {
		return errors.New("sandbox: already started")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen: %w", err)
	}
	s.listener = ln
	s.server = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.server)
	return nil
}

// URL returns the API base URL, e.g. http://127.0.0.1:40123/api/v1, or ""
// before Start.
func (s *Sandbox) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.listener == nil {
		return ""
	}
	return "http://" + s.listener.Addr().String() + "/api/v1"
}

// ControlURL returns the control base URL, e.g. http://127.0.0.1:40123/_sandbox.
func (s *Sandbox) ControlURL() string {
	u := s.URL()
	if u == "" {
		return ""
	}
	return strings.TrimSuffix(u, "/api/v1") + "/_sandbox"
}

// Close stops the server started by Start.
func (s *Sandbox) Close() error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.server == nil {
		return nil
	}
	err := s.server.Close()
	s.server, s.listener = nil, nil
	return err
}

// ---- time, ids ----

func (s *Sandbox) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock().UTC()
	}
	return time.Now().UTC()
}

func (s *Sandbox) nextSeq() uint64 { s.seq++; return s.seq }

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ArchiveTimeFormat is the layout of archivedAt: ISO 8601, milliseconds, UTC.
const ArchiveTimeFormat = "2006-01-02T15:04:05.000Z"

// ArchiveFilename returns <sessionID>.jsonl.deleted.<t with ':' as '-'>.
func ArchiveFilename(sessionID string, t time.Time) string {
	return sessionID + ".jsonl.deleted." + strings.ReplaceAll(t.UTC().Format(ArchiveTimeFormat), ":", "-")
}

func sessionFilePath(agentID, sessionID string) string {
	return "/data/agents/" + agentID + "/sessions/" + sessionID + ".jsonl"
}

// ---- normalisation ----

// normalizeLabel trims l; empty means no label; longer than 255 characters
// is a validation error.
func normalizeLabel(l *string) (*string, error) {
	if l == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*l)
	if t == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(t) > MaxLabelLength {
		return nil, &ValidationError{Field: "label", Message: fmt.Sprintf("The label field must not be greater than %d characters.", MaxLabelLength)}
	}
	return &t, nil
}

func labelTaken(a *agent, label *string, exceptKey string) error {
	if label == nil {
		return nil
	}
	for k, o := range a.sessions {
		if k != exceptKey && o.Label != nil && *o.Label == *label {
			return &ValidationError{Field: "label", Message: "label already in use: " + *label}
		}
	}
	return nil
}

// cloneJSON deep-copies v through JSON so numbers are float64 everywhere
// and states compare equal whatever the source.
func cloneOrigin(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return map[string]any{}
	}
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}

func copyLabel(l *string) *string {
	if l == nil {
		return nil
	}
	v := *l
	return &v
}

func (s *Sandbox) normalizeMessages(msgs []Message) ([]Message, error) {
	out := make([]Message, 0, len(msgs))
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: role must be user or assistant", i)}
		}
		if len(m.Content) == 0 {
			m.Content = json.RawMessage(`""`)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, m.Content); err != nil {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: content is not JSON", i)}
		}
		if c := buf.Bytes(); len(c) == 0 || (c[0] != '"' && c[0] != '[') {
			return nil, &ValidationError{Field: "messages", Message: fmt.Sprintf("message %d: content must be a string or an array of blocks", i)}
		}
		m.Content = json.RawMessage(buf.Bytes())
		if m.ID == "" {
			m.ID = randomHex(8)
		}
		if m.Timestamp == 0 {
			m.Timestamp = s.now().UnixMilli()
		}
		out = append(out, m)
	}
	return out, nil
}

func copyMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Content = slices.Clone(m.Content)
		out[i] = m
	}
	return out
}

// ---- fixtures ----

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
	sess, err := s.addSessionLocked(a, spec)
	if err != nil {
		return Session{}, err
	}
	return publicSession(sess), nil
}

func (s *Sandbox) addSessionLocked(a *agent, spec SessionSpec) (*session, error) {
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
	if err := labelTaken(a, label, ""); err != nil {
		return nil, err
	}
	msgs, err := s.normalizeMessages(spec.Messages)
	if err != nil {
		return nil, err
	}
	if spec.SessionID == "" {
		spec.SessionID = newUUID()
	}
	if spec.SessionFile == "" {
		spec.SessionFile = sessionFilePath(a.id, spec.SessionID)
	}
	if spec.ChatType == "" {
		spec.ChatType = "direct"
	}
	if spec.LastChannel == "" {
		spec.LastChannel = "api"
	}
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
	if spec.SessionID == "" {
		spec.SessionID = newUUID()
	}
	if spec.SessionFile == "" {
		spec.SessionFile = sessionFilePath(a.id, spec.SessionID)
	}
	if spec.ChatType == "" {
		spec.ChatType = "direct"
	}
	if spec.LastChannel == "" {
		spec.LastChannel = "api"
	}
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
		a.running = !af.Stopped
		for _, sp := range af.Sessions {
			if _, err := s.addSessionLocked(a, sp); err != nil {
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

// Reset removes all data (owners, agents, keys), faults, rate-limit buckets
// and counters; options stay.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owners = map[string]bool{}
	s.agents = map[string]*agent{}
	s.keys = map[string]*Key{}
	s.faults = map[string][]*Fault{}
	s.buckets = map[string]*bucket{}
	s.counters = newCounters()
}

// ---- operations shared by the API and the out-of-band methods ----

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
		_, err := s.addSessionLocked(a, SessionSpec{Key: key, Label: label, ChatType: "direct", LastChannel: "api"})
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

// ---- out-of-band mutations ----

// Rename sets a session's label as the dashboard would: trimmed, empty
// means none, unique among the agent's active sessions (a *ValidationError
// otherwise). It never creates a session.
func (s *Sandbox) Rename(agentID, key string, label *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
	l, err := normalizeLabel(label)
	if err != nil {
		return err
	}
	return s.renameLocked(a, key, l, false)
}

// ArchiveSession archives a session and returns the archive's filename.
func (s *Sandbox) ArchiveSession(agentID, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return "", err
	}
	return s.archiveLocked(a, key)
}

// RestoreArchive restores an archive under its original key; with keepLabel
// the archive's label is kept, else label (nil clears) is used.
// ErrSessionExists when the key is taken.
func (s *Sandbox) RestoreArchive(agentID, filename string, label *string, keepLabel bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
	l, err := normalizeLabel(label)
	if err != nil {
		return err
	}
	return s.restoreLocked(a, filename, l, keepLabel)
}

// DeleteSession deletes a session and its transcript.
func (s *Sandbox) DeleteSession(agentID, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
	return s.deleteSessionLocked(a, key)
}

// DeleteArchive deletes an archive.
func (s *Sandbox) DeleteArchive(agentID, filename string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
	return s.deleteArchiveLocked(a, filename)
}

// ResetSession starts a new conversation under the same key, as /new in a
// chat does: a new sessionId and sessionFile, an empty transcript (the old
// one is dropped), updatedAt now. The label stays.
func (s *Sandbox) ResetSession(agentID, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return "", err
	}
	sess, ok := a.sessions[key]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrUnknownSession, key)
	}
	sess.SessionID = newUUID()
	sess.SessionFile = sessionFilePath(a.id, sess.SessionID)
	sess.messages = nil
	sess.UpdatedAt = s.now().UnixMilli()
	return sess.SessionID, nil
}

// AddMessages appends messages to a session's transcript, as chatting does,
// and bumps updatedAt to now (or the last message's timestamp if later).
// Empty IDs and zero timestamps are filled in.
func (s *Sandbox) AddMessages(agentID, key string, msgs ...Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.agentLocked(agentID)
	if err != nil {
		return err
	}
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
}

// ---- lookups and dump ----

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

// ---- faults, counters ----

// InjectFault queues a fault for its route.
func (s *Sandbox) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count <= 0 {
		f.Count = 1
	}
	s.faults[f.Route] = append(s.faults[f.Route], &f)
}

// ClearFaults removes every queued fault.
func (s *Sandbox) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*Fault{}
}

// Faults returns the queued faults (with their remaining Count and Skip),
// routes sorted by name.
func (s *Sandbox) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Fault{}
	routes := make([]string, 0, len(s.faults))
	for r := range s.faults {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		for _, f := range s.faults[r] {
			out = append(out, *f)
		}
	}
	return out
}

// takeFault consumes one use of the route's first fault, if it applies.
func (s *Sandbox) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[route]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if f.Skip > 0 {
		f.Skip--
		return nil
	}
	f.Count--
	if f.Count <= 0 {
		s.faults[route] = q[1:]
	}
	c := *f
	return &c
}

// Counters returns a copy of the request counters.
func (s *Sandbox) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newCounters()
	c.RateLimited, c.Total = s.counters.RateLimited, s.counters.Total
	for r, n := range s.counters.ByRoute {
		c.ByRoute[r] = n
	}
	for r, m := range s.counters.ByRouteStatus {
		c.ByRouteStatus[r] = map[int]int{}
		for st, n := range m {
			c.ByRouteStatus[r][st] = n
		}
	}
	return c
}

// ResetCounters zeroes the request counters.
func (s *Sandbox) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = newCounters()
}

func (s *Sandbox) count(route string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters.Total++
	s.counters.ByRoute[route]++
	m := s.counters.ByRouteStatus[route]
	if m == nil {
		m = map[int]int{}
		s.counters.ByRouteStatus[route] = m
	}
	m[status]++
	if status == http.StatusTooManyRequests {
		s.counters.RateLimited++
	}
}
