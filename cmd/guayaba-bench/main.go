// Command guayaba-bench measures what the Guayaba provider costs at scale,
// with the real terraform binary against the in-process sandbox:
//
//	go run ./cmd/guayaba-bench -n 100,1000            # what `make bench` runs
//	go run ./cmd/guayaba-bench -n 100,1000,10000 -out BENCHMARKS.md
//
// For each N it starts the sandbox with one agent holding N generated
// sessions and times four terraform commands:
//
//	a. apply adopting all N sessions with labels (for_each),
//	b. plan with nothing changed (-detailed-exitcode, must exit 0),
//	c. apply changing every label,
//	d. apply of a fresh configuration reading guayaba_sessions over all N.
//
// Then three more commands hold the same N labels in one
// guayaba_session_labels resource (see labels.go):
//
//	e. apply creating it, f. plan with nothing changed, g. apply changing
//	every label,
//
// and a last one sweeps archives with the configuration of a-c:
//
//	h. apply archiving 30% of the N sessions (archived = true).
//
// -per-session-max skips steps a-c above an N, where N guayaba_session
// resources would take Terraform itself too long.
//
// Around each command it resets the sandbox's request counters and reads
// them back (API calls by route), and polls /proc for the provider
// processes' peak resident memory (VmHWM, maximum over every provider
// process terraform started). The same steps run on a configuration
// of N terraform_data resources, which makes no API call and loads no
// plugin, so the provider's overhead shows as a ratio measured on the same
// machine in the same run.
//
// The provider is built once from the repository and used through a
// dev_overrides CLI configuration, so no terraform init is needed. Results
// are printed as tables and, with -out (the default BENCHMARKS.md), written
// as Markdown. The command exits non-zero when any terraform step fails.
package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// providerSource is the provider's address in the dev_overrides block: the
// short form, which Terraform reads as registry.terraform.io/… and OpenTofu
// as registry.opentofu.org/…, as each reads the configurations' source.
const providerSource = "guayabadotrun/guayaba"

// binaryName is the provider executable built for the run.
const binaryName = "terraform-provider-guayaba"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "guayaba-bench:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	sizes       []int
	out         string
	timeout     time.Duration
	parallelism int
	poll        time.Duration
	keep        bool
	planRuns    int
	// perSessionMax skips the guayaba_session steps (a-c) above this N; 0 never skips.
	perSessionMax int
	// labelsApplyMax: above this N the sessions start with the labels of
	// step e, so that e adopts them without a rename, and the steps that
	// rename or list every session (d, g) are skipped; 0 never.
	labelsApplyMax int
	// steps are the letters of the steps to run (all when empty).
	steps map[string]bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("guayaba-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("n", "100,1000", "comma-separated numbers of sessions to measure")
	out := fs.String("out", "BENCHMARKS.md", `write the results as Markdown to this file ("" to skip)`)
	timeout := fs.Duration("timeout", 30*time.Minute, "timeout of one terraform command")
	parallelism := fs.Int("parallelism", 10, "terraform -parallelism")
	poll := fs.Duration("poll", 20*time.Millisecond, "interval of the /proc memory sampling")
	planRuns := fs.Int("plan-runs", 3, "runs of the no-change plan step (median reported)")
	keep := fs.Bool("keep", false, "keep the temporary working directories (printed at the end)")
	perSessionMax := fs.Int("per-session-max", 0, "skip the guayaba_session steps (a-c) when N is above this (0: never)")
	labelsApplyMax := fs.Int("labels-apply-max", 0, "above this N, start the sessions with step e's labels (e renames "+
		"nothing) and skip steps d and g (0: never)")
	steps := fs.String("steps", "", `comma-separated letters of the steps to run, e.g. "e,f" (default all)`)
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	o := options{out: *out, timeout: *timeout, parallelism: *parallelism, poll: *poll, keep: *keep, planRuns: *planRuns,
		perSessionMax: *perSessionMax, labelsApplyMax: *labelsApplyMax}
	for _, l := range strings.Split(*steps, ",") {
		if l = strings.TrimSpace(l); l != "" {
			if o.steps == nil {
				o.steps = map[string]bool{}
			}
			o.steps[l] = true
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return o, fmt.Errorf("-n: %q is not a positive integer", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if len(o.sizes) == 0 {
		return o, errors.New("-n: no size given")
	}
	return o, nil
}

// machine describes where the benchmark ran.
type machine struct {
	Date      time.Time
	CPUs      int
	CPUModel  string
	MemBytes  int64
	OS        string
	Terraform string
	Go        string
}

func (m machine) String() string {
	cpu := fmt.Sprintf("%d CPUs", m.CPUs)
	if m.CPUModel != "" {
		cpu += " (" + m.CPUModel + ")"
	}
	return fmt.Sprintf("%s, %.1f GiB RAM, %s; %s; %s; %s", cpu, float64(m.MemBytes)/(1<<30), m.OS,
		m.Terraform, m.Go, m.Date.UTC().Format("2006-01-02 15:04 MST"))
}

// step is one measured terraform command, run on both configurations.
type step struct {
	Name     string
	Provider time.Duration
	Baseline time.Duration
	// ProviderCPU and BaselineCPU are the CPU time (user and system) of
	// terraform and the processes it waited for (the provider's): steadier
	// than wall time on a loaded machine.
	ProviderCPU, BaselineCPU time.Duration
	Calls                    sandbox.Counters
	RSS                      int64 // largest VmHWM of a provider process, in bytes
	Procs                    int   // provider processes seen
	Runs                     int   // times the step ran; walls are medians
}

// result is every step of one size.
type result struct {
	N     int
	Steps []step
	Load  string // load averages of the machine after the steps
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	// TERRAFORM picks another CLI (a path or a command), as in make demo.
	tfCmd := cmp.Or(os.Getenv("TERRAFORM"), "terraform")
	tfPath, err := exec.LookPath(tfCmd)
	if err != nil {
		return fmt.Errorf("%s is not on PATH (set TERRAFORM to a terraform or tofu binary)", tfCmd)
	}
	if tfPath, err = filepath.Abs(tfPath); err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "guayaba-bench-")
	if err != nil {
		return err
	}
	if opts.keep {
		defer fmt.Fprintln(stdout, "kept working directories in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	binDir := filepath.Join(tmp, "bin")
	fmt.Fprintln(stdout, "building the provider...")
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(binDir, binaryName), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	bin, err := filepath.EvalSymlinks(filepath.Join(binDir, binaryName))
	if err != nil {
		return err
	}
	rc := filepath.Join(tmp, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		providerSource, filepath.Dir(bin))
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return err
	}

	tf := &terraform{
		path:    tfPath,
		env:     append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"),
		timeout: opts.timeout,
		sampler: newRSSSampler(bin, opts.poll),
	}
	m := machine{
		Date: time.Now(), CPUs: runtime.NumCPU(), CPUModel: cpuModel(), MemBytes: memTotal(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(),
	}
	vout, err := tf.output(ctx, tmp, "version")
	if err != nil {
		return fmt.Errorf("terraform version: %w\n%s", err, vout)
	}
	m.Terraform, _, _ = strings.Cut(strings.TrimSpace(vout), "\n")
	fmt.Fprintln(stdout, "machine:", m)

	// Warm the page cache with both binaries, so that the first measured
	// step does not pay for it.
	_ = exec.CommandContext(ctx, bin).Run()

	var results []result
	for _, n := range opts.sizes {
		fmt.Fprintf(stdout, "\nN = %d\n", n)
		r, err := benchSize(ctx, tf, filepath.Join(tmp, fmt.Sprintf("n%d", n)), n, opts, stdout)
		if err != nil {
			return fmt.Errorf("at n = %d: %w", n, err)
		}
		results = append(results, r)
		printTable(stdout, r)
		fmt.Fprint(stdout, labelsComparison(r))
	}
	if pr := planRatios(results); pr != "" {
		fmt.Fprint(stdout, "\nlabels plan against one terraform_data with the same map:\n"+pr)
	}

	if opts.out != "" {
		md := markdown(m, opts, results)
		if err := os.WriteFile(opts.out, []byte(md), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "\nwrote", opts.out)
	}
	return nil
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the repository: no go.mod found above the working directory")
		}
		dir = parent
	}
}

// terraform runs the terraform binary with the bench's CLI configuration.
type terraform struct {
	path    string
	env     []string
	timeout time.Duration
	sampler *rssSampler
	lastCPU time.Duration // CPU time of the last command and the children it waited for
}

// errTimeout marks a terraform command stopped by -timeout.
var errTimeout = errors.New("timed out")

// output runs terraform in dir and returns its combined output.
func (t *terraform) output(ctx context.Context, dir string, args ...string) (string, error) {
	tctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, t.path, args...)
	cmd.Dir = dir
	cmd.Env = t.env
	// Interrupt rather than kill, so that terraform stops its plugins.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if cmd.ProcessState != nil {
		t.lastCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil && tctx.Err() != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		} else {
			err = fmt.Errorf("%w after %s (-timeout): %w", errTimeout, t.timeout, err)
		}
	}
	return buf.String(), err
}

// measure runs one terraform command in dir and returns its wall time and
// the provider processes' peak memory. wantExit is the expected exit code.
func (t *terraform) measure(ctx context.Context, dir string, wantExit int, args ...string) (time.Duration, int64, int, error) {
	t.sampler.Start()
	start := time.Now()
	out, err := t.output(ctx, dir, args...)
	wall := time.Since(start)
	rss, procs := t.sampler.Stop()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && !errors.Is(err, errTimeout) && ctx.Err() == nil {
		code = ee.ExitCode()
	} else if err != nil {
		return wall, rss, procs, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, err, tail(out, 200))
	}
	if code != wantExit {
		return wall, rss, procs, fmt.Errorf("terraform %s in %s: exit code %d, want %d\n%s",
			strings.Join(args, " "), dir, code, wantExit, tail(out, 200))
	}
	return wall, rss, procs, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("... (%d lines cut; -keep keeps the working directory)\n%s",
		len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

// Configurations. The resources read their keys and label prefix from
// terraform.tfvars.json, rewritten between steps.
const (
	// providerHeader is the provider block of every configuration, with the
	// sandbox's URL, the key and the agent to fill in.
	providerHeader = `terraform {
  required_providers {
    guayaba = { source = "guayabadotrun/guayaba" }
  }
}

provider "guayaba" {
  base_url = %q
  api_key  = %q
  agent_id = %q
}
`
	providerMain = providerHeader + `
variable "keys" { type = list(string) }
variable "label_prefix" { type = string }
variable "archived" {
  type    = map(bool)
  default = {}
}

resource "guayaba_session" "s" {
  for_each = toset(var.keys)
  key      = each.key
  label    = "${var.label_prefix}-${md5(each.key)}"
  archived = lookup(var.archived, each.key, false)
}
`
	providerData = providerHeader + `
data "guayaba_sessions" "all" {}

output "count" { value = length(data.guayaba_sessions.all.sessions) }
`
	baselineMain = `variable "keys" { type = list(string) }
variable "label_prefix" { type = string }
variable "archived" {
  type    = map(bool)
  default = {}
}

resource "terraform_data" "s" {
  for_each = toset(var.keys)
  input    = "${var.label_prefix}-${md5(each.key)}${lookup(var.archived, each.key, false) ? "-archived" : ""}"
}
`
	// The filtered data source selects the sessions whose key starts with
	// filterPrefix: about 2% of the generated ones.
	providerDataFiltered = providerHeader + `
data "guayaba_sessions" "filtered" {
  key_prefix = %q
}

output "count" { value = length(data.guayaba_sessions.filtered.sessions) }
`
	baselineData = `variable "keys" { type = list(string) }

resource "terraform_data" "all" {
  input = var.keys
}

output "count" { value = length(terraform_data.all.output) }
`
)

// benchSize runs the steps at one size on both configurations.
// Step b changes nothing; it runs planRuns times, provider and baseline in
// turn, and reports the medians.
func benchSize(ctx context.Context, tf *terraform, dir string, n int, opts options, stdout io.Writer) (result, error) {
	res := result{N: n}
	parallelism, planRuns, perSessionMax := opts.parallelism, opts.planRuns, opts.perSessionMax
	big := opts.labelsApplyMax > 0 && n > opts.labelsApplyMax
	fx := sandbox.Generate(sandbox.GenerateOptions{Agents: 1, SessionsPerAgent: n, Seed: 1})
	masterKey := fx.MasterToken()
	agentID := fx.Agents[0].ID
	keys := make([]string, 0, n)
	var filtered []string // the keys the filtered data source selects
	for i := range fx.Agents[0].Sessions {
		s := &fx.Agents[0].Sessions[i]
		keys = append(keys, s.Key)
		if strings.HasPrefix(s.Key, filterPrefix) {
			filtered = append(filtered, s.Key)
		}
		if big {
			l := benchLabel(labelsFirstPrefix, s.Key)
			s.Label = &l
		}
	}
	slices.Sort(filtered)

	sb := sandbox.New(sandbox.Options{})
	if err := sb.Load(fx); err != nil {
		return res, err
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		return res, err
	}
	defer sb.Close()

	provDir, provDataDir := filepath.Join(dir, "provider"), filepath.Join(dir, "provider-data")
	baseDir, baseDataDir := filepath.Join(dir, "baseline"), filepath.Join(dir, "baseline-data")
	provFilteredDir, baseFilteredDir := filepath.Join(dir, "provider-filtered"), filepath.Join(dir, "baseline-filtered")
	files := map[string]string{
		filepath.Join(provDir, "main.tf"):         fmt.Sprintf(providerMain, sb.URL(), masterKey, agentID),
		filepath.Join(provDataDir, "main.tf"):     fmt.Sprintf(providerData, sb.URL(), masterKey, agentID),
		filepath.Join(provFilteredDir, "main.tf"): fmt.Sprintf(providerDataFiltered, sb.URL(), masterKey, agentID, filterPrefix),
		filepath.Join(baseDir, "main.tf"):         baselineMain,
		filepath.Join(baseDataDir, "main.tf"):     baselineData,
		filepath.Join(baseFilteredDir, "main.tf"): baselineData,
	}
	for path, text := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return res, err
		}
	}
	for _, d := range []string{provDir, baseDir} {
		if err := writeVars(d, keys, "bench-v1", nil); err != nil {
			return res, err
		}
	}
	if err := writeVars(baseDataDir, keys, "", nil); err != nil {
		return res, err
	}
	if err := writeVars(baseFilteredDir, filtered, "", nil); err != nil {
		return res, err
	}

	// Step h archives three sessions in every ten: 30%.
	archived := map[string]bool{}
	for i, k := range keys {
		if i%10 < 3 {
			archived[k] = true
		}
	}

	par := fmt.Sprintf("-parallelism=%d", parallelism)
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-refresh=true", par}
	plan := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", "-refresh=true", par}
	steps := []benchStep{
		{name: "a. apply: adopt N, set labels", prov: provDir, base: baseDir, args: apply,
			after: func() error { return checkLabels(sb, agentID, keys, "bench-v1") }},
		{name: "b. plan: nothing changed", prov: provDir, base: baseDir, args: plan, repeatable: true},
		{name: "c. apply: change N labels", prov: provDir, base: baseDir, args: apply,
			before: func() error {
				if err := writeVars(provDir, keys, "bench-v2", nil); err != nil {
					return err
				}
				return writeVars(baseDir, keys, "bench-v2", nil)
			},
			after: func() error { return checkLabels(sb, agentID, keys, "bench-v2") }},
		{name: "d. data source over N", prov: provDataDir, base: baseDataDir, args: apply,
			after: func() error { return checkCount(ctx, tf, n, provDataDir, baseDataDir) }},
		{name: stepFiltered, prov: provFilteredDir, base: baseFilteredDir, args: apply,
			after: func() error { return checkCount(ctx, tf, len(filtered), provFilteredDir, baseFilteredDir) }},
	}
	if n > perSessionMax && perSessionMax > 0 {
		fmt.Fprintf(stdout, "  steps a-c skipped: N > -per-session-max %d\n", perSessionMax)
		steps = steps[3:]
	}
	perSession := len(steps) == 5
	if big {
		fmt.Fprintf(stdout, "  N > -labels-apply-max %d: the sessions start with step e's labels; steps d and g skipped\n",
			opts.labelsApplyMax)
		steps = slices.DeleteFunc(steps, func(s benchStep) bool { return strings.HasPrefix(s.name, "d. ") })
	}
	more, err := labelSteps(sb, dir, agentID, masterKey, keys, apply, plan, big)
	if err != nil {
		return res, err
	}
	steps = append(steps, more...)
	if perSession {
		// After step g the sessions carry the labels resource's labels: the
		// per-session configuration takes them over, so that step h only
		// archives.
		steps = append(steps, benchStep{name: "h. apply: archive 30% of N", prov: provDir, base: baseDir, args: apply,
			before: func() error {
				if err := writeVars(provDir, keys, "bench-l2", archived); err != nil {
					return err
				}
				return writeVars(baseDir, keys, "bench-l2", archived)
			},
			after: func() error { return checkArchived(sb, agentID, archived) }})
	}
	for _, s := range steps {
		if letter, _, _ := strings.Cut(s.name, "."); opts.steps != nil && !opts.steps[letter] {
			continue
		}
		st, err := runStep(ctx, tf, sb, s, planRuns, stdout)
		if err != nil {
			return res, err
		}
		res.Steps = append(res.Steps, st)
	}
	res.Load = loadAvg()
	return res, nil
}

// benchStep is one terraform command to measure on the provider's
// configuration and on the baseline's.
type benchStep struct {
	name       string
	prov, base string // working directories
	args       []string
	before     func() error // prepares the step
	after      func() error // checks its effect
	wantExit   int          // plans expect 0: no changes
	repeatable bool         // changes nothing, so it can run planRuns times
}

// runStep measures one step: the provider's command with the sandbox's
// counters and peak memory, then the baseline's, planRuns times when the
// step is repeatable (medians reported).
func runStep(ctx context.Context, tf *terraform, sb *sandbox.Sandbox, s benchStep, planRuns int, stdout io.Writer) (step, error) {
	st := step{Name: s.name}
	if s.before != nil {
		if err := s.before(); err != nil {
			return st, err
		}
	}
	fmt.Fprintf(stdout, "  %-32s ", s.name)
	runs := 1
	if s.repeatable {
		runs = max(1, planRuns)
	}
	var provWalls, baseWalls, provCPUs, baseCPUs []time.Duration
	for i := range runs {
		sb.ResetCounters()
		wall, rss, procs, err := tf.measure(ctx, s.prov, s.wantExit, s.args...)
		if i == 0 {
			st.Calls = sb.Counters()
		} else if c := sb.Counters(); c.Total > st.Calls.Total {
			st.Calls = c // report the costliest run
		}
		if err != nil {
			fmt.Fprintln(stdout, "FAILED")
			return st, err
		}
		st.RSS, st.Procs = max(st.RSS, rss), max(st.Procs, procs)
		provWalls, provCPUs = append(provWalls, wall), append(provCPUs, tf.lastCPU)
		if wall, _, _, err = tf.measure(ctx, s.base, s.wantExit, s.args...); err != nil {
			fmt.Fprintln(stdout, "FAILED")
			return st, err
		}
		baseWalls, baseCPUs = append(baseWalls, wall), append(baseCPUs, tf.lastCPU)
	}
	st.Runs = runs
	st.Provider, st.Baseline = median(provWalls), median(baseWalls)
	st.ProviderCPU, st.BaselineCPU = median(provCPUs), median(baseCPUs)
	fmt.Fprintf(stdout, "provider %s, baseline %s; CPU %s, %s", fmtDurs(provWalls), fmtDurs(baseWalls),
		fmtDur(st.ProviderCPU), fmtDur(st.BaselineCPU))
	fmt.Fprintf(stdout, "  (load %s)\n", loadAvg())
	if s.after != nil {
		if err := s.after(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// filterPrefix is the key_prefix of the filtered data source (step d2).
const filterPrefix = "agent:main:discord:channel:1"

// stepFiltered is the filtered data source's step.
const stepFiltered = "d2. data source, filtered (key_prefix)"

// checkCount checks that the output count of each of dirs is want.
func checkCount(ctx context.Context, tf *terraform, want int, dirs ...string) error {
	for _, d := range dirs {
		out, err := tf.output(ctx, d, "output", "-raw", "count")
		if err != nil {
			return fmt.Errorf("terraform output in %s: %w\n%s", d, err, out)
		}
		if strings.TrimSpace(out) != strconv.Itoa(want) {
			return fmt.Errorf("%s: output count = %q, want %d", d, out, want)
		}
	}
	return nil
}

// benchLabel is the label the configurations give key with prefix:
// "<prefix>-<md5(key)>".
func benchLabel(prefix, key string) string {
	sum := md5.Sum([]byte(key))
	return prefix + "-" + hex.EncodeToString(sum[:])
}

// writeVars writes terraform.tfvars.json in dir.
func writeVars(dir string, keys []string, prefix string, archived map[string]bool) error {
	vars := map[string]any{"keys": keys}
	if prefix != "" {
		vars["label_prefix"] = prefix
	}
	if archived != nil {
		vars["archived"] = archived
	}
	b, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), b, 0o644)
}

// checkLabels verifies, in the sandbox, that every session has the label
// the configuration gives it.
func checkLabels(sb *sandbox.Sandbox, agentID string, keys []string, prefix string) error {
	bad := 0
	var first string
	for _, k := range keys {
		want := benchLabel(prefix, k)
		if s, ok := sb.Session(agentID, k); !ok || s.Label == nil || *s.Label != want {
			if bad == 0 {
				first = k
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("after apply, %d of %d sessions lack the label %s-<md5(key)> (first: %s)", bad, len(keys), prefix, first)
	}
	return nil
}

// checkArchived verifies, in the sandbox, that the sessions to archive are
// archived (one archive each) and no longer active.
func checkArchived(sb *sandbox.Sandbox, agentID string, archived map[string]bool) error {
	if n := len(sb.Archives(agentID)); n != len(archived) {
		return fmt.Errorf("after apply, %d archives, want %d", n, len(archived))
	}
	for k := range archived {
		if _, ok := sb.Session(agentID, k); ok {
			return fmt.Errorf("after apply, session %s is still active", k)
		}
	}
	return nil
}

// fmtCalls formats counters as "route=count ..." sorted by route, followed
// by every answer that was not a 200.
func fmtCalls(c sandbox.Counters) string {
	if c.Total == 0 {
		return "none"
	}
	routes := make([]string, 0, len(c.ByRoute))
	for r := range c.ByRoute {
		if c.ByRoute[r] > 0 {
			routes = append(routes, r)
		}
	}
	slices.Sort(routes)
	parts := make([]string, 0, len(routes))
	var odd []string
	for _, r := range routes {
		parts = append(parts, fmt.Sprintf("%s=%d", r, c.ByRoute[r]))
		statuses := make([]int, 0)
		for st := range c.ByRouteStatus[r] {
			if st != 200 && c.ByRouteStatus[r][st] > 0 {
				statuses = append(statuses, st)
			}
		}
		slices.Sort(statuses)
		for _, st := range statuses {
			odd = append(odd, fmt.Sprintf("%s→%d ×%d", r, st, c.ByRouteStatus[r][st]))
		}
	}
	s := strings.Join(parts, " ")
	if len(odd) > 0 {
		s += " (non-200: " + strings.Join(odd, ", ") + ")"
	}
	return s
}

func fmtDur(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// fmtDurs formats one wall time, or several as "median (a b c)".
func fmtDurs(ds []time.Duration) string {
	if len(ds) == 1 {
		return fmtDur(ds[0])
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmtDur(d)
	}
	return fmtDur(median(ds)) + " (" + strings.Join(parts, " ") + ")"
}

// median returns the median of ds (the lower middle for an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func fmtRatio(s step) string {
	if s.Baseline <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", s.Provider.Seconds()/s.Baseline.Seconds())
}

func fmtRSS(s step) string {
	if s.Procs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f (%d proc)", float64(s.RSS)/(1<<20), s.Procs)
}

var header = []string{"step", "provider wall", "baseline wall", "ratio", "API calls by route", "provider peak RSS MiB"}

func rows(r result) [][]string {
	var out [][]string
	for _, s := range r.Steps {
		name := s.Name
		if s.Runs > 1 {
			name += fmt.Sprintf(" (median of %d)", s.Runs)
		}
		out = append(out, []string{name, fmtDur(s.Provider), fmtDur(s.Baseline), fmtRatio(s), fmtCalls(s.Calls), fmtRSS(s)})
	}
	return out
}

// printTable prints the results of one size as an aligned text table.
func printTable(w io.Writer, r result) {
	fmt.Fprintf(w, "\nN = %d (baseline: %d terraform_data resources; load average after: %s)\n", r.N, r.N, r.Load)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows(r) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// markdown renders the whole results file.
func markdown(m machine, o options, results []result) string {
	var b strings.Builder
	sizes := make([]string, len(o.sizes))
	for i, n := range o.sizes {
		sizes[i] = strconv.Itoa(n)
	}
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Generated by `make bench` (`scripts/bench.sh`, which runs `go run ./cmd/guayaba-bench`); " +
		"do not edit by hand. `BENCH_N=100,1000 make bench` leaves out the large sizes.\n\n")
	b.WriteString("For each N the sandbox runs in-process with one agent holding N generated sessions, and the real " +
		"`terraform` binary runs four commands against the provider (built from this repository, used through " +
		"`dev_overrides`):\n\n")
	b.WriteString("- **a.** `apply` adopting all N sessions with `guayaba_session` (`for_each`), setting every label;\n")
	b.WriteString("- **b.** `plan -detailed-exitcode` with nothing changed (refresh on, exit code 0);\n")
	b.WriteString("- **c.** `apply` changing every label;\n")
	b.WriteString("- **d.** `apply` of a fresh configuration reading `data \"guayaba_sessions\"` over all N;\n")
	b.WriteString("- **d2.** the same with `key_prefix = \"" + filterPrefix + "\"`, which selects about 2% of the " +
		"generated sessions (the baseline holds a list of those keys).\n\n")
	b.WriteString(labelsMarkdown)
	b.WriteString("Step **h** runs the configuration of steps a-c again after step g, with the labels step g set and " +
		"`archived = true` on 30% of the N sessions: an archive sweep. Each archive is confirmed by a listing that " +
		"started after it, shared by the archives of one wave.\n\n")
	b.WriteString("The baseline runs the same steps on N `terraform_data` resources (step d: one `terraform_data` " +
		"holding a list of N strings): no API and no plugin, so *ratio* is the provider's whole overhead " +
		"(plugin protocol included) on the same machine in the same run. *API calls* are the sandbox's counters " +
		"for the provider command; *peak RSS* is the largest `VmHWM` of any provider process terraform started for " +
		"the command (terraform starts it more than once), sampled every " + o.poll.String() + ". " +
		fmt.Sprintf("All commands use `-parallelism=%d` and `-refresh=true`. ", o.parallelism) +
		fmt.Sprintf("Wall times are single runs, except step b (median of %d runs, provider and baseline in turn); ", o.planRuns) +
		"a loaded machine (see the load averages) makes them noisy.\n\n")
	fmt.Fprintf(&b, "## %s\n\n", m.Date.UTC().Format("2006-01-02 15:04 MST"))
	cpu := fmt.Sprintf("%d CPUs", m.CPUs)
	if m.CPUModel != "" {
		cpu += " (" + m.CPUModel + ")"
	}
	fmt.Fprintf(&b, "- Machine: %s, %.1f GiB RAM, %s\n", cpu, float64(m.MemBytes)/(1<<30), m.OS)
	fmt.Fprintf(&b, "- %s, %s\n", m.Terraform, m.Go)
	command := "go run ./cmd/guayaba-bench -n " + strings.Join(sizes, ",")
	if o.perSessionMax > 0 {
		command += fmt.Sprintf(" -per-session-max %d", o.perSessionMax)
	}
	if o.labelsApplyMax > 0 {
		command += fmt.Sprintf(" -labels-apply-max %d", o.labelsApplyMax)
	}
	fmt.Fprintf(&b, "- Command: `%s`\n", command)
	for _, r := range results {
		fmt.Fprintf(&b, "\n### N = %d\n\nLoad average (1, 5, 15 min) after the steps: %s.\n\n", r.N, r.Load)
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString("|---|--:|--:|--:|---|--:|\n")
		for _, row := range rows(r) {
			for i := range row {
				row[i] = strings.ReplaceAll(row[i], "|", `\|`)
			}
			row[4] = "`" + row[4] + "`"
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
		b.WriteString(labelsComparison(r))
	}
	if pr := planRatios(results); pr != "" {
		b.WriteString("\n### One `guayaba_session_labels` against Terraform's floor\n\n" +
			"Step f, the no-change plan, against one `terraform_data` holding the same map, in the same run:\n\n" + pr)
	}
	return b.String()
}
