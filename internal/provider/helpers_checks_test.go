package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// What the acceptance tests check: the sandbox's state (the platform as a
// user would see it in the dashboard) before and after a command, and the
// errors terraform prints.

// words compiles an expected-error pattern in which a space matches any run
// of white space, since terraform wraps diagnostics at 80 columns.
func words(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// checkSandbox adapts a sandbox assertion to a TestCheckFunc.
func checkSandbox(fn func() error) func(*terraform.State) error {
	return func(*terraform.State) error { return fn() }
}

// checkSandboxQuery adapts a sandbox assertion to a check of a query step,
// run once terraform query has ended.
type checkSandboxQuery func() error

func (f checkSandboxQuery) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = f()
}

func labelOf(p *string) string {
	if p == nil {
		return "<null>"
	}
	return fmt.Sprintf("%q", *p)
}

// expectLabel checks a session's label in the sandbox.
func (e *testEnv) expectLabel(agentID, key string, want *string) func(*terraform.State) error {
	return checkSandbox(func() error {
		s, ok := e.sb.Session(agentID, key)
		if !ok {
			return fmt.Errorf("session %q is not active in the sandbox", key)
		}
		if labelOf(s.Label) != labelOf(want) {
			return fmt.Errorf("session %q: sandbox label %s, want %s", key, labelOf(s.Label), labelOf(want))
		}
		return nil
	})
}

// snapshot returns the sandbox's full state.
func (e *testEnv) snapshot() sandbox.State { return e.sb.Snapshot() }

func stateJSON(s sandbox.State) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// withoutSession returns st without agent's active session key.
func withoutSession(st sandbox.State, agentID, key string) (sandbox.State, *sandbox.SessionState) {
	var removed *sandbox.SessionState
	for i, ag := range st.Agents {
		if ag.ID != agentID {
			continue
		}
		kept := []sandbox.SessionState{}
		for _, s := range ag.Sessions {
			if s.Key == key {
				s := s
				removed = &s
				continue
			}
			kept = append(kept, s)
		}
		st.Agents[i].Sessions = kept
	}
	return st, removed
}

// withoutArchivesOf returns st without the agent's archives of key.
func withoutArchivesOf(st sandbox.State, agentID, key string) (sandbox.State, []sandbox.ArchiveState) {
	var removed []sandbox.ArchiveState
	for i, ag := range st.Agents {
		if ag.ID != agentID {
			continue
		}
		kept := []sandbox.ArchiveState{}
		for _, a := range ag.Archives {
			if a.Key == key {
				removed = append(removed, a)
				continue
			}
			kept = append(kept, a)
		}
		st.Agents[i].Archives = kept
	}
	return st, removed
}

// expectDestroyEffect compares the sandbox after terraform destroy with the
// state before it, and accepts exactly the change on_destroy asked for.
func expectDestroyEffect(mode, beforeJSON string, env *testEnv) error {
	var before sandbox.State
	if err := json.Unmarshal([]byte(beforeJSON), &before); err != nil {
		return err
	}
	after := env.snapshot()
	const key = "agent:main:telegram:group:-1001234567890:topic:42"
	switch mode {
	case "keep":
		return diffErr(before, after)
	case "clear_label":
		for i, ag := range before.Agents {
			if ag.ID != testAgentID {
				continue
			}
			for j, s := range ag.Sessions {
				if s.Key == key {
					before.Agents[i].Sessions[j].Label = nil
				}
			}
		}
		return diffErr(before, after)
	case "archive":
		b, removed := withoutSession(before, testAgentID, key)
		a, archives := withoutArchivesOf(after, testAgentID, key)
		if removed == nil || len(archives) != 1 {
			return fmt.Errorf("want the session archived once, got %d archives", len(archives))
		}
		if archives[0].SessionID != removed.SessionID || !reflect.DeepEqual(archives[0].Messages, removed.Messages) ||
			labelOf(archives[0].Label) != labelOf(removed.Label) {
			return fmt.Errorf("archive %+v does not hold session %+v", archives[0], removed)
		}
		return diffErr(b, a)
	case "delete":
		b, removed := withoutSession(before, testAgentID, key)
		if removed == nil {
			return fmt.Errorf("session was not active before destroy")
		}
		return diffErr(b, after)
	case "delete-archived":
		b, removed := withoutArchivesOf(before, testAgentID, key)
		if len(removed) != 1 {
			return fmt.Errorf("want 1 archive before destroy, got %d", len(removed))
		}
		return diffErr(b, after)
	}
	return fmt.Errorf("unknown mode %s", mode)
}

// diffErr fails when two sandbox states differ, showing both.
func diffErr(want, got sandbox.State) error {
	if jw, jg := stateJSON(want), stateJSON(got); jw != jg {
		return fmt.Errorf("sandbox state differs from the expected one:\nwant: %s\ngot:  %s", jw, jg)
	}
	return nil
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// attr is the path of a top-level attribute, for state checks.
func attr(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

// expectNoDeletes fails when anything was deleted through the API.
func expectNoDeletes(t *testing.T, env *testEnv) {
	t.Helper()
	if err := noDeletes(env); err != nil {
		t.Error(err)
	}
}

// noDeletes is expectNoDeletes as a check.
func noDeletes(env *testEnv) error {
	c := env.sb.Counters()
	if n := c.ByRoute[sandbox.RouteSessionsDelete] + c.ByRoute[sandbox.RouteArchivesDelete]; n != 0 {
		return fmt.Errorf("a test without on_destroy = \"delete\" called a delete route %d times: %v", n, c.ByRoute)
	}
	return nil
}

// expectSandboxLabels checks the labels of the agent's active sessions:
// want names the labelled ones; every other session must have none.
func (e *testEnv) expectSandboxLabels(want map[string]string) func(*terraform.State) error {
	return checkSandbox(func() error {
		var bad []string
		for _, s := range e.sb.Sessions(testAgentID) {
			w, ok := want[s.Key]
			if (ok && labelOf(s.Label) != labelOf(&w)) || (!ok && s.Label != nil) {
				wl := "<null>"
				if ok {
					wl = fmt.Sprintf("%q", w)
				}
				bad = append(bad, fmt.Sprintf("%s: %s, want %s", s.Key, labelOf(s.Label), wl))
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("sandbox labels differ:\n  %s", strings.Join(bad, "\n  "))
		}
		return nil
	})
}

// cloneState deep-copies a sandbox state.
func cloneState(st sandbox.State) sandbox.State {
	var out sandbox.State
	if err := json.Unmarshal([]byte(stateJSON(st)), &out); err != nil {
		panic(err)
	}
	return out
}

// expectChange checks, after a step's apply, how the sandbox changed since
// *before (recorded at the end of the step's PreConfig).
func (e *testEnv) expectChange(before *sandbox.State, check stateCheck) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(*before, e.snapshot()) }
}

// The expected effect of each write, as a change of the sandbox state.

// stateCheck compares the state after a command with the one before it.
type stateCheck func(before, after sandbox.State) error

func expectUnchanged() stateCheck {
	return diffErr
}

// expectRelabelled: only the label of testAgentID's active session key
// changed.
func expectRelabelled(key string, label *string) stateCheck {
	return expectLabelsChanged(map[string]*string{key: label})
}

// expectLabelsChanged: only the labels of testAgentID's active sessions
// named in changes changed, each to its value there (nil: none).
func expectLabelsChanged(changes map[string]*string) stateCheck {
	return func(before, after sandbox.State) error {
		want := cloneState(before)
		found := map[string]bool{}
		for i, ag := range want.Agents {
			for j, s := range ag.Sessions {
				if label, ok := changes[s.Key]; ok && ag.ID == testAgentID {
					want.Agents[i].Sessions[j].Label = label
					found[s.Key] = true
				}
			}
		}
		for key := range changes {
			if !found[key] {
				return fmt.Errorf("session %q was not active before", key)
			}
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

// stringList is a known-value check of a list of exactly these strings.
func stringList(ss ...string) knownvalue.Check {
	checks := []knownvalue.Check{}
	for _, s := range ss {
		checks = append(checks, knownvalue.StringExact(s))
	}
	return knownvalue.ListExact(checks)
}

// planTimeError is a configuration that terraform plan must refuse with an
// error matching want (a words pattern).
type planTimeError struct{ config, want string }

// expectPlanTimeErrors plans each case in a parallel subtest and expects its
// error; once every case has run, the sandbox must have seen no API call: the
// inputs are refused before any request.
func expectPlanTimeErrors(t *testing.T, env *testEnv, cases map[string]planTimeError) {
	t.Helper()
	t.Cleanup(func() {
		if c := env.sb.Counters(); c.Total != 0 {
			t.Errorf("inputs refused at plan time made %d API calls: %v", c.Total, c.ByRoute)
		}
	})
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories,
				Steps:                    []resource.TestStep{{Config: c.config, PlanOnly: true, ExpectError: words(c.want)}},
			})
		})
	}
}

// expectSameResultEveryRun reads the data source typ three times, each in a
// new terraform run (the lenient variant lists in another order each time),
// and expects byte-identical results and nothing to plan after the first.
func expectSameResultEveryRun(t *testing.T, env *testEnv, typ string) {
	t.Helper()
	cfg := env.provider() + fmt.Sprintf(`
data %[1]q "all" {}
resource "terraform_data" "snapshot" {
  input = jsonencode(data.%[1]s.all)
}
`, typ)
	var first string
	capture := func(st *terraform.State) error {
		got := st.RootModule().Resources["terraform_data.snapshot"].Primary.Attributes["input"]
		if first == "" {
			first = got
		} else if got != first {
			return fmt.Errorf("result changed between runs:\n%s\n%s", first, got)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: capture},
			{Config: cfg, Check: capture, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{Config: cfg, Check: capture, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
