package provider

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The examples under examples/ run as a user would run them: configured
// from the environment, with terraform init (modules) and apply.

func TestAccExample_labelTelegramGroups(t *testing.T) {
	providerFunctions.skipWithout(t)
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	groups := []string{"agent:main:telegram:group:-1001:topic:1", "agent:main:telegram:group:-1001:topic:2", "agent:main:telegram:group:-1002"}
	for _, k := range groups {
		env.session(testAgentID, k, nil)
	}
	env.session(testAgentID, "agent:main:telegram:direct:77", new("Direct chat"))
	env.session(testAgentID, "agent:main:webchat:direct:ana", nil)

	w := newTFWorkdirFrom(t, "examples/label-telegram-groups")
	vars := env.providerEnv()
	w.with(vars...).must("apply", "-auto-approve", "-no-color")
	wantLabels := []string{"Telegram group -1001 topic 1", "Telegram group -1001 topic 2", "Telegram group -1002"}
	for i, k := range groups {
		want := wantLabels[i]
		if s := env.mustSession(k); s.Label == nil || *s.Label != want {
			t.Errorf("%s: label %s, want %q", k, labelOf(s.Label), want)
		}
	}
	if s := env.mustSession("agent:main:telegram:direct:77"); labelOf(s.Label) != `"Direct chat"` {
		t.Errorf("a direct chat was touched: %s", labelOf(s.Label))
	}
	var labelled map[string]string
	if err := json.Unmarshal(w.outputs()["labelled"], &labelled); err != nil || len(labelled) != 3 {
		t.Errorf("labelled output: %v %v", labelled, err)
	}

	// Drift: a label changed in the dashboard shows in the plan (exit code 2).
	must(t, env.sb.Rename(testAgentID, groups[0], new("renamed by hand")))
	out, err := w.run(vars, "plan", "-no-color", "-detailed-exitcode")
	if err == nil || !strings.Contains(out, `~ label`) || !strings.Contains(out, "1 to change") {
		t.Errorf("plan after an out-of-band rename should show 1 change:\n%s", out)
	}
	w.with(vars...).must("apply", "-auto-approve", "-no-color")
	w.with(vars...).must("plan", "-no-color", "-detailed-exitcode")
}

// The module-testing example's own tests pass with `terraform test`: the
// mocked unit tests, and the apply-mode tests against this test's sandbox,
// which must then hold the labels the module wrote.
func TestAccExample_testingModules(t *testing.T) {
	t.Parallel()
	mockProviders.skipWithout(t)
	env := newTestEnv(t, variants["strict"])
	groups := []string{"agent:main:telegram:group:-1001:topic:1", "agent:main:telegram:group:-1002"}
	for _, k := range groups {
		env.session(testAgentID, k, nil)
	}
	env.session(testAgentID, "agent:main:telegram:direct:77", new("Direct chat"))

	w := newTFWorkdirFrom(t, "examples/testing-modules")
	out := w.with(env.providerEnv()...).must("test", "-no-color")
	if !strings.Contains(out, "6 passed, 0 failed") {
		t.Errorf("terraform test should pass 6 runs:\n%s", out)
	}
	// The last run relabels with "Group"; destroy keeps the sessions.
	for _, k := range groups {
		want := "Group " + strings.TrimPrefix(k, "agent:main:telegram:group:")
		if s := env.mustSession(k); labelOf(s.Label) != fmt.Sprintf("%q", want) {
			t.Errorf("%s: label %s, want %q", k, labelOf(s.Label), want)
		}
	}
	if s := env.mustSession("agent:main:telegram:direct:77"); labelOf(s.Label) != `"Direct chat"` {
		t.Errorf("a direct chat was touched: %s", labelOf(s.Label))
	}
}

func TestAccExample_transcriptModule(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	seedData(t, env)
	w := newTFWorkdirFrom(t, "examples/transcript-module")
	vars := env.providerEnv()
	w.with(vars...).must("get", "-no-color")
	w.with(vars...).must("apply", "-auto-approve", "-no-color", "-var", "session_key=agent:main:telegram:group:-100200:topic:7")
	outs := w.outputs()
	var lines []string
	if err := json.Unmarshal(outs["recent_lines"], &lines); err != nil {
		t.Fatal(err)
	}
	want := []string{"user: ¿Precio?", "assistant: 10 €\nsin IVA", "user: gracias"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("recent_lines = %q, want %q", lines, want)
	}
	if string(outs["last_reply"]) != `"10 €\nsin IVA"` {
		t.Errorf("last_reply = %s", outs["last_reply"])
	}
}

// The archive-old-sessions guide's example: one action instance per session
// quiet since the cutoff, invoked at once; invoked again, nothing to do.
func TestAccExample_archiveOldSessions(t *testing.T) {
	actions.skipWithout(t)
	t.Parallel()
	env := newTestEnv(t, variants["lenient"])
	old := []string{"agent:main:webchat:direct:a", "agent:main:webchat:direct:b", "agent:main:telegram:direct:c"}
	for _, k := range old {
		if _, err := env.sb.AddSession(testAgentID, sandbox.SessionSpec{Key: k, ChatType: "direct", LastChannel: "webchat",
			UpdatedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	recent := env.session(testAgentID, groupKey, new("Keep me"))
	w := newTFWorkdirFrom(t, "examples/guides/archive-old-sessions").with(env.providerEnv()...)
	w.write("provider.tf", `terraform {
  required_providers {
    guayaba = { source = "guayabadotrun/guayaba" }
  }
}
`)
	args := []string{"apply", "-auto-approve", "-no-color", "-var", "archive_before=2026-11-01T00:00:00Z",
		"-invoke=action.guayaba_archive_session.quiet"}
	out := w.must(args...)
	if !strings.Contains(out, "Actions: 3 invoked") {
		t.Errorf("want 3 actions invoked:\n%s", out)
	}
	for _, k := range old {
		if _, ok := env.sb.Session(testAgentID, k); ok {
			t.Errorf("%s is still active", k)
		}
	}
	if s, ok := env.sb.Session(testAgentID, groupKey); !ok || s.SessionID != recent.SessionID || len(env.sb.Archives(testAgentID)) != 3 {
		t.Errorf("the recent session was touched, or archives are missing")
	}
	env.sb.ResetCounters()
	w.must(args...)
	if c := env.sb.Counters(); c.Total != c.ByRoute[sandbox.RouteSessionsList] {
		t.Errorf("the second sweep wrote: %v", c.ByRoute)
	}
	expectNoState(t, w)
}
