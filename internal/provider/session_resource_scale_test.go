package provider

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The API has no "get one session" call. These tests prove, with the
// sandbox's request counters and one terraform command at a time (on a
// tfWorkdir), that the number of listings does not grow with the number of
// resources.

// scaleConfig manages the sessions of resources (agent id → keys), each
// labelled version + " " + key and archived when archived says so.
func scaleConfig(env *testEnv, resources map[string][]string, version string, archived map[string]bool) string {
	var ss []sessionBlock
	for _, agentID := range slices.Sorted(maps.Keys(resources)) {
		for _, k := range resources[agentID] {
			ss = append(ss, sessionBlock{name: fmt.Sprintf("s%d", len(ss)), agentID: agentID, key: k,
				label: new(version + " " + k), archived: archived[k]})
		}
	}
	return env.provider() + sessionBlocks(ss...)
}

func TestAccScale_listingsPerCommand(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:telegram:group", 500)
	archived := map[string]bool{keys[7]: true, keys[300]: true}

	w := newTFWorkdir(t, scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", nil))
	w.must("apply", "-auto-approve", "-no-color")

	c := countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
	t.Logf("plan over 500 sessions: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsList] > 1 || c.ByRoute[sandbox.RouteArchivesList] != 0 || c.Total != c.ByRoute[sandbox.RouteSessionsList] {
		t.Errorf("plan over 500 active sessions: want at most 1 listing and nothing else, got %v", c.ByRoute)
	}

	w.write("main.tf", scaleConfig(env, map[string][]string{testAgentID: keys}, "v2", nil))
	c = countCalls(t, env, w, "apply", "-auto-approve", "-no-color")
	t.Logf("apply changing 500 labels: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsRename] != 500 {
		t.Errorf("want exactly 500 renames, got %d", c.ByRoute[sandbox.RouteSessionsRename])
	}
	if n := c.ByRoute[sandbox.RouteSessionsList] + c.ByRoute[sandbox.RouteArchivesList]; n > 3 {
		t.Errorf("apply changing 500 labels made %d listings, want at most 3: %v", n, c.ByRoute)
	}
	for _, k := range keys {
		if s, _ := env.sb.Session(testAgentID, k); s.Label == nil || *s.Label != "v2 "+k {
			t.Fatalf("session %s has label %s after apply", k, labelOf(s.Label))
		}
	}

	w.write("main.tf", scaleConfig(env, map[string][]string{testAgentID: keys}, "v2", archived))
	w.must("apply", "-auto-approve", "-no-color")
	c = countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
	t.Logf("plan over 500 sessions, 2 archived: %v", c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsList] > 1 || c.ByRoute[sandbox.RouteArchivesList] > 1 {
		t.Errorf("plan with archived sessions: want at most 1 listing of each kind, got %v", c.ByRoute)
	}
}

func TestAccScale_listingsPerAgent(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	agent3 := "c0ffee00-0000-4000-8000-000000000003"
	env.sb.AddAgent(testOwnerID, agent3)
	resources := map[string][]string{}
	for _, a := range []string{testAgentID, testAgent2ID, agent3} {
		resources[a] = scaleSessions(t, env, a, "agent:main:webchat:direct", 60)
	}
	w := newTFWorkdir(t, scaleConfig(env, resources, "v1", nil))
	w.must("apply", "-auto-approve", "-no-color")
	c := countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
	t.Logf("plan over 3 agents × 60 sessions: %v", c.ByRouteStatus)
	if c.ByRoute[sandbox.RouteSessionsList] > 3 {
		t.Errorf("want at most 1 listing per agent (3), got %d", c.ByRoute[sandbox.RouteSessionsList])
	}
}

// Under a 60 requests/minute limit, planning 1,000 sessions never meets a 429.
func TestAccScale_planUnderRateLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "api", 1000)
	w := newTFWorkdir(t, scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", nil))
	w.must("apply", "-auto-approve", "-no-color")
	env.sb.SetRateLimit(60, 10)
	c := countCalls(t, env, w, "plan", "-no-color", "-detailed-exitcode")
	t.Logf("plan over 1,000 sessions at 60/min: %v", c.ByRouteStatus)
	if c.RateLimited != 0 {
		t.Errorf("plan met %d rate-limited answers", c.RateLimited)
	}
}

// Many archives and restores in one apply, ten at a time: each write is
// confirmed by a listing made after it, never by one already in flight.
func TestAccScale_parallelArchiveAndRestore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:webchat:direct", 40)
	all := map[string]bool{}
	for _, k := range keys {
		all[k] = true
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{Config: scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", nil)},
			{
				Config: scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", all),
				Check: checkSandbox(func() error {
					if n := len(env.sb.Archives(testAgentID)); n != 40 {
						return fmt.Errorf("%d archives after archiving 40 sessions", n)
					}
					return nil
				}),
			},
			{
				Config: scaleConfig(env, map[string][]string{testAgentID: keys}, "v2", nil),
				Check: checkSandbox(func() error {
					for _, k := range keys {
						if s, ok := env.sb.Session(testAgentID, k); !ok || s.Label == nil || *s.Label != "v2 "+k {
							return fmt.Errorf("session %s not restored with its new label", k)
						}
					}
					return nil
				}),
			},
		},
	})
}

// An archive sweep shares its confirmations: 100 of 400 sessions archived at
// -parallelism=10 cost 100 archive calls and at most 2·⌈100/10⌉+4 listings,
// not a listing (or three) per session.
func TestAccScale_archiveSweepListings(t *testing.T) {
	// Not parallel: what it counts depends on how the writes of one wave land
	// together, which a loaded machine (other tests running terraform) blurs.
	env := newTestEnv(t, variants["strict"])
	keys := scaleSessions(t, env, testAgentID, "agent:main:webchat:direct", 400)
	w := newTFWorkdir(t, scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", nil))
	w.must("apply", "-auto-approve", "-no-color")
	archived := map[string]bool{}
	for _, k := range keys[:100] {
		archived[k] = true
	}
	w.write("main.tf", scaleConfig(env, map[string][]string{testAgentID: keys}, "v1", archived))
	c := countCalls(t, env, w, "apply", "-auto-approve", "-no-color", "-parallelism=10")
	listings := c.ByRoute[sandbox.RouteSessionsList] + c.ByRoute[sandbox.RouteArchivesList]
	t.Logf("apply archiving 100 of 400 sessions at -parallelism=10: %d listings, %v", listings, c.ByRoute)
	if c.ByRoute[sandbox.RouteSessionsArchive] != 100 || listings > 24 {
		t.Errorf("want exactly 100 archive calls and at most 24 listings, got %d listings: %v", listings, c.ByRoute)
	}
	if n := len(env.sb.Archives(testAgentID)); n != 100 {
		t.Errorf("%d archives after the sweep", n)
	}
	w.must("plan", "-no-color", "-detailed-exitcode")
}
