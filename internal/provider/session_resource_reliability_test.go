package provider

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Reliability end to end: the real terraform binary against the
// sandbox's rate limiter and fault injection. Every test here that does not
// ask for on_destroy = "delete" also checks that nothing was deleted. The
// throttling and transient-failure tests run on a tfWorkdir: they read the
// provider's DEBUG log, count the errors of one command and the attempts it
// made.

// genericUnavailable is a transient 503 body. The sandbox's default 503 body
// ("Agent container is not running") is a state only the user can fix, which
// the client deliberately never retries.
const genericUnavailable = `{"error":"Service Unavailable","message":"Try again later"}`

// ---- 1. Throttling ----

var attemptLineRE = regexp.MustCompile(`Guayaba API attempt: .*`)
var logFieldRE = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)

// logAttempt is one "Guayaba API attempt" debug line.
type loggedAttempt struct {
	op, method, path string
	attempt, status  int
}

func parseAttempts(out string) []loggedAttempt {
	var list []loggedAttempt
	for _, line := range attemptLineRE.FindAllString(out, -1) {
		var a loggedAttempt
		for _, m := range logFieldRE.FindAllStringSubmatch(line, -1) {
			v := strings.Trim(m[2], `"`)
			switch m[1] {
			case "op":
				a.op = v
			case "http_method":
				a.method = v
			case "http_path":
				a.path = v
			case "attempt":
				a.attempt, _ = strconv.Atoi(v)
			case "http_status":
				a.status, _ = strconv.Atoi(v)
			}
		}
		list = append(list, a)
	}
	return list
}

// 200 labels changed with -parallelism=10 under 60 requests/minute, burst 10.
func TestAccReliability_throttling(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	const n = 200
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("agent:main:telegram:group:-100%04d", i)
		if _, err := env.sb.AddSession(testAgentID, sandbox.SessionSpec{Key: keys[i], ChatType: "group", LastChannel: "telegram"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := func(version string) string {
		ss := make([]sessionBlock, n)
		for i, k := range keys {
			ss[i] = sessionBlock{name: fmt.Sprintf("s%03d", i), key: k, label: new(version + " " + k)}
		}
		return env.provider() + sessionBlocks(ss...)
	}
	w := newTFWorkdir(t, cfg("v1"))
	w.must(applyArgs...)

	env.sb.SetRateLimit(60, 10)
	w.write("main.tf", cfg("v2"))
	// Another user of the same key (a script, the dashboard) has just spent
	// the burst when the writes start: the first ten renames, one per
	// worker, meet 429s together, and after the Retry-After they would all
	// wake together. (Draining the real bucket before the apply cannot
	// time this: terraform takes longer to start than the bucket takes to
	// refill a token, and then the client paces so well that no 429 comes.)
	env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Status: http.StatusTooManyRequests,
		RetryAfter: "2", Count: 10})
	env.sb.ResetCounters()
	start := time.Now()
	out, err := w.run([]string{"TF_LOG_PROVIDER=DEBUG"}, "apply", "-auto-approve", "-no-color", "-parallelism=10")
	wall := time.Since(start)
	if err != nil {
		t.Fatalf("apply under the rate limit failed after %v: %v\n%s", wall, err, lastLines(out, 60))
	}
	for _, k := range keys {
		if s, _ := env.sb.Session(testAgentID, k); s.Label == nil || *s.Label != "v2 "+k {
			t.Fatalf("session %s has label %s after apply", k, labelOf(s.Label))
		}
	}
	c := env.sb.Counters()
	attempts := parseAttempts(out)
	maxAttempt, retried := 0, 0
	for _, a := range attempts {
		maxAttempt = max(maxAttempt, a.attempt)
		if a.attempt > 1 {
			retried++
		}
	}
	waits := strings.Count(out, "Guayaba API rate limit: waiting")
	t.Logf("apply -parallelism=10 changing %d labels at 60/min burst 10: wall %v; sandbox saw %d requests (%v), sent %d 429s; "+
		"provider logged %d attempts, %d of them retries, highest attempt number %d, %d waits at the client's gate",
		n, wall.Round(time.Second), c.Total, c.ByRouteStatus, c.RateLimited, len(attempts), retried, maxAttempt, waits)
	if c.RateLimited < 10 {
		t.Errorf("the sandbox sent %d 429s, want at least the 10 of the spent burst: the test did not exercise throttling", c.RateLimited)
	}
	if got := c.ByRouteStatus[sandbox.RouteSessionsRename][200]; got != n {
		t.Errorf("want %d successful renames, got %d", n, got)
	}
	if len(attempts) != c.Total {
		t.Errorf("the provider logged %d attempts, the sandbox counted %d requests", len(attempts), c.Total)
	}
	if maxAttempt > client.DefaultMaxRetries+1 {
		t.Errorf("a call made %d attempts, more than max_retries+1 = %d", maxAttempt, client.DefaultMaxRetries+1)
	}
	if c.RateLimited > n/4 {
		t.Errorf("%d 429s for %d renames: the workers hammered the API instead of queueing", c.RateLimited, n)
	}
	expectNoDeletes(t, env)
}

// drainRateLimit spends the master key's rate-limit bucket with direct
// requests until the sandbox answers 429, and returns how many it took.
func drainRateLimit(t *testing.T, env *testEnv) int {
	t.Helper()
	for i := 1; i <= 100; i++ {
		req, _ := http.NewRequest(http.MethodGet, env.sb.URL()+"/agents/"+testAgentID+"/sessions", nil)
		req.Header.Set("Authorization", "Bearer "+env.masterKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return i
		}
	}
	t.Fatal("the rate limit never answered 429")
	return 0
}

// ---- 2. Transient failures ----

type faultKind struct {
	fault    func(route string, count int) sandbox.Fault
	provider []string
	// want is what the exhausted error says besides the call and "2 attempts".
	want string
}

var transientKinds = map[string]faultKind{
	"500": {
		fault: func(r string, n int) sandbox.Fault { return sandbox.Fault{Route: r, Status: 500, Count: n} },
		want:  "HTTP 500 Internal Server Error",
	},
	"502": {
		fault: func(r string, n int) sandbox.Fault { return sandbox.Fault{Route: r, Status: 502, Count: n} },
		want:  "HTTP 502 Bad Gateway",
	},
	"503": {
		fault: func(r string, n int) sandbox.Fault {
			return sandbox.Fault{Route: r, Status: 503, Body: genericUnavailable, Count: n}
		},
		want: "HTTP 503 Service Unavailable",
	},
	"dropped connection": {
		fault: func(r string, n int) sandbox.Fault { return sandbox.Fault{Route: r, Drop: true, Count: n} },
		want:  "no response after 2 attempts",
	},
	"5s delay, 1s timeout": {
		fault:    func(r string, n int) sandbox.Fault { return sandbox.Fault{Route: r, Delay: 5 * time.Second, Count: n} },
		provider: []string{`request_timeout = "1s"`},
		want:     "no response after 2 attempts: timeout after 1s per attempt",
	},
}

// writeStep is one write the provider makes, driven by a terraform command.
type writeStep struct {
	name, route, op string
	pre             string   // config applied (without faults) first, if any
	cfg             string   // config for the command, if any
	args            []string // the command
	check           stateCheck
}

// writeSteps drives the five writes in order on session k1 (and k2 for
// the session delete): rename, archive, restore, delete archive, delete.
func writeSteps(env *testEnv, extra []string) (setup string, steps []writeStep) {
	k1, k2 := groupKey, apiKey
	x := func(label *string, archived bool) sessionBlock {
		return sessionBlock{key: k1, label: label, archived: archived, onDestroy: "delete"}
	}
	y := sessionBlock{name: "y", key: k2, label: new("Bystander"), onDestroy: "delete"}
	l := new("Renamed")
	cfg := func(s sessionBlock) string { return env.provider(extra...) + s.String() }
	return cfg(x(nil, false)), []writeStep{
		{name: "rename", route: sandbox.RouteSessionsRename, op: "rename session",
			cfg: cfg(x(l, false)), args: applyArgs, check: expectRelabelled(k1, l)},
		{name: "archive", route: sandbox.RouteSessionsArchive, op: "archive session",
			cfg: cfg(x(l, true)), args: applyArgs, check: expectArchived(testAgentID, k1, l)},
		{name: "restore", route: sandbox.RouteArchivesRestore, op: "restore archive",
			cfg: cfg(x(l, false)), args: applyArgs, check: expectRestored(testAgentID, k1, l)},
		{name: "delete archive", route: sandbox.RouteArchivesDelete, op: "delete archive",
			pre: cfg(x(l, true)), cfg: cfg(y), args: applyArgs,
			check: expectArchiveDeleted(testAgentID, k1)},
		{name: "delete session", route: sandbox.RouteSessionsDelete, op: "delete session",
			args: []string{"destroy", "-auto-approve", "-no-color"}, check: expectSessionDeleted(testAgentID, k2)},
	}
}

func relEnvWithSessions(t *testing.T, opts sandbox.Options) *testEnv {
	t.Helper()
	return relEnvWithSessionsOn(t, newTestEnv(t, opts))
}

// 500, 502, 503, dropped connections and timeouts on every write: with
// max_retries = 1, one failure is retried and converges; two give one error
// naming the call, the last status or the timeout, and the attempts, and
// change nothing.
func TestAccReliability_transientFailures(t *testing.T) {
	t.Parallel()
	for name, kind := range transientKinds {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := relEnvWithSessions(t, variants["strict"])
			extra := append([]string{"max_retries = 1"}, kind.provider...)
			setup, steps := writeSteps(env, extra)
			w := newTFWorkdir(t, setup)
			w.must(applyArgs...)
			for _, s := range steps {
				if s.pre != "" {
					w.write("main.tf", s.pre)
					w.must(applyArgs...)
				}
				if s.cfg != "" {
					w.write("main.tf", s.cfg)
				}
				// Retries run out: one error, nothing changed.
				before := env.snapshot()
				n0 := env.sb.Counters().ByRoute[s.route]
				env.sb.InjectFault(kind.fault(s.route, 2))
				out, err := w.run(nil, s.args...)
				f := flat(out)
				if err == nil {
					t.Fatalf("%s: %s succeeded through two failures with max_retries = 1:\n%s", s.name, s.args[0], out)
				}
				if n := strings.Count(out, "Error: "); n != 1 {
					t.Errorf("%s: want exactly one error, got %d:\n%s", s.name, n, out)
				}
				for _, want := range []string{s.op + ":", kind.want, "2 attempts"} {
					if !strings.Contains(f, want) {
						t.Errorf("%s: the error does not say %q:\n%s", s.name, want, out)
					}
				}
				if err := diffErr(before, env.snapshot()); err != nil {
					t.Errorf("%s: a failed write changed the sandbox: %v", s.name, err)
				}
				if n := env.sb.Counters().ByRoute[s.route] - n0; n != 2 {
					t.Errorf("%s: want 2 attempts on %s, got %d", s.name, s.route, n)
				}
				if left := env.sb.Faults(); len(left) != 0 {
					t.Errorf("%s: faults left unconsumed: %+v", s.name, left)
				}
				// One failure: the retry converges.
				env.sb.InjectFault(kind.fault(s.route, 1))
				n0 = env.sb.Counters().ByRoute[s.route]
				out = w.must(s.args...)
				if err := s.check(before, env.snapshot()); err != nil {
					t.Errorf("%s: after a retried failure: %v\n%s", s.name, err, out)
				}
				if n := env.sb.Counters().ByRoute[s.route] - n0; n != 2 {
					t.Errorf("%s: want 2 attempts on %s (the failure and the retry), got %d", s.name, s.route, n)
				}
			}
		})
	}
}

// ---- 3. Lost responses ----

// writeTestSteps runs writeSteps through resource.Test: the setup, then for
// each write its pre configuration (if any) and a step running the write.
// The steps of the writes faults gives faults for record the sandbox and
// inject them in PreConfig, and check after the write what it changed
// (s.check) and what else must hold (after, given the counters from before).
func writeTestSteps(env *testEnv, setup string, steps []writeStep, faults func(writeStep) []sandbox.Fault,
	after func(s writeStep, c0 sandbox.Counters) error) []resource.TestStep {
	out := []resource.TestStep{{Config: setup}}
	cfg := setup
	for _, s := range steps {
		if s.pre != "" {
			out = append(out, resource.TestStep{Config: s.pre})
		}
		if s.cfg != "" {
			cfg = s.cfg
		}
		step := resource.TestStep{Config: cfg, Destroy: s.args[0] == "destroy"}
		if fs := faults(s); len(fs) > 0 {
			var before sandbox.State
			var c0 sandbox.Counters
			step.PreConfig = func() {
				before, c0 = env.snapshot(), env.sb.Counters()
				for _, f := range fs {
					env.sb.InjectFault(f)
				}
			}
			step.Check = func(*terraform.State) error {
				if err := s.check(before, env.snapshot()); err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				return after(s, c0)
			}
		}
		out = append(out, step)
	}
	return out
}

// Each write is applied by the sandbox and then its connection is dropped:
// the client retries, the provider confirms by listing, and the sandbox ends
// in exactly the intended state: no double action, no extra archive, no
// lost transcript; the next plan is empty: state and platform agree.
func TestAccReliability_lostResponses(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		setup, steps := writeSteps(relEnvWithSessionsOn(t, env), nil)
		lost := func(s writeStep) []sandbox.Fault { return []sandbox.Fault{{Route: s.route, ApplyThenDrop: true}} }
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: writeTestSteps(env, setup, steps, lost, func(s writeStep, c0 sandbox.Counters) error {
				c := env.sb.Counters()
				dropped := c.ByRouteStatus[s.route][0] - c0.ByRouteStatus[s.route][0]
				total := c.ByRoute[s.route] - c0.ByRoute[s.route]
				if dropped != 1 || total > 2 {
					return fmt.Errorf("%s: want the dropped write and at most one retry, got %d requests (%d dropped): %v",
						s.name, total, dropped, c.ByRouteStatus[s.route])
				}
				if len(env.sb.Faults()) != 0 {
					return fmt.Errorf("%s: the fault was not consumed", s.name)
				}
				return nil
			}),
		})
	})
}

// A restore whose answer was lost is retried, and the retry meets 409: the
// restored session itself now holds the key. The 409 says nothing about
// whether the restore happened, so the provider judges by listing, finds
// the session restored, and succeeds; the next plan is empty.
func TestAccReliability_retriedRestoreMeetsConflict(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		setup, steps := writeSteps(relEnvWithSessionsOn(t, env), nil)
		restoreLostThen409 := func(s writeStep) []sandbox.Fault {
			if s.route != sandbox.RouteArchivesRestore {
				return nil
			}
			return []sandbox.Fault{
				{Route: s.route, ApplyThenDrop: true},
				{Route: s.route, Status: http.StatusConflict}, // "A session with this key already exists"
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			// rename, archive, then the restore under test
			Steps: writeTestSteps(env, setup, steps[:3], restoreLostThen409, func(s writeStep, c0 sandbox.Counters) error {
				c := env.sb.Counters()
				if n := c.ByRoute[s.route] - c0.ByRoute[s.route]; n != 2 || len(env.sb.Faults()) != 0 {
					return fmt.Errorf("want the dropped restore and one retry answered 409, got %d requests %v", n, c.ByRouteStatus[s.route])
				}
				return nil
			}),
		})
	})
}

// relEnvWithSessionsOn adds relEnvWithSessions' data to an existing env.
func relEnvWithSessionsOn(t *testing.T, env *testEnv) *testEnv {
	t.Helper()
	env.session(testAgentID, groupKey, nil)
	env.session(testAgentID, apiKey, new("Bystander"))
	env.session(testAgent2ID, groupKey, new("Other agent"))
	env.session(testAgentID, "agent:main:webchat:direct:old", new("Old"))
	if _, err := env.sb.ArchiveSession(testAgentID, "agent:main:webchat:direct:old"); err != nil {
		t.Fatal(err)
	}
	return env
}

// ---- 4. No data loss ----

// Every transition (label set, changed and cleared; archive; relabel while
// archived; restore; on_destroy changed back and forth) under every
// on_destroy value changes exactly what was asked, compared over the full
// sandbox state. No delete happens before destroy, and after it only with
// on_destroy = "delete". (TestAccSession_onDestroy covers destroy from a
// freshly adopted session; this one destroys after a full life cycle and
// after on_destroy was changed.)
func TestAccReliability_noDataLoss(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"keep", "clear_label", "archive", "delete"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := relEnvWithSessions(t, variants["strict"])
			x := func(label *string, archived bool, onDestroy string) string {
				return env.config(sessionBlock{key: groupKey, label: label, archived: archived, onDestroy: onDestroy})
			}
			other := "delete"
			if mode == "delete" {
				other = "keep"
			}
			steps := []struct {
				name  string
				cfg   string
				check stateCheck
			}{
				{"adopt with a label", x(new("L1"), false, mode), expectRelabelled(groupKey, new("L1"))},
				{"change the label", x(new("L2"), false, mode), expectRelabelled(groupKey, new("L2"))},
				{"archive", x(new("L2"), true, mode), expectArchived(testAgentID, groupKey, new("L2"))},
				{"relabel while archived", x(new("L3"), true, mode), expectRearchived(testAgentID, groupKey, new("L3"))},
				{"restore", x(new("L3"), false, mode), expectRestored(testAgentID, groupKey, new("L3"))},
				{"clear the label", x(nil, false, mode), expectRelabelled(groupKey, nil)},
				{"set a label again", x(new("Doomed?"), false, mode), expectRelabelled(groupKey, new("Doomed?"))},
				{"on_destroy changed", x(new("Doomed?"), false, other), expectUnchanged()},
				{"on_destroy changed back", x(new("Doomed?"), false, mode), expectUnchanged()},
			}
			var before sandbox.State
			var beforeDestroy string
			tsteps := make([]resource.TestStep, len(steps))
			for i, s := range steps {
				tsteps[i] = resource.TestStep{
					PreConfig: func() { before = env.snapshot() },
					Config:    s.cfg,
					Check: func(*terraform.State) error {
						if err := s.check(before, env.snapshot()); err != nil {
							return fmt.Errorf("%s (on_destroy = %q): %w", s.name, mode, err)
						}
						return nil
					},
				}
			}
			tsteps[len(steps)-1].Check = resource.ComposeTestCheckFunc(tsteps[len(steps)-1].Check, func(*terraform.State) error {
				beforeDestroy = stateJSON(env.snapshot())
				return noDeletes(env)
			})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories,
				Steps:                    tsteps,
				CheckDestroy: func(*terraform.State) error {
					if err := expectDestroyEffect(mode, beforeDestroy, env); err != nil {
						return fmt.Errorf("destroy with on_destroy = %q: %w", mode, err)
					}
					return nil
				},
			})
			if mode != "delete" {
				expectNoDeletes(t, env)
			}
		})
	}
}
