package sandbox

import (
	"encoding/json"
	"errors"
	"time"
)

// UnknownKeyMode selects how the API answers a session key or archive
// filename it does not know (an [assumed] point of BEHAVIOUR.md).
type UnknownKeyMode string

const (
	// UnknownKey404 answers 404 Session not found / Archive not found.
	UnknownKey404 UnknownKeyMode = "404"
	// UnknownKeyLenient answers 200 and does nothing (history answers []),
	// except rename, which creates a session with that key.
	UnknownKeyLenient UnknownKeyMode = "lenient"
)

// SuccessBodyMode selects the body of a successful POST action (rename,
// archive, delete, restore, archive delete), undocumented by the platform.
type SuccessBodyMode string

const (
	// SuccessEmpty answers 200 with an empty body.
	SuccessEmpty SuccessBodyMode = "empty"
	// SuccessObject answers 200 with {}.
	SuccessObject SuccessBodyMode = "object"
	// SuccessMessage answers 200 with {"success":true,"message":"..."}.
	SuccessMessage SuccessBodyMode = "message"
)

// Scopes an agent key may carry. Master keys pass every scope check.
const (
	ScopeRead     = "agent:read"
	ScopeManage   = "agent:manage"
	ScopeChannels = "channels"
	ScopeFiles    = "files"
	ScopeChat     = "chat"
)

// Route names, used by counters and fault injection.
const (
	RouteSessionsList    = "sessions.list"
	RouteSessionsHistory = "sessions.history"
	RouteSessionsRename  = "sessions.rename"
	RouteSessionsArchive = "sessions.archive"
	RouteSessionsDelete  = "sessions.delete"
	RouteArchivesList    = "archives.list"
	RouteArchivesRestore = "archives.restore"
	RouteArchivesDelete  = "archives.delete"
)

// Routes returns the names of the eight API routes.
func Routes() []string {
	return []string{
		RouteSessionsList, RouteSessionsHistory, RouteSessionsRename, RouteSessionsArchive,
		RouteSessionsDelete, RouteArchivesList, RouteArchivesRestore, RouteArchivesDelete,
	}
}

// Key prefixes and the length of their hexadecimal tail.
const (
	MasterKeyPrefix = "g_master_"
	AgentKeyPrefix  = "g_agent_"
	keyHexLen       = 48
)

// DefaultHistoryLimit is the number of messages history returns when the
// request carries no limit (the runtime's default; the reference gives none).
const DefaultHistoryLimit = 200

// MaxLabelLength is the longest label accepted, in characters.
const MaxLabelLength = 255

// Options configures a Sandbox. The zero value gives the documented default
// behaviour: 404 on unknown keys, empty success bodies, label null, no rate
// limit, real time.
type Options struct {
	// UnknownKeys: "" or UnknownKey404, or UnknownKeyLenient.
	UnknownKeys UnknownKeyMode `json:"unknownKeys,omitempty"`
	// SuccessBody: "" or SuccessEmpty, SuccessObject, SuccessMessage.
	SuccessBody SuccessBodyMode `json:"successBody,omitempty"`
	// OmitNullLabel leaves the label field out of sessions and archives
	// that have no label, instead of sending null.
	OmitNullLabel bool `json:"omitNullLabel,omitempty"`
	// ShuffleLists returns both lists in a random order on every call.
	ShuffleLists bool `json:"shuffleLists,omitempty"`
	// RateLimitPerMinute is the per-key token refill rate; 0 turns limiting off.
	RateLimitPerMinute int `json:"rateLimitPerMinute,omitempty"`
	// RateLimitBurst is the bucket size; 0 means RateLimitPerMinute.
	RateLimitBurst int `json:"rateLimitBurst,omitempty"`
	// AllowRemote answers API requests (/api/v1) addressed to any Host, as
	// needed to serve the sandbox under a name or address that is not
	// loopback. Without it they are refused with 403 unless the Host is
	// 127.0.0.1, [::1] or localhost, so that a web page cannot reach the API
	// by rebinding its own name to 127.0.0.1 (the demo keys are public). The
	// control API and the dashboard answer loopback clients and hosts only,
	// whatever this says.
	AllowRemote bool `json:"allowRemote,omitempty"`
	// Clock gives the time used for data (updatedAt, archivedAt, message
	// timestamps, key expiry). Nil means time.Now. Rate limiting always uses
	// real time.
	Clock func() time.Time `json:"-"`
}

// Key is an API key. A key with an empty AgentID is a master key for every
// agent of OwnerID; otherwise it is an agent key for AgentID only.
type Key struct {
	// Token is the bearer token; AddKey generates one when empty.
	Token   string `json:"token,omitempty"`
	OwnerID string `json:"ownerId,omitempty"`
	AgentID string `json:"agentId,omitempty"`
	// Scopes of an agent key; agent:read is always added.
	Scopes  []string `json:"scopes,omitempty"`
	Revoked bool     `json:"revoked,omitempty"`
	// ExpiresAt, when set, is the instant from which the key is refused.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Name is a free description shown by the command.
	Name string `json:"name,omitempty"`
}

// IsMaster reports whether k is a master key.
func (k Key) IsMaster() bool { return k.AgentID == "" }

// HasScope reports whether k passes a check for scope.
func (k Key) HasScope(scope string) bool {
	if k.IsMaster() || scope == ScopeRead {
		return true
	}
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// MasterKey returns the spec of a master key of ownerID, for AddKey.
func MasterKey(ownerID string) Key { return Key{OwnerID: ownerID} }

// AgentKey returns the spec of an agent key for agentID with scopes, for
// AddKey; the owner is taken from the agent.
func AgentKey(agentID string, scopes ...string) Key {
	return Key{AgentID: agentID, Scopes: scopes}
}

// Message is one transcript message. Content is raw JSON: a string or an
// array of blocks.
type Message struct {
	ID        string          `json:"id"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	Timestamp int64           `json:"timestamp"`
}

// TextMessage returns a message whose content is the string text. ID and
// Timestamp are filled in when the message is stored.
func TextMessage(role, text string) Message {
	b, _ := json.Marshal(text)
	return Message{Role: role, Content: b}
}

// BlocksMessage returns a message whose content is an array of blocks.
func BlocksMessage(role string, blocks ...map[string]any) Message {
	if blocks == nil {
		blocks = []map[string]any{}
	}
	b, _ := json.Marshal(blocks)
	return Message{Role: role, Content: b}
}

// TextBlock returns a {"type":"text"} content block.
func TextBlock(text string) map[string]any { return map[string]any{"type": "text", "text": text} }

// ThinkingBlock returns a {"type":"thinking"} content block.
func ThinkingBlock(thinking string) map[string]any {
	return map[string]any{"type": "thinking", "thinking": thinking}
}

// ToolCallBlock returns a {"type":"toolCall"} content block.
func ToolCallBlock(id, name string, arguments map[string]any) map[string]any {
	if arguments == nil {
		arguments = map[string]any{}
	}
	return map[string]any{"type": "toolCall", "id": id, "name": name, "arguments": arguments}
}

// Session is an active session as the API lists it.
type Session struct {
	Key         string         `json:"key"`
	SessionID   string         `json:"sessionId"`
	SessionFile string         `json:"sessionFile"`
	Label       *string        `json:"label"`
	UpdatedAt   int64          `json:"updatedAt"`
	ChatType    string         `json:"chatType"`
	LastChannel string         `json:"lastChannel"`
	Origin      map[string]any `json:"origin"`
}

// Archive is an archived session as the API lists it.
type Archive struct {
	Filename   string  `json:"filename"`
	Label      *string `json:"label"`
	ArchivedAt string  `json:"archivedAt"`
	SessionID  string  `json:"sessionId"`
}

// SessionSpec describes a session to add. Empty fields get defaults: a new
// UUID, chatType "direct", lastChannel "api", origin {}, updatedAt now.
type SessionSpec struct {
	Key         string         `json:"key"`
	SessionID   string         `json:"sessionId,omitempty"`
	SessionFile string         `json:"sessionFile,omitempty"`
	Label       *string        `json:"label,omitempty"`
	ChatType    string         `json:"chatType,omitempty"`
	LastChannel string         `json:"lastChannel,omitempty"`
	Origin      map[string]any `json:"origin,omitempty"`
	UpdatedAt   time.Time      `json:"updatedAt,omitzero"`
	Messages    []Message      `json:"messages,omitempty"`
}

// ArchiveSpec describes an archive to add. Key is the original session key,
// remembered for restore but never shown by the API; it is required.
// Filename defaults to <sessionId>.jsonl.deleted.<archivedAt>.
type ArchiveSpec struct {
	Key         string         `json:"key"`
	SessionID   string         `json:"sessionId,omitempty"`
	SessionFile string         `json:"sessionFile,omitempty"`
	Filename    string         `json:"filename,omitempty"`
	Label       *string        `json:"label,omitempty"`
	ArchivedAt  time.Time      `json:"archivedAt,omitzero"`
	ChatType    string         `json:"chatType,omitempty"`
	LastChannel string         `json:"lastChannel,omitempty"`
	Origin      map[string]any `json:"origin,omitempty"`
	UpdatedAt   time.Time      `json:"updatedAt,omitzero"`
	Messages    []Message      `json:"messages,omitempty"`
}

// Fixture is a JSON-serialisable data set for Load.
type Fixture struct {
	Owners []OwnerFixture `json:"owners,omitempty"`
	Agents []AgentFixture `json:"agents,omitempty"`
	Keys   []Key          `json:"keys,omitempty"`
}

// OwnerFixture is an account owning agents and keys.
type OwnerFixture struct {
	ID                 string `json:"id"`
	SubscriptionActive bool   `json:"subscriptionActive"`
}

// AgentFixture is an agent with its sessions and archives.
type AgentFixture struct {
	ID       string        `json:"id"`
	OwnerID  string        `json:"ownerId"`
	Name     string        `json:"name,omitempty"`
	Stopped  bool          `json:"stopped,omitempty"`
	Sessions []SessionSpec `json:"sessions,omitempty"`
	Archives []ArchiveSpec `json:"archives,omitempty"`
}

// State is a deterministic dump of the sandbox data: owners sorted by id,
// agents sorted by id, their sessions sorted by key and archives sorted by
// filename. Slices are never nil, so two equal states compare equal with
// reflect.DeepEqual.
type State struct {
	Owners []OwnerFixture `json:"owners"`
	Agents []AgentState   `json:"agents"`
}

// AgentState is one agent in a State.
type AgentState struct {
	ID       string         `json:"id"`
	OwnerID  string         `json:"ownerId"`
	Running  bool           `json:"running"`
	Sessions []SessionState `json:"sessions"`
	Archives []ArchiveState `json:"archives"`
}

// SessionState is an active session with its transcript.
type SessionState struct {
	Session
	Messages []Message `json:"messages"`
}

// ArchiveState is an archive with what it remembers internally.
type ArchiveState struct {
	Archive
	Key         string         `json:"key"`
	SessionFile string         `json:"sessionFile"`
	ChatType    string         `json:"chatType"`
	LastChannel string         `json:"lastChannel"`
	Origin      map[string]any `json:"origin"`
	UpdatedAt   int64          `json:"updatedAt"`
	Messages    []Message      `json:"messages"`
}

// Errors returned by the Go API; test with errors.Is.
var (
	ErrUnknownOwner   = errors.New("sandbox: unknown owner")
	ErrUnknownAgent   = errors.New("sandbox: unknown agent")
	ErrUnknownSession = errors.New("sandbox: unknown session")
	ErrUnknownArchive = errors.New("sandbox: unknown archive")
	// ErrSessionExists: an active session already has the key.
	ErrSessionExists = errors.New("sandbox: a session with this key already exists")
	// ErrArchiveExists: an archive already has the filename.
	ErrArchiveExists = errors.New("sandbox: an archive with this filename already exists")
	// ErrAgentExists: an agent already has the id.
	ErrAgentExists = errors.New("sandbox: agent already exists")
	// ErrInvalid is matched by every *ValidationError.
	ErrInvalid = errors.New("sandbox: invalid data")
)

// ValidationError is a rejected field, answered by the API as a 422.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return "sandbox: " + e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
