package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

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

// tfWorkdir is a terraform working directory using the built provider.
type tfWorkdir struct {
	t   testing.TB
	dir string
	env []string
}

func newTFWorkdir(t testing.TB, config string) *tfWorkdir {
	t.Helper()
	bin := providerBinaryDir(t)
	dir := t.TempDir()
	cli := filepath.Join(dir, ".terraformrc")
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, Address, bin)
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

// run runs terraform with args and extra environment; it returns the
// combined output and the error.
func (w *tfWorkdir) run(extraEnv []string, args ...string) (string, error) {
	w.t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	cmd := exec.Command(tf, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append(filteredEnv(), w.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// must runs terraform and fails the test on error.
func (w *tfWorkdir) must(args ...string) string {
	w.t.Helper()
	out, err := w.run(nil, args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
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
