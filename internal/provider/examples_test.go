package provider

import (
	"encoding/json"
	"fmt"
	"os"
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

// The ephemeral reader is opened during the run, and no message text
// reaches the state or plan files.
func TestAccSessionHistory_ephemeralNotInState(t *testing.T) {
	t.Parallel()
	ephemeralResources.skipWithout(t)
	env := newTestEnv(t, variants["strict"])
	seedData(t, env)
	w := newTFWorkdir(t, env.provider()+`
ephemeral "guayaba_session_history" "h" {
  key = "agent:main:telegram:group:-100200:topic:7"
}
locals {
  replies = [for m in ephemeral.guayaba_session_history.h.messages : m.text if m.role == "assistant"]
}
resource "terraform_data" "count" {
  input = "run"
  lifecycle {
    precondition {
      condition     = length(local.replies) == 1
      error_message = "expected one reply"
    }
  }
}
`)
	w.must("plan", "-no-color", "-out=run.tfplan")
	w.must("apply", "-auto-approve", "-no-color")
	if n := env.sb.Counters().ByRoute[sandbox.RouteSessionsHistory]; n == 0 {
		t.Fatal("the ephemeral resource was never opened")
	}
	files := w.planFileTexts("run.tfplan")
	// The plan holds the configuration (so the search reads the unzipped
	// entries), but none of the messages it read.
	sawConfig := false
	for _, text := range files {
		sawConfig = sawConfig || strings.Contains(text, `ephemeral "guayaba_session_history" "h"`)
	}
	if !sawConfig {
		t.Errorf("no entry of run.tfplan holds the configuration: %d entries read", len(files)-1)
	}
	files["terraform.tfstate"] = w.read("terraform.tfstate")
	for where, text := range files {
		for _, secret := range []string{"¿Precio?", "10 €", "gracias", "calcular", "sin IVA"} {
			if strings.Contains(text, secret) {
				t.Errorf("message text %q found in %s", secret, where)
			}
		}
	}
}

// guayaba_sessions over an agent with 10,000 sessions: one listing; the
// wall time of the terraform run and the size of the state are logged (the
// provider's memory is measured by make bench, where it runs on its own).
func TestAccScale_sessionsDataSource10k(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	f := sandbox.Generate(sandbox.GenerateOptions{Agents: 1, SessionsPerAgent: 10000, Seed: 7})
	if err := env.sb.Load(f); err != nil {
		t.Fatal(err)
	}
	agentID := f.Agents[0].ID
	w := newTFWorkdir(t, env.providerWithKey(f.Keys[0].Token, hclAttr("agent_id", agentID))+`
data "guayaba_sessions" "all" {}
data "guayaba_sessions" "groups" { chat_type = "group" }
output "count" { value = length(data.guayaba_sessions.all.sessions) }
output "groups" { value = length(data.guayaba_sessions.groups.keys) }
`)
	env.sb.ResetCounters()
	start := time.Now()
	w.must("apply", "-auto-approve", "-no-color")
	elapsed := time.Since(start)
	outs := w.outputs()
	if string(outs["count"]) != "10000" {
		t.Errorf("count = %s, want 10000", outs["count"])
	}
	c := env.sb.Counters()
	if c.ByRoute[sandbox.RouteSessionsList] > 2 {
		t.Errorf("10,000 sessions read with %d listings", c.ByRoute[sandbox.RouteSessionsList])
	}
	st, _ := os.Stat(w.dir + "/terraform.tfstate")
	t.Logf("guayaba_sessions over 10,000 sessions: terraform apply %s, listings %v, state file %d KiB",
		elapsed.Round(time.Millisecond), c.ByRoute, st.Size()/1024)
}

// An import block with -generate-config-out writes a configuration that
// plans nothing once applied.
func TestAccSession_importGenerateConfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, new("Generated"))
	w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
import {
  to = guayaba_session.imported
  id = "%s/%s"
}
`, testAgentID, groupKey))
	w.must("plan", "-no-color", "-generate-config-out=generated.tf")
	gen := w.read("generated.tf")
	for _, want := range []string{`key`, groupKey, `label`, `"Generated"`, `on_destroy`} {
		if !strings.Contains(gen, want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, gen)
		}
	}
	w.must("apply", "-auto-approve", "-no-color")
	w.must("plan", "-no-color", "-detailed-exitcode")
	if c := env.sb.Counters(); c.ByRoute[sandbox.RouteSessionsRename] != 0 {
		t.Errorf("importing renamed the session: %v", c.ByRoute)
	}
}
