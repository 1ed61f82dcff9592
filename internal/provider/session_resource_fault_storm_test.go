package provider

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// A fault storm: random faults on about one call in six, on every route (429,
// 500, 502, 503, 504, and answers lost after the platform acted), during one
// mixed apply: a guayaba_session_labels changing 200 labels (swaps among
// them) and 30 guayaba_session (adopted, relabelled, archived, restored from
// archives). The apply converges in one go, the next plan is empty, and the
// sandbox afterwards holds exactly the configured changes: every
// conversation is still there with its transcript, nothing else moved.
//
// Each seed runs in both variants. The seed picks the faults, but which
// request meets which draw also depends on the order Terraform sends them,
// so a seed reproduces the mix, not the exact run: GUAYABA_FAULT_STORM_SEEDS
// (comma-separated) runs chosen seeds, and a failure names its seed and the
// sandbox's --random-faults spec to try it by hand.

// stormSeeds are the seeds run by default.
var stormSeeds = []uint64{1, 2, 3}

// stormFaults is the --random-faults spec of a seed.
func stormFaults(seed uint64) string {
	return fmt.Sprintf("p=0.17,statuses=429+500+502+503+504,lost=0.3,seed=%d", seed)
}

func TestAccReliability_faultStorm(t *testing.T) {
	t.Parallel()
	seeds := stormSeeds
	if s := os.Getenv("GUAYABA_FAULT_STORM_SEEDS"); s != "" {
		seeds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("GUAYABA_FAULT_STORM_SEEDS: %v", err)
			}
			seeds = append(seeds, n)
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, env *testEnv) {
				runFaultStorm(t, env, seed)
			})
		})
	}
}

// The sessions of the storm.
const (
	stormLabelled = 200 // keys of the guayaba_session_labels
	stormSwapped  = 20  // of which the first swap labels in pairs
	stormSessions = 30  // guayaba_session resources
)

func stormLabelKey(i int) string   { return fmt.Sprintf("agent:main:telegram:group:-100%04d", i) }
func stormSessionKey(i int) string { return fmt.Sprintf("agent:main:webchat:direct:s%02d", i) }

// stormSession is what the storm's configuration wants of session i:
// 0–9 adopted and archived, 10–14 restored from their archives, 15–19
// relabelled, 20–29 adopted; before the storm only 10–19 are managed, 10–14
// archived.
func stormSession(i int, storm bool) sessionBlock {
	b := sessionBlock{name: fmt.Sprintf("s%02d", i), key: stormSessionKey(i)}
	label := func(s string) *string { return new(fmt.Sprintf("s%02d %s", i, s)) }
	switch {
	case !storm:
		b.label, b.archived = label("before"), i < 15
	case i < 10:
		b.label, b.archived = label("archived"), true
	case i < 15:
		b.label = label("restored")
	case i < 20:
		b.label = label("relabelled")
	default:
		b.label = label("adopted")
	}
	return b
}

// stormWantedLabels are the labels of the storm's guayaba_session_labels:
// the first stormSwapped keys swap their labels in pairs, the others get
// new ones.
func stormWantedLabels() map[string]string {
	want := map[string]string{}
	for i := range stormLabelled {
		switch {
		case i < stormSwapped:
			want[stormLabelKey(i)] = fmt.Sprintf("old %03d", i^1)
		default:
			want[stormLabelKey(i)] = fmt.Sprintf("storm %03d", i)
		}
	}
	return want
}

// stormConfig is the configuration before the storm (storm false) or during
// it. max_retries is raised from 5: at one fault in six, a call fails only
// after max_retries+1 faults in a row, about 2e-5 per call at 5, often
// enough in an apply of several hundred calls to make the test flaky; at 10
// it is about 3e-9.
func stormConfig(env *testEnv, storm bool) string {
	var b strings.Builder
	b.WriteString(env.provider("max_retries = 10"))
	for i := range stormSessions {
		if storm || (i >= 10 && i < 20) {
			b.WriteString(stormSession(i, storm).String())
		}
	}
	if storm {
		b.WriteString(labelsBlock{labels: stormWantedLabels()}.String())
	}
	return b.String()
}

func runFaultStorm(t *testing.T, env *testEnv, seed uint64) {
	spec := stormFaults(seed)
	t.Logf("random faults %s: replay with GUAYABA_FAULT_STORM_SEEDS=%d, or guayaba-sandbox --random-faults %q", spec, seed, spec)
	add := func(agentID, key, label string) {
		if _, err := env.sb.AddSession(agentID, sandbox.SessionSpec{
			Key: key, Label: new(label), ChatType: "group", LastChannel: "telegram",
			Messages: []sandbox.Message{sandbox.TextMessage("user", "hola "+key), sandbox.TextMessage("assistant", "¡hola!")},
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range stormLabelled {
		add(testAgentID, stormLabelKey(i), fmt.Sprintf("old %03d", i))
	}
	for i := range stormSessions {
		add(testAgentID, stormSessionKey(i), fmt.Sprintf("s%02d before", i))
	}
	// Bystanders: unmanaged sessions and archives of the agent, and the same
	// keys on another agent.
	for i := range 10 {
		add(testAgentID, fmt.Sprintf("agent:main:telegram:direct:b%02d", i), fmt.Sprintf("bystander %02d", i))
		add(testAgent2ID, stormSessionKey(i), fmt.Sprintf("other agent %02d", i))
	}
	for i := range 3 {
		k := fmt.Sprintf("agent:main:telegram:direct:gone%02d", i)
		add(testAgentID, k, fmt.Sprintf("archived bystander %02d", i))
		_, err := env.sb.ArchiveSession(testAgentID, k)
		must(t, err)
	}

	var before sandbox.State
	stormCfg := stormConfig(env, true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{Config: stormConfig(env, false)},
			{
				PreConfig: func() {
					before = env.snapshot()
					env.sb.ResetCounters()
					rf, err := sandbox.ParseRandomFaults(spec)
					must(t, err)
					_, err = env.sb.SetRandomFaults(rf)
					must(t, err)
				},
				Config: stormCfg,
			},
			{
				// Still under faults: the plan after the storm is empty.
				Config:           stormCfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					env.sb.StopRandomFaults()
					c := env.sb.Counters()
					t.Logf("seed %d: %d calls, %d faults (%d lost after acting): %v", seed, c.Total,
						faultCount(c), c.InjectedCount(sandbox.InjectedLost), c.Injected)
					if faultCount(c) == 0 || c.InjectedCount(sandbox.InjectedLost) == 0 {
						return fmt.Errorf("seed %d (%s): the storm injected %d faults, %d of them lost answers: "+
							"it tested nothing", seed, spec, faultCount(c), c.InjectedCount(sandbox.InjectedLost))
					}
					if err := noDeletes(env); err != nil {
						return fmt.Errorf("seed %d (%s): %w", seed, spec, err)
					}
					if err := expectStormOutcome(before, env.snapshot()); err != nil {
						return fmt.Errorf("seed %d (%s): %w", seed, spec, err)
					}
					return nil
				},
			},
		},
	})
}

// faultCount is the number of faults the sandbox injected.
func faultCount(c sandbox.Counters) int {
	n := 0
	for _, byOutcome := range c.Injected {
		for _, k := range byOutcome {
			n += k
		}
	}
	return n
}

// conversation is what a user sees of one conversation, wherever it is
// (active or archived), keyed by its session id.
type conversation struct {
	Key, SessionFile      string
	Active                bool
	Label                 string
	Archive               string // the archive's filename while archived
	ChatType, LastChannel string
	UpdatedAt             int64
	Origin                map[string]any
	Messages              []sandbox.Message
}

// conversations lists an agent's conversations by session id; more than one
// place for one id is an error.
func conversations(ag sandbox.AgentState) (map[string]conversation, error) {
	out := map[string]conversation{}
	put := func(id string, c conversation) error {
		if prev, ok := out[id]; ok {
			return fmt.Errorf("conversation %s is in two places: %+v and %+v", id, prev, c)
		}
		out[id] = c
		return nil
	}
	for _, s := range ag.Sessions {
		if err := put(s.SessionID, conversation{Key: s.Key, SessionFile: s.SessionFile, Active: true, Label: labelOf(s.Label),
			ChatType: s.ChatType, LastChannel: s.LastChannel, UpdatedAt: s.UpdatedAt, Origin: s.Origin, Messages: s.Messages}); err != nil {
			return nil, err
		}
	}
	for _, a := range ag.Archives {
		if err := put(a.SessionID, conversation{Key: a.Key, SessionFile: a.SessionFile, Label: labelOf(a.Label), Archive: a.Filename,
			ChatType: a.ChatType, LastChannel: a.LastChannel, UpdatedAt: a.UpdatedAt, Origin: a.Origin, Messages: a.Messages}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expectStormOutcome compares the sandbox after the storm with the one
// before it: the managed conversations of testAgentID are where and as the
// storm's configuration wants them (an archive made by the storm may have
// any filename); every other conversation, the other agent and the owners
// are exactly as they were; none is gone and none is new.
func expectStormOutcome(before, after sandbox.State) error {
	want := map[string]sessionBlock{}
	for i := range stormSessions {
		b := stormSession(i, true)
		want[b.key] = b
	}
	labels := stormWantedLabels()
	var problems []string
	if !reflect.DeepEqual(before.Owners, after.Owners) || len(before.Agents) != len(after.Agents) {
		problems = append(problems, "the owners or the agents changed")
	}
	for i := range min(len(before.Agents), len(after.Agents)) {
		b, a := before.Agents[i], after.Agents[i]
		if b.ID != testAgentID {
			if err := diffErr(sandbox.State{Agents: []sandbox.AgentState{b}}, sandbox.State{Agents: []sandbox.AgentState{a}}); err != nil {
				problems = append(problems, "agent "+b.ID+": "+err.Error())
			}
			continue
		}
		bc, err := conversations(b)
		if err != nil {
			return err
		}
		ac, err := conversations(a)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(bc)) {
			exp, got := bc[id], ac[id]
			if _, ok := ac[id]; !ok {
				problems = append(problems, fmt.Sprintf("conversation %s (%s) is gone", id, exp.Key))
				continue
			}
			if l, ok := labels[exp.Key]; ok {
				exp.Label = labelOf(&l)
			} else if w, ok := want[exp.Key]; ok {
				exp.Label, exp.Active = labelOf(w.label), !w.archived
				if w.archived && !got.Active && got.Archive != "" {
					exp.Archive = got.Archive
				}
			}
			if exp.Active {
				exp.Archive = ""
			}
			if !reflect.DeepEqual(exp, got) {
				problems = append(problems, fmt.Sprintf("conversation %s (%s):\n    want %+v\n    got  %+v", id, exp.Key,
					brief(exp), brief(got)))
			}
		}
		for id, c := range ac {
			if _, ok := bc[id]; !ok {
				problems = append(problems, fmt.Sprintf("new conversation %s under key %q", id, c.Key))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the sandbox is not what the configuration asked for:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// brief is a conversation without its transcript, for messages.
func brief(c conversation) string {
	return fmt.Sprintf("{key %q active %t label %q archive %q, %d messages}", c.Key, c.Active, c.Label, c.Archive, len(c.Messages))
}
