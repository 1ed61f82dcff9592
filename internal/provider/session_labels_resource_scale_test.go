package provider

import (
	"strconv"
	"strings"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// These tests count the API calls of one terraform command, or read the
// provider's DEBUG log: they run on a tfWorkdir.

// labelEach labels every key v + " " + key.
func labelEach(keys []string, v string) map[string]string {
	m := map[string]string{}
	for _, k := range keys {
		m[k] = v + " " + k
	}
	return m
}

// One listing per plan however many labels; an apply changing every label
// is exactly one rename per label and at most two listings.
func TestAccScaleLabels_callsPerCommand(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:telegram:group", 1000)
	w := newTFWorkdir(t, env.config(labelsBlock{labels: labelEach(keys, "v1")}))
	w.must("apply", "-auto-approve", "-no-color")
	c := countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
	t.Logf("plan over 1,000 labels: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsList] != 1 || c.Total != 1 {
		t.Errorf("plan over 1,000 labels: want exactly 1 listing and nothing else, got %v", c.ByRoute)
	}
	w.write("main.tf", env.config(labelsBlock{labels: labelEach(keys, "v2")}))
	c = countCalls(t, env, w, "apply", "-auto-approve", "-no-color")
	t.Logf("apply changing 1,000 labels: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsRename] != 1000 || c.ByRoute[sandbox.RouteSessionsList] > 2 || c.Total != 1000+c.ByRoute[sandbox.RouteSessionsList] {
		t.Errorf("apply changing 1,000 labels: want 1,000 renames and at most 2 listings, got %v", c.ByRoute)
	}
	for _, k := range keys {
		if s, _ := env.sb.Session(testAgentID, k); s.Label == nil || *s.Label != "v2 "+k {
			t.Fatalf("session %s has label %s after apply", k, labelOf(s.Label))
		}
	}
}

// Under a rate limit, the apply's concurrent renames queue behind the
// client's throttle instead of failing, and the log shows the progress.
func TestAccSessionLabels_throttled(t *testing.T) {
	// Not parallel: how many requests meet the rate limit depends on the
	// pacing holding, which a loaded machine (other tests running terraform) blurs.
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:whatsapp:direct", 60)
	w := newTFWorkdir(t, env.config(labelsBlock{labels: labelEach(keys, "v1")}))
	w.must("apply", "-auto-approve", "-no-color")
	env.sb.SetRateLimit(600, 5)
	w.write("main.tf", env.config(labelsBlock{labels: labelEach(keys, "v2")}))
	drainRateLimit(t, env)
	env.sb.ResetCounters()
	out, err := w.run([]string{"TF_LOG_PROVIDER=DEBUG"}, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatalf("apply under the rate limit failed: %v\n%s", err, lastLines(out, 60))
	}
	c := env.sb.Counters()
	waits := strings.Count(out, "Guayaba API rate limit: waiting")
	t.Logf("apply changing 60 labels at 600/min burst 5: %v, %d answered 429, %d waits at the client's gate",
		c.ByRouteStatus, c.RateLimited, waits)
	if got := c.ByRouteStatus[sandbox.RouteSessionsRename][200]; got != len(keys) {
		t.Errorf("want %d successful renames, got %d", len(keys), got)
	}
	if c.RateLimited+waits == 0 {
		t.Errorf("neither a 429 nor a wait at the client's gate: the test did not meet the rate limit")
	}
	if c.RateLimited > len(keys)/4 {
		t.Errorf("%d answers were 429: the workers hammered the API instead of queueing", c.RateLimited)
	}
	final := false
	for _, line := range strings.Split(out, "\n") {
		final = final || strings.Contains(line, "guayaba_session_labels: progress:") &&
			strings.Contains(line, " done=60 ") && strings.Contains(line, " failed=0 ") && strings.Contains(line, " total=60 ")
	}
	if !final {
		t.Errorf("the log shows no final progress line:\n%s", lastLines(out, 30))
	}
	for _, k := range keys {
		if s, _ := env.sb.Session(testAgentID, k); s.Label == nil || *s.Label != "v2 "+k {
			t.Fatalf("session %s has label %s after apply", k, labelOf(s.Label))
		}
	}
}

// An agent with 100,000 sessions (a popular bot's direct chats): one
// guayaba_session, one guayaba_session_labels with 100 labels and a
// filtered guayaba_sessions in one configuration apply, and the next plan
// is empty and costs exactly one listing. On a tfWorkdir: the API calls
// are counted per terraform command.
func TestAccScale_bigAgent100k(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		a, provider := bigAgent(t, env, sandbox.GenerateOptions{SessionsPerAgent: 100_000, Seed: 19})
		const prefix = "agent:main:discord:channel:1"
		filtered := 0
		labels := map[string]string{}
		for _, s := range a.Sessions[1:] {
			if strings.HasPrefix(s.Key, prefix) {
				filtered++
			}
			if len(labels) < 100 {
				labels[s.Key] = "big agent " + s.Key
			}
		}
		one := a.Sessions[0].Key
		config := provider + sessionBlock{key: one, label: new("big agent: the one")}.String() +
			labelsBlock{labels: labels}.String() + hclBlock(`data "guayaba_sessions" "filtered"`, hclAttr("key_prefix", prefix)) + `
output "filtered" { value = length(data.guayaba_sessions.filtered.keys) }
`
		w := newTFWorkdir(t, config)
		c := countCalls(t, env, w, "apply", "-auto-approve", "-no-color")
		t.Logf("apply over 100,000 sessions: %v", c.ByRoute)
		if got := c.ByRoute[sandbox.RouteSessionsRename]; got != 101 {
			t.Errorf("apply renamed %d sessions, want 101 (the one and the 100 labels)", got)
		}
		for k, l := range labels {
			if s, _ := env.sb.Session(a.ID, k); s.Label == nil || *s.Label != l {
				t.Fatalf("session %s has label %s after apply, want %q", k, labelOf(s.Label), l)
			}
		}
		if s, _ := env.sb.Session(a.ID, one); s.Label == nil || *s.Label != "big agent: the one" {
			t.Errorf("session %s has label %s after apply", one, labelOf(s.Label))
		}
		if got := string(w.outputs()["filtered"]); got != strconv.Itoa(filtered) {
			t.Errorf("the filtered data source has %s sessions, want %d", got, filtered)
		}
		c = countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
		t.Logf("plan over 100,000 sessions: %v", c.ByRoute)
		if c.ByRoute[sandbox.RouteSessionsList] != 1 || c.Total != 1 {
			t.Errorf("plan over 100,000 sessions: want exactly 1 listing and nothing else, got %v", c.ByRoute)
		}
	})
}
