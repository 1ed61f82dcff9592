package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
