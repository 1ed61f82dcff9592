package sandbox

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// generateBase is the time origin of generated data, so that fixtures do
// not depend on the clock.
var generateBase = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// GenerateOwnerID is the owner of every generated agent.
const GenerateOwnerID = "owner-generated"

type gen struct{ r *rand.Rand }

func (g gen) hex(n int) string {
	b := make([]byte, (n+1)/2)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return hex.EncodeToString(b)[:n]
}

func (g gen) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return formatUUID(b)
}

func (g gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

var generateWords = []string{"Billing", "Onboarding", "Support", "Sales", "Research", "Ops", "Feedback", "Planning", "Design", "Travel"}

// Generate builds a deterministic fixture: one subscribed owner
// (GenerateOwnerID), g.Agents agents, a master key, and per agent an agent
// key with agent:manage and chat. Each agent gets g.SessionsPerAgent active
// sessions of mixed key shapes (api:<uuid>, s-<id>, agent:main:main,
// telegram direct and group topics, whatsapp, discord channels), chat types
// and channels, about a third without label, and g.MessagesPerSession
// messages with string and block content; plus g.ArchivesPerAgent archives.
// The same options always give the same fixture.
func Generate(g GenerateOptions) Fixture {
	r := gen{rand.New(rand.NewPCG(uint64(g.Seed), 0x6775617961626121))}
	f := Fixture{
		Owners: []OwnerFixture{{ID: GenerateOwnerID, SubscriptionActive: true}},
		Agents: []AgentFixture{},
		Keys:   []Key{{Token: MasterKeyPrefix + r.hex(keyHexLen), OwnerID: GenerateOwnerID, Name: "master key"}},
	}
	for ai := 0; ai < g.Agents; ai++ {
		af := AgentFixture{ID: r.uuid(), OwnerID: GenerateOwnerID, Name: fmt.Sprintf("agent %d", ai+1)}
		f.Keys = append(f.Keys, Key{
			Token: AgentKeyPrefix + r.hex(keyHexLen), OwnerID: GenerateOwnerID, AgentID: af.ID,
			Scopes: []string{ScopeRead, ScopeManage, ScopeChat}, Name: fmt.Sprintf("agent key of %s (agent:manage)", af.Name),
		})
		used := map[string]bool{}
		t := generateBase
		for i := 0; i < g.SessionsPerAgent; i++ {
			spec := r.session(i, used)
			if r.r.IntN(3) != 0 {
				l := fmt.Sprintf("%s %d", generateWords[r.r.IntN(len(generateWords))], i+1)
				spec.Label = &l
			}
			t = t.Add(time.Duration(1+r.r.IntN(120)) * time.Minute)
			if i == 0 && g.HistoryMessages > 0 {
				spec.Messages = r.longMessages(g.HistoryMessages, g.MessageBytes, t)
			} else {
				spec.Messages = r.messages(g.MessagesPerSession, t)
			}
			spec.UpdatedAt = t
			af.Sessions = append(af.Sessions, spec)
		}
		for i := 0; i < g.ArchivesPerAgent; i++ {
			// Shapes 0 and 1 only, whose keys are unique by construction.
			s := r.session(i%2, used)
			t = t.Add(time.Duration(1+r.r.IntN(120)) * time.Minute)
			spec := ArchiveSpec{Key: s.Key, SessionID: s.SessionID, ChatType: s.ChatType, LastChannel: s.LastChannel,
				Origin: s.Origin, Messages: r.messages(g.MessagesPerSession, t), UpdatedAt: t, ArchivedAt: t.Add(time.Minute)}
			if i%2 == 0 {
				l := fmt.Sprintf("Archived %d", i+1)
				spec.Label = &l
			}
			af.Archives = append(af.Archives, spec)
		}
		f.Agents = append(f.Agents, af)
	}
	return f
}

// session returns a session spec of the i-th shape with a key not in used.
func (r gen) session(i int, used map[string]bool) SessionSpec {
	for {
		s := SessionSpec{SessionID: r.uuid()}
		switch {
		case i == 4:
			s.Key, s.ChatType, s.LastChannel = "agent:main:main", "direct", "webchat"
			s.Origin = map[string]any{"provider": "webchat", "surface": "webchat", "chatType": "direct"}
		case i%6 == 0:
			s.Key, s.ChatType, s.LastChannel = "api:"+r.uuid(), "direct", "api"
			s.Origin = map[string]any{"provider": "api", "label": "API"}
		case i%6 == 1:
			s.Key, s.ChatType, s.LastChannel = "s-"+r.hex(12), "direct", "webchat"
			s.Origin = map[string]any{"provider": "webchat", "surface": "dashboard"}
		case i%6 == 2:
			id := r.digits(9)
			s.Key, s.ChatType, s.LastChannel = "agent:main:telegram:direct:"+id, "direct", "telegram"
			s.Origin = map[string]any{"provider": "telegram", "surface": "telegram", "chatType": "direct",
				"from": "telegram:" + id, "to": "telegram:bot", "accountId": "default"}
		case i%6 == 3:
			group, topic := "-100"+r.digits(10), r.r.IntN(500)+1
			s.Key = fmt.Sprintf("agent:main:telegram:group:%s:topic:%d", group, topic)
			s.ChatType, s.LastChannel = "group", "telegram"
			s.Origin = map[string]any{"provider": "telegram", "surface": "telegram", "chatType": "group",
				"label": "Group " + group, "from": "telegram:group:" + group, "threadId": topic}
		case i%6 == 4:
			num := "+" + r.digits(11)
			s.Key, s.ChatType, s.LastChannel = "agent:main:whatsapp:direct:"+num, "direct", "whatsapp"
			s.Origin = map[string]any{"provider": "whatsapp", "chatType": "direct", "from": "whatsapp:" + num}
		default:
			ch := r.digits(18)
			s.Key, s.ChatType, s.LastChannel = "agent:main:discord:channel:"+ch, "channel", "discord"
			s.Origin = map[string]any{"provider": "discord", "surface": "discord", "chatType": "channel", "to": "channel:" + ch}
		}
		if !used[s.Key] {
			used[s.Key] = true
			return s
		}
		i = 0 // collisions only happen on fixed keys; fall back to api:<uuid>
	}
}

// messages returns n alternating messages ending at end: user messages as
// strings, assistant messages as strings or blocks (text, thinking, toolCall).
func (r gen) messages(n int, end time.Time) []Message {
	out := make([]Message, 0, n)
	for i := 0; i < n; i++ {
		var m Message
		if i%2 == 0 {
			m = TextMessage("user", fmt.Sprintf("Question %d about %s?", i/2+1, generateWords[r.r.IntN(len(generateWords))]))
		} else {
			switch r.r.IntN(3) {
			case 0:
				m = TextMessage("assistant", fmt.Sprintf("Answer %d.", i/2+1))
			case 1:
				m = BlocksMessage("assistant", ThinkingBlock("Let me think."), TextBlock(fmt.Sprintf("Answer %d.", i/2+1)))
			default:
				m = BlocksMessage("assistant",
					ToolCallBlock("call_"+r.hex(8), "web_search", map[string]any{"query": generateWords[r.r.IntN(len(generateWords))]}),
					TextBlock(fmt.Sprintf("Answer %d, after a search.", i/2+1)))
			}
		}
		m.ID = r.hex(8)
		m.Timestamp = end.Add(-time.Duration(n-1-i) * 30 * time.Second).UnixMilli()
		out = append(out, m)
	}
	return out
}

// longMessages returns n alternating text messages ending at end, each
// about size bytes of content (at least its numbered opening): a long
// transcript, such as a support conversation with tool output. The
// padding is one shared string, so that 1,000 messages of 24 KB cost
// little more than their JSON encoding.
func (r gen) longMessages(n, size int, end time.Time) []Message {
	pad := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", size/56+1)
	out := make([]Message, n)
	roles := [2]string{"user", "assistant"}
	for i := range out {
		text := roles[i%2] + " message " + strconv.Itoa(i+1) + ": "
		text += pad[:max(0, size-len(text))]
		out[i] = TextMessage(roles[i%2], text)
		out[i].ID = r.hex(8)
		out[i].Timestamp = end.Add(-time.Duration(n-1-i) * 30 * time.Second).UnixMilli()
	}
	return out
}

// Fixed identifiers of DemoFixture.
const (
	DemoOwnerID  = "owner-demo"
	DemoAgentID  = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
	DemoAgentID2 = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	// DemoMasterKey is a master key of DemoOwnerID.
	DemoMasterKey = MasterKeyPrefix + "0123456789abcdef0123456789abcdef0123456789abcdef"
	// DemoAgentKey is an agent key of DemoAgentID with agent:manage.
	DemoAgentKey = AgentKeyPrefix + "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718"
	// DemoReadOnlyKey is an agent key of DemoAgentID without agent:manage.
	DemoReadOnlyKey = AgentKeyPrefix + "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687"
)

// DemoFixture returns a small fixed data set: DemoOwnerID (subscribed) with
// agents DemoAgentID (eight sessions of varied shapes, two archives) and
// DemoAgentID2 (two sessions), and the keys DemoMasterKey, DemoAgentKey and
// DemoReadOnlyKey.
func DemoFixture() Fixture {
	at, label, hello := demoAt, demoLabel, demoHello
	return Fixture{
		Owners: []OwnerFixture{{ID: DemoOwnerID, SubscriptionActive: true}},
		Agents: []AgentFixture{
			{ID: DemoAgentID, OwnerID: DemoOwnerID, Name: "Demo agent", Sessions: demoSessions(), Archives: demoArchives()},
			{ID: DemoAgentID2, OwnerID: DemoOwnerID, Name: "Second agent", Sessions: []SessionSpec{
				{Key: "agent:main:main", SessionID: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", Label: label("Main"),
					ChatType: "direct", LastChannel: "webchat", UpdatedAt: at(3), Origin: map[string]any{"provider": "webchat"},
					Messages: hello(at(3), "Hi", "Hi there!")},
				{Key: "agent:main:telegram:direct:987654321", SessionID: "b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e", Label: nil,
					ChatType: "direct", LastChannel: "telegram", UpdatedAt: at(9), Origin: map[string]any{"provider": "telegram", "from": "telegram:987654321"},
					Messages: hello(at(9), "Weather tomorrow?", "Sunny, 21°C.")},
			}},
		},
		Keys: []Key{
			{Token: DemoMasterKey, OwnerID: DemoOwnerID, Name: "master key"},
			{Token: DemoAgentKey, OwnerID: DemoOwnerID, AgentID: DemoAgentID, Scopes: []string{ScopeRead, ScopeManage, ScopeChat}, Name: "agent key with agent:manage"},
			{Token: DemoReadOnlyKey, OwnerID: DemoOwnerID, AgentID: DemoAgentID, Scopes: []string{ScopeRead, ScopeChat}, Name: "agent key without agent:manage"},
		},
	}
}

// demoAt is the demo data's clock: minutes after 2026-11-28 12:00 UTC.
func demoAt(minutes int) time.Time {
	return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

func demoLabel(s string) *string { return &s }

// demoMessages numbers ms and spaces them 45 s apart, the last at end.
func demoMessages(end time.Time, ms ...Message) []Message {
	for i := range ms {
		ms[i].ID = fmt.Sprintf("m%07x", end.Unix()%0xfffffff+int64(i))
		ms[i].Timestamp = end.Add(-time.Duration(len(ms)-1-i) * 45 * time.Second).UnixMilli()
	}
	return ms
}

// demoHello is a question and its answer, the answer at end.
func demoHello(end time.Time, q, a string) []Message {
	return demoMessages(end, TextMessage("user", q), TextMessage("assistant", a))
}

// demoSessions are DemoAgentID's eight sessions of varied shapes.
func demoSessions() []SessionSpec {
	at, label, msgs, hello := demoAt, demoLabel, demoMessages, demoHello
	return []SessionSpec{
		{Key: "agent:main:main", SessionID: "0b9e4f2a-7c31-4d5e-8a6b-3f2e1d0c9b8a", Label: label("Main"),
			ChatType: "direct", LastChannel: "webchat", UpdatedAt: at(5),
			Origin:   map[string]any{"provider": "webchat", "surface": "webchat", "chatType": "direct"},
			Messages: hello(at(5), "Good morning!", "Good morning! How can I help?")},
		{Key: "agent:main:telegram:direct:123456789", SessionID: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", Label: label("Ana (Telegram)"),
			ChatType: "direct", LastChannel: "telegram", UpdatedAt: at(12),
			Origin: map[string]any{"provider": "telegram", "surface": "telegram", "chatType": "direct",
				"from": "telegram:123456789", "to": "telegram:bot", "accountId": "default", "label": "Ana"},
			Messages: msgs(at(12),
				TextMessage("user", "Can you find me a flight to Lisbon on Friday?"),
				BlocksMessage("assistant", ThinkingBlock("The user wants flights; search first."),
					ToolCallBlock("call_7a1f", "web_search", map[string]any{"query": "flights to Lisbon Friday"})),
				BlocksMessage("assistant", TextBlock("There are three direct flights on Friday: 07:10, 12:45 and 19:30.")),
				TextMessage("user", "The 12:45 one, thanks!"))},
		{Key: "agent:main:telegram:group:-1001234567890:topic:42", SessionID: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", Label: label("Support group: topic 42"),
			ChatType: "group", LastChannel: "telegram", UpdatedAt: at(20),
			Origin: map[string]any{"provider": "telegram", "surface": "telegram", "chatType": "group",
				"label": "Support group", "from": "telegram:group:-1001234567890", "threadId": 42},
			Messages: hello(at(20), "@bot what are the opening hours?", "We are open 9:00 to 18:00, Monday to Friday.")},
		{Key: "agent:main:telegram:group:-1009876543210", SessionID: "3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b", Label: nil,
			ChatType: "group", LastChannel: "telegram", UpdatedAt: at(31),
			Origin:   map[string]any{"provider": "telegram", "chatType": "group", "label": "Team chat", "from": "telegram:group:-1009876543210"},
			Messages: hello(at(31), "@bot summarise today's messages", "Three topics today: the release, the offsite and lunch.")},
		{Key: "agent:main:webchat:direct:visitor-7f3a", SessionID: "4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c", Label: label("Website visitor"),
			ChatType: "direct", LastChannel: "webchat", UpdatedAt: at(40),
			Origin:   map[string]any{"provider": "webchat", "surface": "widget", "chatType": "direct", "from": "webchat:visitor-7f3a"},
			Messages: hello(at(40), "Do you ship to Canada?", "Yes, in 5 to 7 working days.")},
		{Key: "api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f", SessionID: "5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d", Label: label("API session"),
			ChatType: "direct", LastChannel: "api", UpdatedAt: at(47),
			Origin:   map[string]any{"provider": "api", "label": "API"},
			Messages: hello(at(47), "ping", "pong")},
		{Key: "s-01hzx3k9q2", SessionID: "6b7c8d9e-0f1a-4b2c-9d4e-5f6a7b8c9d0e", Label: nil,
			ChatType: "direct", LastChannel: "webchat", UpdatedAt: at(55),
			Origin:   map[string]any{"provider": "webchat", "surface": "dashboard"},
			Messages: hello(at(55), "Test from the dashboard", "Received!")},
		{Key: "agent:main:discord:channel:112233445566778899", SessionID: "7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f", Label: label("Discord #general"),
			ChatType: "channel", LastChannel: "discord", UpdatedAt: at(63),
			Origin:   map[string]any{"provider": "discord", "surface": "discord", "chatType": "channel", "to": "channel:112233445566778899"},
			Messages: hello(at(63), "!help", "I can answer questions about the product. Just ask.")},
	}
}

// demoArchives are DemoAgentID's two archives.
func demoArchives() []ArchiveSpec {
	at, label, msgs, hello := demoAt, demoLabel, demoMessages, demoHello
	return []ArchiveSpec{
		{Key: "api:0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", SessionID: "8d9e0f1a-2b3c-4d4e-9f6a-7b8c9d0e1f2a", Label: label("Old API session"),
			ChatType: "direct", LastChannel: "api", UpdatedAt: at(-600), ArchivedAt: at(-300),
			Origin:   map[string]any{"provider": "api"},
			Messages: hello(at(-600), "Hello from last week", "Hello again!")},
		{Key: "agent:main:whatsapp:direct:+34600111222", SessionID: "9e0f1a2b-3c4d-4e5f-8a7b-8c9d0e1f2a3b", Label: nil,
			ChatType: "direct", LastChannel: "whatsapp", UpdatedAt: at(-200), ArchivedAt: at(-100),
			Origin: map[string]any{"provider": "whatsapp", "chatType": "direct", "from": "whatsapp:+34600111222"},
			Messages: msgs(at(-200), TextMessage("user", "Is my order on its way?"),
				BlocksMessage("assistant", TextBlock("It left the warehouse this morning.")))},
	}
}

// GenerateOptions drives Generate.
type GenerateOptions struct {
	Agents             int `json:"agents"`
	SessionsPerAgent   int `json:"sessions"`
	ArchivesPerAgent   int `json:"archives"`
	MessagesPerSession int `json:"messages"`
	// HistoryMessages, when not 0, is the number of messages of each
	// agent's first session instead of MessagesPerSession, each of about
	// MessageBytes bytes of text: a long transcript (history=1000 and
	// message_bytes=24576 make one of 24 MB).
	HistoryMessages int   `json:"history,omitempty"`
	MessageBytes    int   `json:"message_bytes,omitempty"`
	Seed            int64 `json:"seed"`
}

// ParseGenerateOptions parses "agents=1,sessions=1000,archives=10,messages=5,seed=1"
// (and history=1000,message_bytes=24576 for one long transcript per agent).
// Missing fields keep the defaults of 1 agent, 10 sessions, 2 archives,
// 4 messages, no long transcript and seed 1.
func ParseGenerateOptions(spec string) (GenerateOptions, error) {
	g := GenerateOptions{Agents: 1, SessionsPerAgent: 10, ArchivesPerAgent: 2, MessagesPerSession: 4, Seed: 1}
	fields, err := splitSpec("generate", spec)
	if err != nil {
		return g, err
	}
	for _, f := range fields {
		name, val := f.name, f.value
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return g, fmt.Errorf("generate: %s wants a non-negative integer, got %q", name, val)
		}
		switch name {
		case "agents":
			g.Agents = int(n)
		case "sessions":
			g.SessionsPerAgent = int(n)
		case "archives":
			g.ArchivesPerAgent = int(n)
		case "messages":
			g.MessagesPerSession = int(n)
		case "history":
			g.HistoryMessages = int(n)
		case "message_bytes":
			g.MessageBytes = int(n)
		case "seed":
			g.Seed = n
		default:
			return g, fmt.Errorf("generate: unknown field %q (want agents, sessions, archives, messages, history, message_bytes, seed)", name)
		}
	}
	return g, nil
}
