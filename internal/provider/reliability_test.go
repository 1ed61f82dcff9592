package provider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Reliability end to end: the real terraform binary against the
// sandbox's rate limiter and fault injection. Every test here that does not
// ask for on_destroy = "delete" also checks that nothing was deleted.

// genericUnavailable is a transient 503 body. The sandbox's default 503 body
// ("Agent container is not running") is a state only the user can fix, which
// the client deliberately never retries.
const genericUnavailable = `{"error":"Service Unavailable","message":"Try again later"}`

var applyArgs = []string{"apply", "-auto-approve", "-no-color"}

// relSession is one guayaba_session block.
type relSession struct {
	name, key string
	label     *string
	archived  bool
	onDestroy string
}

func relConfig(env *testEnv, providerExtra []string, ss ...relSession) string {
	var b strings.Builder
	b.WriteString(env.provider(providerExtra...))
	for _, s := range ss {
		fmt.Fprintf(&b, "resource \"guayaba_session\" %q {\n  key = %q\n  archived = %t\n", s.name, s.key, s.archived)
		if s.label != nil {
			fmt.Fprintf(&b, "  label = %q\n", *s.label)
		}
		if s.onDestroy != "" {
			fmt.Fprintf(&b, "  on_destroy = %q\n", s.onDestroy)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// cloneState deep-copies a sandbox state.
func cloneState(st sandbox.State) sandbox.State {
	var out sandbox.State
	if err := json.Unmarshal([]byte(stateJSON(st)), &out); err != nil {
		panic(err)
	}
	return out
}

// ---- expected effects of each write, as sandbox state transformations ----

// stateCheck compares the state after a command with the one before it.
type stateCheck func(before, after sandbox.State) error

func expectUnchanged() stateCheck {
	return diffErr
}

// expectRelabelled: only the label of testAgentID's active session key
// changed.
func expectRelabelled(key string, label *string) stateCheck {
	return func(before, after sandbox.State) error {
		want := cloneState(before)
		found := false
		for i, ag := range want.Agents {
			for j, s := range ag.Sessions {
				if ag.ID == testAgentID && s.Key == key {
					want.Agents[i].Sessions[j].Label = label
					found = true
				}
			}
		}
		if !found {
			return fmt.Errorf("session %q was not active before", key)
		}
		return diffErr(want, after)
	}
}

// expectArchived: the active session key became exactly one new archive
// holding its session id, transcript, label and metadata; nothing else moved.
func expectArchived(agentID, key string, label *string) stateCheck {
	return func(before, after sandbox.State) error {
		b, removed := withoutSession(cloneState(before), agentID, key)
		if removed == nil {
			return fmt.Errorf("session %q was not active before", key)
		}
		_, old := withoutArchivesOf(cloneState(before), agentID, key)
		a, archives := withoutArchivesOf(cloneState(after), agentID, key)
		if len(archives) != len(old)+1 {
			return fmt.Errorf("want exactly one new archive of %q, got %d archives (had %d)", key, len(archives), len(old))
		}
		var fresh *sandbox.ArchiveState
		for i := range archives {
			if !containsArchive(old, archives[i].Filename) {
				fresh = &archives[i]
			}
		}
		if fresh == nil {
			return fmt.Errorf("no new archive of %q", key)
		}
		if err := sameConversation(*removed, *fresh, label); err != nil {
			return err
		}
		b, _ = withoutArchivesOf(b, agentID, key)
		return diffErr(b, a)
	}
}

// expectRestored: the one archive of key became the active session again,
// identical to what was archived except for the wanted label.
func expectRestored(agentID, key string, label *string) stateCheck {
	return func(before, after sandbox.State) error {
		b, archives := withoutArchivesOf(cloneState(before), agentID, key)
		if len(archives) != 1 {
			return fmt.Errorf("want 1 archive of %q before the restore, got %d", key, len(archives))
		}
		a, restored := withoutSession(cloneState(after), agentID, key)
		if restored == nil {
			return fmt.Errorf("session %q is not active after the restore", key)
		}
		if _, left := withoutArchivesOf(cloneState(after), agentID, key); len(left) != 0 {
			return fmt.Errorf("%d archives of %q left after the restore", len(left), key)
		}
		if err := sameConversation(*restored, archives[0], label); err != nil {
			return err
		}
		return diffErr(b, a)
	}
}

// expectRearchived: relabelling while archived replaced the one archive of
// key by a new one with the new label, same conversation.
func expectRearchived(agentID, key string, label *string) stateCheck {
	return func(before, after sandbox.State) error {
		b, old := withoutArchivesOf(cloneState(before), agentID, key)
		a, now := withoutArchivesOf(cloneState(after), agentID, key)
		if len(old) != 1 || len(now) != 1 {
			return fmt.Errorf("want one archive of %q before and after, got %d and %d", key, len(old), len(now))
		}
		if old[0].Filename == now[0].Filename {
			return fmt.Errorf("archive %s was not replaced", old[0].Filename)
		}
		if now[0].SessionID != old[0].SessionID || !reflect.DeepEqual(now[0].Messages, old[0].Messages) ||
			labelOf(now[0].Label) != labelOf(label) {
			return fmt.Errorf("new archive %+v does not hold the old conversation %+v with label %s", now[0].Archive, old[0].Archive, labelOf(label))
		}
		return diffErr(b, a)
	}
}

func expectSessionDeleted(agentID, key string) stateCheck {
	return func(before, after sandbox.State) error {
		b, removed := withoutSession(cloneState(before), agentID, key)
		if removed == nil {
			return fmt.Errorf("session %q was not active before", key)
		}
		return diffErr(b, after)
	}
}

func expectArchiveDeleted(agentID, key string) stateCheck {
	return func(before, after sandbox.State) error {
		b, removed := withoutArchivesOf(cloneState(before), agentID, key)
		if len(removed) != 1 {
			return fmt.Errorf("want 1 archive of %q before, got %d", key, len(removed))
		}
		return diffErr(b, after)
	}
}

func containsArchive(list []sandbox.ArchiveState, filename string) bool {
	for _, a := range list {
		if a.Filename == filename {
			return true
		}
	}
	return false
}

// sameConversation checks that an active session and an archive hold the
// same conversation: session id, file, transcript, chat metadata; and the
// wanted label on the session side (or the archive side when archiving).
func sameConversation(s sandbox.SessionState, a sandbox.ArchiveState, label *string) error {
	switch {
	case s.SessionID != a.SessionID, s.SessionFile != a.SessionFile, s.Key != a.Key:
		return fmt.Errorf("session %+v and archive %+v are not the same conversation", s.Session, a.Archive)
	case !reflect.DeepEqual(s.Messages, a.Messages):
		return fmt.Errorf("transcript differs: session has %d messages, archive %d", len(s.Messages), len(a.Messages))
	case s.ChatType != a.ChatType || s.LastChannel != a.LastChannel || s.UpdatedAt != a.UpdatedAt ||
		!reflect.DeepEqual(s.Origin, a.Origin):
		return fmt.Errorf("metadata differs: session %+v, archive %+v", s.Session, a)
	case labelOf(label) != labelOf(s.Label) && labelOf(label) != labelOf(a.Label):
		return fmt.Errorf("label: want %s, session %s, archive %s", labelOf(label), labelOf(s.Label), labelOf(a.Label))
	}
	return nil
}

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
		ss := make([]relSession, n)
		for i, k := range keys {
			ss[i] = relSession{name: fmt.Sprintf("s%03d", i), key: k, label: ptr(version + " " + k)}
		}
		return relConfig(env, nil, ss...)
	}
	w := newTFWorkdir(t, cfg("v1"))
	w.must(applyArgs...)

	env.sb.SetRateLimit(60, 10)
	w.write("main.tf", cfg("v2"))
	// Another user of the same key (a script, the dashboard) has just spent
	// the burst: the ten workers meet an empty bucket together, as after a
	// Retry-After they would all wake together.
	drained := drainRateLimit(t, env)
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
	t.Logf("bucket drained with %d requests before the apply", drained)
	t.Logf("apply -parallelism=10 changing %d labels at 60/min burst 10: wall %v; sandbox saw %d requests (%v), sent %d 429s; "+
		"provider logged %d attempts, %d of them retries, highest attempt number %d, %d waits at the client's gate",
		n, wall.Round(time.Second), c.Total, c.ByRouteStatus, c.RateLimited, len(attempts), retried, maxAttempt, waits)
	if c.RateLimited == 0 {
		t.Errorf("the sandbox sent no 429: the test did not exercise throttling")
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
	x := func(label *string, archived bool) relSession {
		return relSession{name: "x", key: k1, label: label, archived: archived, onDestroy: "delete"}
	}
	y := relSession{name: "y", key: k2, label: ptr("Bystander"), onDestroy: "delete"}
	l := ptr("Renamed")
	return relConfig(env, extra, x(nil, false)), []writeStep{
		{name: "rename", route: sandbox.RouteSessionsRename, op: "rename session",
			cfg: relConfig(env, extra, x(l, false)), args: applyArgs, check: expectRelabelled(k1, l)},
		{name: "archive", route: sandbox.RouteSessionsArchive, op: "archive session",
			cfg: relConfig(env, extra, x(l, true)), args: applyArgs, check: expectArchived(testAgentID, k1, l)},
		{name: "restore", route: sandbox.RouteArchivesRestore, op: "restore archive",
			cfg: relConfig(env, extra, x(l, false)), args: applyArgs, check: expectRestored(testAgentID, k1, l)},
		{name: "delete archive", route: sandbox.RouteArchivesDelete, op: "delete archive",
			pre: relConfig(env, extra, x(l, true)), cfg: relConfig(env, extra, y), args: applyArgs,
			check: expectArchiveDeleted(testAgentID, k1)},
		{name: "delete session", route: sandbox.RouteSessionsDelete, op: "delete session",
			args: []string{"destroy", "-auto-approve", "-no-color"}, check: expectSessionDeleted(testAgentID, k2)},
	}
}

func relEnvWithSessions(t *testing.T, opts sandbox.Options) *testEnv {
	t.Helper()
	return relEnvWithSessionsOn(t, newTestEnv(t, opts))
}

// 502, 503, dropped connections and timeouts on every write: with
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

// Each write is applied by the sandbox and then its connection is dropped:
// the client retries, the provider confirms by listing, and the sandbox ends
// in exactly the intended state: no double action, no extra archive, no
// lost transcript.
func TestAccReliability_lostResponses(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		w, steps := writeStepsWorkdir(t, env)
		for _, s := range steps {
			if s.pre != "" {
				w.write("main.tf", s.pre)
				w.must(applyArgs...)
			}
			if s.cfg != "" {
				w.write("main.tf", s.cfg)
			}
			before := env.snapshot()
			c0 := env.sb.Counters()
			env.sb.InjectFault(sandbox.Fault{Route: s.route, ApplyThenDrop: true})
			out, err := w.run(nil, s.args...)
			if err != nil {
				t.Fatalf("%s: %s failed after a lost response: %v\n%s", s.name, s.args[0], err, out)
			}
			if err := s.check(before, env.snapshot()); err != nil {
				t.Errorf("%s: after a lost response: %v", s.name, err)
			}
			c := env.sb.Counters()
			dropped := c.ByRouteStatus[s.route][0] - c0.ByRouteStatus[s.route][0]
			total := c.ByRoute[s.route] - c0.ByRoute[s.route]
			if dropped != 1 || total > 2 {
				t.Errorf("%s: want the dropped write and at most one retry, got %d requests (%d dropped): %v",
					s.name, total, dropped, c.ByRouteStatus[s.route])
			}
			if len(env.sb.Faults()) != 0 {
				t.Errorf("%s: the fault was not consumed", s.name)
			}
			// The next plan is empty: state and platform agree.
			if s.args[0] == "apply" {
				if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
					t.Errorf("%s: plan after the lost response is not empty: %v\n%s", s.name, err, out)
				}
			}
		}
	})
}

// A restore whose answer was lost is retried, and the retry meets 409: the
// restored session itself now holds the key. The 409 says nothing about
// whether the restore happened, so the provider judges by listing, finds
// the session restored, and succeeds.
func TestAccReliability_retriedRestoreMeetsConflict(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		w, steps := writeStepsWorkdir(t, env)
		for _, s := range steps[:3] { // rename, archive, then the restore under test
			w.write("main.tf", s.cfg)
			if s.route != sandbox.RouteArchivesRestore {
				w.must(applyArgs...)
				continue
			}
			before := env.snapshot()
			c0 := env.sb.Counters()
			env.sb.InjectFault(sandbox.Fault{Route: s.route, ApplyThenDrop: true})
			env.sb.InjectFault(sandbox.Fault{Route: s.route, Status: http.StatusConflict}) // "A session with this key already exists"
			out, err := w.run(nil, s.args...)
			if err != nil {
				t.Fatalf("restore failed on the retry's 409 after a lost response: %v\n%s", err, lastLines(out, 40))
			}
			if err := s.check(before, env.snapshot()); err != nil {
				t.Errorf("after the retried restore: %v", err)
			}
			c := env.sb.Counters()
			if n := c.ByRoute[s.route] - c0.ByRoute[s.route]; n != 2 || len(env.sb.Faults()) != 0 {
				t.Errorf("want the dropped restore and one retry answered 409, got %d requests %v", n, c.ByRouteStatus[s.route])
			}
			if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
				t.Errorf("plan after the retried restore is not empty: %v\n%s", err, out)
			}
		}
	})
}

// writeStepsWorkdir adds the sessions of relEnvWithSessions to env and
// applies the setup of writeSteps in a new working directory.
func writeStepsWorkdir(t *testing.T, env *testEnv) (*tfWorkdir, []writeStep) {
	t.Helper()
	setup, steps := writeSteps(relEnvWithSessionsOn(t, env), nil)
	w := newTFWorkdir(t, setup)
	w.must(applyArgs...)
	return w, steps
}

// relEnvWithSessionsOn adds relEnvWithSessions' data to an existing env.
func relEnvWithSessionsOn(t *testing.T, env *testEnv) *testEnv {
	t.Helper()
	env.session(testAgentID, groupKey, nil)
	env.session(testAgentID, apiKey, ptr("Bystander"))
	env.session(testAgent2ID, groupKey, ptr("Other agent"))
	env.session(testAgentID, "agent:main:webchat:direct:old", ptr("Old"))
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
				return relConfig(env, nil, relSession{name: "x", key: groupKey, label: label, archived: archived, onDestroy: onDestroy})
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
				{"adopt with a label", x(ptr("L1"), false, mode), expectRelabelled(groupKey, ptr("L1"))},
				{"change the label", x(ptr("L2"), false, mode), expectRelabelled(groupKey, ptr("L2"))},
				{"archive", x(ptr("L2"), true, mode), expectArchived(testAgentID, groupKey, ptr("L2"))},
				{"relabel while archived", x(ptr("L3"), true, mode), expectRearchived(testAgentID, groupKey, ptr("L3"))},
				{"restore", x(ptr("L3"), false, mode), expectRestored(testAgentID, groupKey, ptr("L3"))},
				{"clear the label", x(nil, false, mode), expectRelabelled(groupKey, nil)},
				{"set a label again", x(ptr("Doomed?"), false, mode), expectRelabelled(groupKey, ptr("Doomed?"))},
				{"on_destroy changed", x(ptr("Doomed?"), false, other), expectUnchanged()},
				{"on_destroy changed back", x(ptr("Doomed?"), false, mode), expectUnchanged()},
			}
			w := newTFWorkdir(t, "")
			for _, s := range steps {
				w.write("main.tf", s.cfg)
				before := env.snapshot()
				out := w.must(applyArgs...)
				if err := s.check(before, env.snapshot()); err != nil {
					t.Fatalf("%s (on_destroy = %q): %v\n%s", s.name, mode, err, out)
				}
				if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
					t.Errorf("%s: the next plan is not empty: %v\n%s", s.name, err, out)
				}
			}
			expectNoDeletes(t, env)
			before := stateJSON(env.snapshot())
			w.must("destroy", "-auto-approve", "-no-color")
			if err := expectDestroyEffect(mode, before, env); err != nil {
				t.Errorf("destroy with on_destroy = %q: %v", mode, err)
			}
			if mode != "delete" {
				expectNoDeletes(t, env)
			}
		})
	}
}
