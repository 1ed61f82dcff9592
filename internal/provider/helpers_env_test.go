package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The acceptance tests run a real Terraform or OpenTofu binary against the
// provider served in-process and a sandbox per test over loopback HTTP. As in
// terraform-plugin-testing, they run only with TF_ACC set; everything else
// (unit tests, the docs-sync check) needs no CLI. With TF_ACC, TestMain finds
// the CLI (TF_ACC_TERRAFORM_PATH, else terraform on PATH; see selectCLI), so
// nothing is downloaded, turns off checkpoint calls and gives the CLI an
// empty configuration when the environment names none that exists.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	if err := selectCLI(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f == "" || !fileExists(f) {
		dir, err := os.MkdirTemp("", "guayaba-tfcli-")
		if err != nil {
			panic(err)
		}
		cfg := filepath.Join(dir, "terraformrc")
		if err := os.WriteFile(cfg, []byte("# empty: the tests need no registry\n"), 0o600); err != nil {
			panic(err)
		}
		os.Setenv("TF_CLI_CONFIG_FILE", cfg)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// providerFactories serves the provider in-process for terraform.
var providerFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"guayaba": providerserver.NewProtocol6WithError(New("test")()),
}

// Fixed identities of every test sandbox.
const (
	testOwnerID  = "owner-1"
	testAgentID  = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	testAgent2ID = "8a6e0f4c-2b1d-4e3f-9a7b-6c5d4e3f2a1b"
)

// Session keys of each shape the platform builds: a Telegram group topic,
// an API session and a dashboard session.
const (
	groupKey = "agent:main:telegram:group:-1001234567890:topic:42"
	apiKey   = "api:0b8e6c1a-7f3d-4e2b-9c5a-1d2e3f4a5b6c"
	dashKey  = "s-9f8e7d6c"
)

// testEnv is one sandbox with an owner, two agents and keys of each kind.
type testEnv struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	variant string

	masterKey     string
	manageKey     string // agent key of testAgentID with agent:manage
	readOnlyKey   string // agent key of testAgentID without agent:manage
	otherAgentKey string // agent key of testAgent2ID with agent:manage
}

// variants are the platform behaviours every resource test runs against
// (see sandbox.Variants).
var variants = sandbox.Variants()

// forEachVariant runs fn in parallel subtests, one per platform variant.
func forEachVariant(t *testing.T, fn func(t *testing.T, env *testEnv)) {
	t.Parallel()
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, opts)
			env.variant = name
			fn(t, env)
		})
	}
}

func newTestEnv(t *testing.T, opts sandbox.Options) *testEnv {
	t.Helper()
	sb := sandbox.New(opts)
	if err := sb.Start(""); err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	sb.AddOwner(testOwnerID, true)
	sb.AddAgent(testOwnerID, testAgentID)
	sb.AddAgent(testOwnerID, testAgent2ID)
	return &testEnv{
		t:             t,
		sb:            sb,
		masterKey:     sb.AddKey(sandbox.MasterKey(testOwnerID)).Token,
		manageKey:     sb.AddKey(sandbox.AgentKey(testAgentID, "agent:manage")).Token,
		readOnlyKey:   sb.AddKey(sandbox.AgentKey(testAgentID, "chat")).Token,
		otherAgentKey: sb.AddKey(sandbox.AgentKey(testAgent2ID, "agent:manage")).Token,
	}
}

// session adds an active session with a few messages of both content kinds.
func (e *testEnv) session(agentID, key string, label *string) sandbox.Session {
	e.t.Helper()
	s, err := e.sb.AddSession(agentID, sandbox.SessionSpec{
		Key:         key,
		Label:       label,
		ChatType:    "group",
		LastChannel: "telegram",
		Origin:      map[string]any{"provider": "telegram", "from": map[string]any{"id": 42.0, "name": "Ana"}},
		Messages: []sandbox.Message{
			sandbox.TextMessage("user", "hola"),
			sandbox.BlocksMessage("assistant", sandbox.ThinkingBlock("pensando"), sandbox.TextBlock("¡Hola!"), sandbox.TextBlock("¿Qué tal?")),
			sandbox.TextMessage("user", "bien"),
		},
	})
	if err != nil {
		e.t.Fatalf("add session %q: %v", key, err)
	}
	return s
}

// mustSession returns the active session key of testAgentID, failing the
// test when there is none.
func (e *testEnv) mustSession(key string) sandbox.Session {
	e.t.Helper()
	s, ok := e.sb.Session(testAgentID, key)
	if !ok {
		e.t.Fatalf("session %q is not active in the sandbox", key)
	}
	return s
}

// providerEnv configures the provider from the environment, as a user
// would: the sandbox, the master key and testAgentID.
func (e *testEnv) providerEnv() []string {
	return []string{
		"GUAYABA_BASE_URL=" + e.sb.URL(),
		"GUAYABA_API_KEY=" + e.masterKey,
		"GUAYABA_AGENT_ID=" + testAgentID,
	}
}

// scaleSessions adds n sessions of agentID keyed prefix:0000, prefix:0001, …
// with no messages, and returns their keys.
func scaleSessions(t *testing.T, env *testEnv, agentID, prefix string, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s:%04d", prefix, i)
		if _, err := env.sb.AddSession(agentID, sandbox.SessionSpec{Key: keys[i], ChatType: "group", LastChannel: "telegram"}); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// The times and session ids of seedData.
var (
	t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	t1 = time.Date(2026, 11, 25, 18, 0, 0, 123_000_000, time.UTC)
	t2 = time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
)

const (
	sidA = "11111111-1111-4111-8111-111111111111"
	sidB = "22222222-2222-4222-8222-222222222222"
	sidC = "33333333-3333-4333-8333-333333333333"
	sidD = "44444444-4444-4444-8444-444444444444"
	sidE = "55555555-5555-4555-8555-555555555555"
)

// seedData gives the agent three active sessions and two archives with
// known values.
func seedData(t *testing.T, env *testEnv) {
	t.Helper()
	add := func(spec sandbox.SessionSpec) {
		if _, err := env.sb.AddSession(testAgentID, spec); err != nil {
			t.Fatal(err)
		}
	}
	add(sandbox.SessionSpec{Key: "agent:main:telegram:group:-100200:topic:7", SessionID: sidA, SessionFile: "/sessions/a.jsonl",
		Label: new("Ventas"), ChatType: "group", LastChannel: "telegram", UpdatedAt: t1,
		Origin: map[string]any{"provider": "telegram", "chatType": "group", "from": map[string]any{"id": "tg:1", "names": []any{"Ana", "Bea"}}, "threadId": 7.0},
		Messages: []sandbox.Message{
			msgAt(sandbox.TextMessage("user", "¿Precio?"), "m1", t0),
			msgAt(sandbox.BlocksMessage("assistant", sandbox.ThinkingBlock("calcular"), sandbox.TextBlock("10 €"),
				sandbox.ToolCallBlock("c1", "quote", map[string]any{"sku": "x"}), sandbox.TextBlock("sin IVA")), "m2", t1),
			msgAt(sandbox.TextMessage("user", "gracias"), "m3", t2),
		}})
	add(sandbox.SessionSpec{Key: "agent:main:webchat:direct:bea", SessionID: sidB, SessionFile: "/sessions/b.jsonl",
		ChatType: "direct", LastChannel: "webchat", UpdatedAt: t0, Origin: map[string]any{}})
	add(sandbox.SessionSpec{Key: "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", SessionID: sidC, SessionFile: "/sessions/c.jsonl",
		Label: new("API"), ChatType: "direct", LastChannel: "api", UpdatedAt: t2, Origin: map[string]any{"surface": "api"}})
	for _, a := range []sandbox.ArchiveSpec{
		{Key: "agent:main:telegram:direct:9", SessionID: sidD, Label: new("Viejo"), ArchivedAt: t2},
		{Key: "agent:main:telegram:direct:8", SessionID: sidE, ArchivedAt: t0},
	} {
		if _, err := env.sb.AddArchive(testAgentID, a); err != nil {
			t.Fatal(err)
		}
	}
}

// msgAt gives m an id and a timestamp.
func msgAt(m sandbox.Message, id string, at time.Time) sandbox.Message {
	m.ID, m.Timestamp = id, at.UnixMilli()
	return m
}

// bigAgent loads a generated agent into env's sandbox (Generate with g, one
// agent) and returns it with a provider block for it (the fixture's master
// key and the agent as agent_id).
func bigAgent(t *testing.T, env *testEnv, g sandbox.GenerateOptions) (sandbox.AgentFixture, string) {
	t.Helper()
	g.Agents = 1
	fx := sandbox.Generate(g)
	if err := env.sb.Load(fx); err != nil {
		t.Fatal(err)
	}
	a := fx.Agents[0]
	return a, env.providerWithKey(fx.MasterToken(), hclAttr("agent_id", a.ID))
}
