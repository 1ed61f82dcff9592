// Package scripts holds no code: its tests check that the GitHub workflows in
// .github/workflows run what the repository pins, since GitHub is the one
// place those workflows run. `make workflows-check` runs them after
// actionlint; `go test ./...` runs them too.
package scripts

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"gopkg.in/yaml.v3"
)

// The files these tests read, relative to this directory.
const (
	matrixFile   = "test-matrix-clis.txt"
	testWorkflow = "../.github/workflows/test.yml"
	ciRun        = "../.ci/run"
)

// matrixCLI is one line of test-matrix-clis.txt.
type matrixCLI struct {
	program string // terraform or opentofu
	version string
	local   string // the CLI test-matrix.sh runs here
}

func (c matrixCLI) String() string { return c.program + " " + c.version }

// readMatrix reads the one list of the matrix's CLIs.
func readMatrix(t *testing.T) []matrixCLI {
	t.Helper()
	f, err := os.Open(matrixFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var clis []matrixCLI
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3 || (fields[0] != "terraform" && fields[0] != "opentofu") {
			t.Fatalf("%s:%d: want \"terraform|opentofu VERSION CLI\", got %q", matrixFile, n, sc.Text())
		}
		if _, err := version.NewSemver(fields[1]); err != nil {
			t.Fatalf("%s:%d: version %q: %v", matrixFile, n, fields[1], err)
		}
		clis = append(clis, matrixCLI{program: fields[0], version: fields[1], local: fields[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(clis) == 0 {
		t.Fatalf("%s lists no CLI", matrixFile)
	}
	return clis
}

// workflow is the part of a workflow file these tests read.
type workflow struct {
	Jobs map[string]struct {
		Strategy struct {
			Matrix struct {
				Include []map[string]string `yaml:"include"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []step `yaml:"steps"`
	} `yaml:"jobs"`
}

type step struct {
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
}

func readWorkflow(t *testing.T, path string) (workflow, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return w, raw
}

// action is the name of the action a step uses, without its ref.
func (s step) action() string {
	name, _, _ := strings.Cut(s.Uses, "@")
	return name
}

// The acceptance tests run on the same CLIs on GitHub as in `make
// test-matrix` and .ci/run: the test job's matrix is test-matrix-clis.txt,
// in the same order.
func TestWorkflow_matrixIsTestMatrixCLIs(t *testing.T) {
	want := readMatrix(t)
	w, _ := readWorkflow(t, testWorkflow)
	var got []matrixCLI
	for _, e := range w.Jobs["test"].Strategy.Matrix.Include {
		got = append(got, matrixCLI{program: e["cli"], version: e["version"]})
	}
	if !slices.EqualFunc(got, want, func(a, b matrixCLI) bool { return a.String() == b.String() }) {
		t.Errorf("the test job's matrix in %s is %v, but %s lists %v: change both, so that GitHub tests what `make test-matrix` does",
			testWorkflow, got, matrixFile, want)
	}
}

// The CLIs test-matrix-clis.txt lists are the ones the repository builds and
// installs: OpenTofu's version is the one tools/opentofu/go.mod pins for
// bin/tofu, .ci/run takes the list as it is, and the job that generates the
// docs (which needs Terraform >= 1.14) runs the newest Terraform of the list.
func TestWorkflow_matrixIsWhatTheRepositoryPins(t *testing.T) {
	clis := readMatrix(t)
	var newest *version.Version
	for _, c := range clis {
		switch c.program {
		case "opentofu":
			if got := requiredVersion(t, "../tools/opentofu/go.mod", "github.com/opentofu/opentofu"); got != "v"+c.version {
				t.Errorf("%s lists OpenTofu %s, but tools/opentofu/go.mod builds %s into bin/tofu", matrixFile, c.version, got)
			}
		case "terraform":
			if v := version.Must(version.NewSemver(c.version)); newest == nil || v.GreaterThan(newest) {
				newest = v
			}
		}
	}

	run, err := os.ReadFile(ciRun)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^\s*(export\s+)?MATRIX_CLIS=`).Match(run) {
		t.Errorf("%s sets MATRIX_CLIS: it must run the CLIs of %s (scripts/test-matrix.sh's default)", ciRun, matrixFile)
	}

	if newest == nil {
		t.Fatalf("%s lists no Terraform", matrixFile)
	}
	w, _ := readWorkflow(t, testWorkflow)
	var found bool
	for _, s := range w.Jobs["generate"].Steps {
		if s.action() == "hashicorp/setup-terraform" {
			found = true
			if got := s.With["terraform_version"]; got != newest.String() {
				t.Errorf("the generate job of %s installs Terraform %q, want %s, the newest of %s", testWorkflow, got, newest, matrixFile)
			}
		}
	}
	if !found {
		t.Errorf("the generate job of %s does not install Terraform with hashicorp/setup-terraform", testWorkflow)
	}
}

// The workflows run the golangci-lint and goreleaser versions that `make
// lint` and `make release` build from the tools modules.
func TestWorkflow_toolVersions(t *testing.T) {
	for _, c := range []struct {
		workflow, action, goMod, module string
	}{
		{testWorkflow, "golangci/golangci-lint-action", "../tools/go.mod", "github.com/golangci/golangci-lint/v2"},
		{"../.github/workflows/release.yml", "goreleaser/goreleaser-action", "../tools/goreleaser/go.mod", "github.com/goreleaser/goreleaser/v2"},
	} {
		want := requiredVersion(t, c.goMod, c.module)
		w, _ := readWorkflow(t, c.workflow)
		var n int
		for _, job := range w.Jobs {
			for _, s := range job.Steps {
				if s.action() != c.action {
					continue
				}
				n++
				if got := s.With["version"]; got != want {
					t.Errorf("%s runs %s with version %q, but %s pins %s %s", c.workflow, c.action, got, c.goMod, c.module, want)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s does not use %s", c.workflow, c.action)
		}
	}
}

// Every action is pinned by a full commit SHA with its version in a comment
// ("# v1.2.3"), as HashiCorp's providers pin them: a tag can be moved, a
// commit cannot, and Dependabot updates both together.
func TestWorkflow_actionsPinnedBySHA(t *testing.T) {
	files, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	comment := regexp.MustCompile(`^# v\d+\.\d+\.\d+$`)
	for _, f := range files {
		_, raw := readWorkflow(t, f)
		var root yaml.Node
		if err := yaml.Unmarshal(raw, &root); err != nil {
			t.Fatal(err)
		}
		var n int
		walkUses(&root, func(uses *yaml.Node) {
			n++
			where := fmt.Sprintf("%s:%d", f, uses.Line)
			if strings.HasPrefix(uses.Value, "./") {
				return // an action of this repository
			}
			if !pinned.MatchString(uses.Value) {
				t.Errorf("%s: %q is not pinned by a full commit SHA", where, uses.Value)
			}
			if !comment.MatchString(uses.LineComment) {
				t.Errorf("%s: %q has no \"# vX.Y.Z\" comment naming its version (got %q)", where, uses.Value, uses.LineComment)
			}
		})
		if n == 0 {
			t.Errorf("%s uses no action", f)
		}
	}
}

// Dependabot keeps every Go module of the repository up to date (the
// provider and each tools module), and the workflows' actions.
func TestWorkflow_dependabotCoversEveryModule(t *testing.T) {
	raw, err := os.ReadFile("../.github/dependabot.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("dependabot.yml: %v", err)
	}
	covered := map[string]bool{}
	for _, u := range cfg.Updates {
		covered[u.Ecosystem+" "+u.Directory] = true
	}
	want := []string{"github-actions /"}
	for _, pattern := range []string{"../go.mod", "../tools/go.mod", "../tools/*/go.mod"} {
		mods, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mods {
			dir := strings.TrimPrefix(filepath.ToSlash(filepath.Dir(m)), "..")
			if dir == "" {
				dir = "/"
			}
			want = append(want, "gomod "+dir)
		}
	}
	for _, w := range want {
		if !covered[w] {
			t.Errorf(".github/dependabot.yml has no %q entry", w)
		}
	}
}

// walkUses calls fn with the value node of every "uses" key under n.
func walkUses(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "uses" && n.Content[i+1].Kind == yaml.ScalarNode {
				fn(n.Content[i+1])
			}
		}
	}
	for _, c := range n.Content {
		walkUses(c, fn)
	}
}

// requiredVersion is the version goMod requires of module.
func requiredVersion(t *testing.T, goMod, module string) string {
	t.Helper()
	raw, err := os.ReadFile(goMod)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s does not require %s", goMod, module)
	}
	return string(m[1])
}
