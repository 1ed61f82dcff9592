package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The CLI under test: Terraform or OpenTofu, whichever binary
// TF_ACC_TERRAFORM_PATH names (terraform on PATH when unset). scripts/tf-env.sh
// sets it from TERRAFORM; `make test-matrix` runs the suite once per CLI.

// cliFlavor names the program behind the binary: its `version` output starts
// with it.
type cliFlavor string

const (
	flavorTerraform cliFlavor = "Terraform"
	flavorOpenTofu  cliFlavor = "OpenTofu"
)

// testCLI is the CLI the acceptance tests run, set by selectCLI.
var testCLI struct {
	path    string
	flavor  cliFlavor
	version *version.Version
}

// selectCLI finds the CLI, reads its flavor and version, and points
// terraform-plugin-testing at it. OpenTofu resolves a provider without a
// host to registry.opentofu.org, so the in-process provider must be served
// under that host (TF_ACC_PROVIDER_HOST) for OpenTofu to find it.
func selectCLI() error {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return fmt.Errorf("TF_ACC is set but terraform is not on PATH: the acceptance tests need Terraform >= 1.5 or OpenTofu >= 1.6 " +
				"(terraform on PATH, or TF_ACC_TERRAFORM_PATH=/path/to/terraform-or-tofu)")
		}
		path = p
	}
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s version: %v (TF_ACC_TERRAFORM_PATH must name a Terraform or OpenTofu binary)", path, err)
	}
	flavor, v, err := parseCLIVersion(string(out))
	if err != nil {
		return fmt.Errorf("%s version: %v", path, err)
	}
	testCLI.path, testCLI.flavor, testCLI.version = path, flavor, v
	os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	if flavor == flavorOpenTofu && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	fmt.Fprintf(os.Stderr, "acceptance tests: %s v%s (%s)\n", flavor, v, path)
	return nil
}

// parseCLIVersion reads the first line of `terraform version` or `tofu
// version`: "Terraform v1.15.9" or "OpenTofu v1.12.6".
func parseCLIVersion(out string) (cliFlavor, *version.Version, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	name, ver, ok := strings.Cut(strings.TrimSpace(first), " v")
	if !ok {
		return "", nil, fmt.Errorf("unexpected output %q", first)
	}
	flavor := cliFlavor(name)
	if flavor != flavorTerraform && flavor != flavorOpenTofu {
		return "", nil, fmt.Errorf("neither Terraform nor OpenTofu: %q", first)
	}
	v, err := version.NewVersion(ver)
	if err != nil {
		return "", nil, fmt.Errorf("version in %q: %v", first, err)
	}
	return flavor, v, nil
}

// cliFeature is a CLI feature some tests need, with the first version of
// each CLI that has it ("" = OpenTofu does not have it).
type cliFeature struct {
	name      string
	terraform string
	opentofu  string
}

// Features gated by CLI version. The README's compatibility table lists the
// same minimums.
var (
	// Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
	ephemeralResources = cliFeature{name: "ephemeral resources", terraform: "1.10.0", opentofu: "1.11.0"}
	// mock_provider in `terraform test`: Terraform 1.7, OpenTofu 1.8.
	mockProviders = cliFeature{name: "mock_provider in tests", terraform: "1.7.0", opentofu: "1.8.0"}
)

// missing says why the CLI lacks the feature, or "" when it has it.
// Prereleases count as their release, as in tfversion.SkipBelow.
func (f cliFeature) missing(flavor cliFlavor, v *version.Version) string {
	minimum := f.terraform
	if flavor == flavorOpenTofu {
		minimum = f.opentofu
	}
	if minimum == "" {
		return fmt.Sprintf("%s v%s: OpenTofu has no %s", flavor, v, f.name)
	}
	if v.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		return fmt.Sprintf("%s v%s is below %s, the first with %s", flavor, v, minimum, f.name)
	}
	return ""
}

// CheckTerraformVersion makes a feature a tfversion check for
// resource.TestCase.TerraformVersionChecks: the test skips (never fails) on a
// CLI without the feature, Terraform or OpenTofu.
func (f cliFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if why := f.missing(testCLI.flavor, req.TerraformVersion); why != "" {
		resp.Skip = why + ": skipping test"
	}
}

// skipWithout is the same check for the tests that run the CLI themselves.
func (f cliFeature) skipWithout(t testing.TB) {
	t.Helper()
	skipUnlessAcc(t)
	if why := f.missing(testCLI.flavor, testCLI.version); why != "" {
		t.Skip(why + ": skipping test")
	}
}

// Some tests need what terraform-plugin-testing hides: one terraform command
// at a time (to count API calls per command), the raw state and plan files,
// and the provider's own log. They run the terraform binary on the built
// provider, installed through a dev_overrides CLI configuration, as a user
// of a local build would.

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

// skipUnlessAcc gates the tests that run the CLI themselves as
// terraform-plugin-testing gates resource.Test: they run only with TF_ACC.
func skipUnlessAcc(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
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

// containsWords is strings.Contains that tolerates terraform's line wrapping.
func containsWords(out, phrase string) bool {
	return words(`(?s)` + strings.ReplaceAll(regexpQuote(phrase), `\ `, " ")).MatchString(out)
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// words compiles an expected-error pattern in which a space matches any run
// of white space, since terraform wraps diagnostics at 80 columns.
func words(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// The CLI's flavor and version come from the first line of `version`.
func TestParseCLIVersion(t *testing.T) {
	for _, c := range []struct {
		out     string
		flavor  cliFlavor
		version string
	}{
		{"Terraform v1.11.4\non linux_amd64\n", flavorTerraform, "1.11.4"},
		{"Terraform v1.15.9\non linux_amd64\n\nYour version of Terraform is out of date!", flavorTerraform, "1.15.9"},
		{"OpenTofu v1.12.6\non linux_amd64\n", flavorOpenTofu, "1.12.6"},
		{"OpenTofu v1.12.6-dev\non linux_amd64\n", flavorOpenTofu, "1.12.6-dev"},
	} {
		flavor, v, err := parseCLIVersion(c.out)
		if err != nil || flavor != c.flavor || v.String() != c.version {
			t.Errorf("parseCLIVersion(%q) = %s, %v, %v; want %s %s", c.out, flavor, v, err, c.flavor, c.version)
		}
	}
	for _, bad := range []string{"", "Terragrunt v0.50.0", "Terraform 1.11.4", "OpenTofu vnext"} {
		if _, _, err := parseCLIVersion(bad); err == nil {
			t.Errorf("parseCLIVersion(%q) accepted", bad)
		}
	}
}

// A feature's minimum is per CLI: OpenTofu 1.10 is at or above Terraform's
// 1.10 but has no ephemeral resources, so the test must skip there.
func TestCLIFeature_missing(t *testing.T) {
	noTofu := cliFeature{name: "actions", terraform: "1.14.0"}
	for _, c := range []struct {
		feature cliFeature
		flavor  cliFlavor
		version string
		skip    bool
	}{
		{ephemeralResources, flavorTerraform, "1.9.8", true},
		{ephemeralResources, flavorTerraform, "1.10.0-rc1", false},
		{ephemeralResources, flavorTerraform, "1.11.4", false},
		{ephemeralResources, flavorTerraform, "1.15.9", false},
		{ephemeralResources, flavorOpenTofu, "1.10.5", true},
		{ephemeralResources, flavorOpenTofu, "1.11.0", false},
		{ephemeralResources, flavorOpenTofu, "1.12.6", false},
		{mockProviders, flavorTerraform, "1.7.0", false},
		{mockProviders, flavorOpenTofu, "1.7.3", true},
		{mockProviders, flavorOpenTofu, "1.8.0", false},
		{noTofu, flavorTerraform, "1.15.9", false},
		{noTofu, flavorOpenTofu, "1.12.6", true},
	} {
		why := c.feature.missing(c.flavor, version.Must(version.NewVersion(c.version)))
		if (why != "") != c.skip {
			t.Errorf("%s on %s %s: missing = %q, want skip %t", c.feature.name, c.flavor, c.version, why, c.skip)
		}
		if why != "" && !strings.Contains(why, string(c.flavor)+" v"+c.version) {
			t.Errorf("the reason %q does not name the CLI and its version", why)
		}
	}
}
