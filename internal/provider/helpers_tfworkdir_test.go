package provider

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// tfWorkdir is the second acceptance harness, for what terraform-plugin-testing
// cannot do. Acceptance tests use resource.Test wherever it can check what the
// test asserts; a test uses tfWorkdir only when it needs at least one of:
//
//   - API calls per terraform command. resource.Test runs a plan, the apply
//     and two more plans for every step, so the sandbox's counters cannot tell
//     one command from the next, and a fault injected for a command may be met
//     by another one (the scale and throttling tests, countCalls).
//   - What the CLI prints besides one error pattern: warnings (resource.Test
//     sees errors only), the phrases an error must say in whatever order the
//     message puts them, those it must not say, how many errors there are,
//     plan and destroy summaries, and the TRACE and DEBUG logs of terraform
//     and the provider.
//   - Files resource.Test keeps to itself: the raw state, a saved plan file,
//     and the configuration written by -generate-config-out.
//   - Commands and flags resource.Test does not run: apply -invoke (actions),
//     -parallelism, -replace, terraform state rm, terraform import with an
//     empty ID, terraform query -generate-config-out, terraform test.
//   - Environment variables for the provider (GUAYABA_*, TF_LOG*). The
//     in-process provider of resource.Test reads the environment of the test
//     process, which tests running in parallel cannot change.
//   - The provider as its own process, as users run it (its peak memory), and
//     the examples run from their directories, as users run them.
//
// A tfWorkdir runs the CLI under test (see selectCLI) one command at a time in
// a directory of its own, on the provider built from this checkout and
// installed through a dev_overrides CLI configuration, as a user of a local
// build would install it. Like resource.Test it runs only with TF_ACC set.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// providerBinaryDir builds the provider once per test process.
func providerBinaryDir(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "guayaba-provider-bin-")
		if buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-guayaba"), ".")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// tfWorkdir is a terraform working directory using the built provider.
type tfWorkdir struct {
	t   testing.TB
	dir string
	env []string
}

func newTFWorkdir(t testing.TB, config string) *tfWorkdir {
	t.Helper()
	skipUnlessAcc(t)
	bin := providerBinaryDir(t)
	dir := t.TempDir()
	cli := filepath.Join(dir, ".terraformrc")
	// The short source address: Terraform reads it as registry.terraform.io/…
	// and OpenTofu as registry.opentofu.org/…, as each does in versions.tf.
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "guayabadotrun/guayaba" = %q
  }
  direct {}
}
`, bin)
	if err := os.WriteFile(cli, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &tfWorkdir{t: t, dir: dir, env: []string{
		"TF_CLI_CONFIG_FILE=" + cli,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	}}
	w.write("versions.tf", `terraform {
  required_providers {
    guayaba = { source = "guayabadotrun/guayaba" }
  }
}
`)
	w.write("main.tf", config)
	return w
}

func (w *tfWorkdir) write(name, content string) {
	w.t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

func (w *tfWorkdir) read(name string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// planFileTexts returns the saved plan file name's raw bytes and every file
// inside it, by where each was found: a plan file is a zip archive, so its
// raw bytes alone would hide compressed text.
func (w *tfWorkdir) planFileTexts(name string) map[string]string {
	w.t.Helper()
	raw := w.read(name)
	texts := map[string]string{"the raw plan file " + name: raw}
	zr, err := zip.NewReader(strings.NewReader(raw), int64(len(raw)))
	if err != nil {
		w.t.Fatalf("plan file %s is not a zip archive: %v", name, err)
	}
	if len(zr.File) == 0 {
		w.t.Fatalf("plan file %s is empty", name)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			w.t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			w.t.Fatalf("plan file %s, entry %s: %v", name, f.Name, err)
		}
		texts["plan file "+name+", entry "+f.Name] = string(b)
	}
	return texts
}

// run runs terraform with args and extra environment; it returns the
// combined output and the error.
func (w *tfWorkdir) run(extraEnv []string, args ...string) (string, error) {
	w.t.Helper()
	cmd := exec.Command(testCLI.path, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append(filteredEnv(), w.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// must runs the CLI and fails the test on error, with the end of the
// output: the one way to run a command that has to succeed.
func (w *tfWorkdir) must(args ...string) string {
	w.t.Helper()
	out, err := w.run(nil, args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", testCLI.path, strings.Join(args, " "), err, lastLines(out, 100))
	}
	return out
}

// with returns the working directory running every command with env added
// (GUAYABA_* variables, TF_LOG, ...).
func (w *tfWorkdir) with(env ...string) *tfWorkdir {
	c := *w
	c.env = append(slices.Clone(w.env), env...)
	return &c
}

// outputs returns the root module's outputs (`output -json`), by name.
func (w *tfWorkdir) outputs() map[string]json.RawMessage {
	w.t.Helper()
	out := w.must("output", "-json")
	var raw map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	start := strings.Index(out, "{")
	if start < 0 {
		w.t.Fatalf("output -json printed no JSON:\n%s", out)
	}
	if err := json.Unmarshal([]byte(out[start:]), &raw); err != nil {
		w.t.Fatalf("decode outputs: %v\n%s", err, out)
	}
	res := map[string]json.RawMessage{}
	for k, v := range raw {
		res[k] = v.Value
	}
	return res
}

// filteredEnv is the test's environment without terraform settings that
// would change how the child terraform behaves.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") ||
			strings.HasPrefix(kv, "TF_REATTACH_PROVIDERS=") || strings.HasPrefix(kv, "GUAYABA_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// newTFWorkdirFrom copies an example directory (recursively) into a fresh
// working directory that uses the built provider.
func newTFWorkdirFrom(t testing.TB, src string) *tfWorkdir {
	t.Helper()
	w := newTFWorkdir(t, "")
	for _, f := range []string{"main.tf", "versions.tf"} {
		if err := os.Remove(filepath.Join(w.dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", src)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, ".terraform") || strings.Contains(rel, "tfstate") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w.write(rel, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// applyArgs is a plain apply: no prompt, no colour.
var applyArgs = []string{"apply", "-auto-approve", "-no-color"}

// countCalls runs one terraform command and returns the sandbox's counters for it.
func countCalls(t *testing.T, env *testEnv, w *tfWorkdir, args ...string) sandbox.Counters {
	t.Helper()
	env.sb.ResetCounters()
	w.must(args...)
	return env.sb.Counters()
}

// lastLines is the end of a long output, for failure messages.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// flat removes terraform's diagnostic box drawing and collapses white
// space, so that wrapped messages can be matched as plain text.
func flat(out string) string {
	r := strings.NewReplacer("│", " ", "╷", " ", "╵", " ")
	return strings.Join(strings.Fields(r.Replace(out)), " ")
}

// expectSays fails unless the flattened output contains every phrase.
func expectSays(t *testing.T, what, out string, phrases ...string) {
	t.Helper()
	f := flat(out)
	for _, p := range phrases {
		if !strings.Contains(f, p) {
			t.Errorf("%s does not say %q:\n%s", what, p, out)
		}
	}
}

// expectNotSays fails if the flattened output contains any phrase.
func expectNotSays(t *testing.T, what, out string, phrases ...string) {
	t.Helper()
	f := flat(out)
	for _, p := range phrases {
		if strings.Contains(f, p) {
			t.Errorf("%s says %q:\n%s", what, p, out)
		}
	}
}

// expectInState fails unless terraform's state holds addr (or, with want
// false, unless it does not).
func expectInState(t *testing.T, w *tfWorkdir, addr string, want bool) {
	t.Helper()
	out, err := w.run(nil, "state", "list")
	if err != nil && want {
		t.Fatalf("terraform state list: %v\n%s", err, out)
	}
	if got := strings.Contains(out, addr); got != want {
		t.Errorf("%s in state: %t, want %t\n%s", addr, got, want, out)
	}
}

// withoutPrivateState returns a state file's JSON with every resource
// instance's private state removed: the state of a version that kept none.
func withoutPrivateState(t testing.TB, state string) string {
	t.Helper()
	var st map[string]any
	if err := json.Unmarshal([]byte(state), &st); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	resources, _ := st["resources"].([]any)
	for _, r := range resources {
		instances, _ := r.(map[string]any)["instances"].([]any)
		for _, in := range instances {
			if m, ok := in.(map[string]any); ok {
				delete(m, "private")
			}
		}
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
