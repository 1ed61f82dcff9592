package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The API key must appear nowhere: not in TRACE logs of terraform and the
// provider, not in the state, not in a saved plan. The debug log must still
// show every request's method, path, status and attempt number.

var traceEnv = []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE"}

// expectNoSecret fails when text contains the key or its random tail.
func expectNoSecret(t *testing.T, where, text, key string) {
	t.Helper()
	tail := key[strings.LastIndex(key, "_")+1:]
	if len(tail) != 48 {
		t.Fatalf("key %q has no 48-hex tail", key)
	}
	for _, s := range []string{key, tail, strings.ToUpper(tail)} {
		if i := strings.Index(text, s); i >= 0 {
			lo, hi := max(0, i-200), min(len(text), i+len(s)+50)
			t.Errorf("%s contains the API key (%q):\n…%s…", where, s, text[lo:hi])
		}
	}
}

// expectNoSecretInPlanFile checks a saved plan's raw bytes and every file
// inside it.
func expectNoSecretInPlanFile(t *testing.T, w *tfWorkdir, name, key string) {
	t.Helper()
	for where, text := range w.planFileTexts(name) {
		expectNoSecret(t, where, text, key)
	}
}

// secretsConfig is a provider block with the given lines, a session
// labelled label and a read of its history.
func secretsConfig(provider []string, label string) string {
	return providerBlock(provider...) + sessionBlock{key: groupKey, label: &label}.String() + `
data "guayaba_session_history" "h" {
  key   = guayaba_session.x.key
  limit = 2
}
`
}

func TestAccSecrets_traceLogsStateAndPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	key := env.masterKey
	// The key comes from GUAYABA_API_KEY: the only way to keep it out of a
	// saved plan, which holds the configuration and the variables' values.
	body := []string{hclAttr("base_url", env.sb.URL()), hclAttr("agent_id", testAgentID)}
	keyEnv := append([]string{"GUAYABA_API_KEY=" + key}, traceEnv...)
	w := newTFWorkdir(t, secretsConfig(body, "Secret-safe"))

	// One retried rename, so the log shows more than one attempt of a call.
	env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Status: 502})
	out := w.with(keyEnv...).must(applyArgs...)
	if !strings.Contains(out, "[TRACE]") || !strings.Contains(out, "Guayaba API request body") {
		t.Fatalf("the output does not look like a TRACE log of terraform and the provider:\n%s", lastLines(out, 40))
	}
	expectNoSecret(t, "the TRACE output of apply", out, key)
	expectNoSecret(t, "terraform.tfstate", w.read("terraform.tfstate"), key)
	if s := env.mustSession(groupKey); labelOf(s.Label) != `"Secret-safe"` {
		t.Errorf("label %s", labelOf(s.Label))
	}

	// The debug log still says what was sent: method, path, status, attempt.
	attempts := parseAttempts(out)
	renamePath := "/agents/" + testAgentID + "/sessions/rename"
	want := []loggedAttempt{
		{op: "list sessions", method: "GET", path: "/agents/" + testAgentID + "/sessions", attempt: 1, status: 200},
		{op: "rename session", method: "POST", path: renamePath, attempt: 1, status: 502},
		{op: "rename session", method: "POST", path: renamePath, attempt: 2, status: 200},
		{op: "read session history", method: "POST", path: "/agents/" + testAgentID + "/sessions/history", attempt: 1, status: 200},
	}
	for _, w := range want {
		found := false
		for _, a := range attempts {
			found = found || a == w
		}
		if !found {
			t.Errorf("the debug log has no attempt %+v; it has %+v", w, attempts)
		}
	}

	// A saved plan, its JSON rendering and the plan output: no key either.
	w.write("main.tf", secretsConfig(body, "Secret-safe 2"))
	out = w.with(keyEnv...).must("plan", "-no-color", "-out=p.tfplan")
	expectNoSecret(t, "the TRACE output of plan -out", out, key)
	expectNoSecretInPlanFile(t, w, "p.tfplan", key)
	out = w.with("GUAYABA_API_KEY="+key).must("show", "-json", "p.tfplan")
	if !strings.Contains(out, "Secret-safe 2") {
		t.Fatalf("show -json does not show the planned label:\n%s", out)
	}
	expectNoSecret(t, "terraform show -json p.tfplan", out, key)
	out = w.with(keyEnv...).must("apply", "-no-color", "p.tfplan")
	expectNoSecret(t, "the TRACE output of apply p.tfplan", out, key)
	expectNoSecret(t, "terraform.tfstate", w.read("terraform.tfstate"), key)
	expectNoDeletes(t, env)
}

// A key written in the provider block (sensitive) stays out of the TRACE
// log and the state too; and so does a refused key in the 401 error.
func TestAccSecrets_keyInConfigAndRefusedKey(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	w := newTFWorkdir(t, secretsConfig([]string{hclAttr("base_url", env.sb.URL()), hclAttr("api_key", env.masterKey),
		hclAttr("agent_id", testAgentID)}, "In config"))
	out := w.with(traceEnv...).must(applyArgs...)
	expectNoSecret(t, "the TRACE output of apply", out, env.masterKey)
	expectNoSecret(t, "terraform.tfstate", w.read("terraform.tfstate"), env.masterKey)

	// A well-formed key the platform does not know: the 401 is explained
	// without echoing the key.
	unknown := sandbox.MasterKeyPrefix + strings.Repeat("ab12", 12)
	w2 := newTFWorkdir(t, providerBlock(hclAttr("base_url", env.sb.URL()), hclAttr("agent_id", testAgentID))+
		`data "guayaba_sessions" "all" {}`+"\n")
	out, err := w2.run(append([]string{"GUAYABA_API_KEY=" + unknown}, traceEnv...), "plan", "-no-color")
	if err == nil || !strings.Contains(flat(out), "the API key was refused") {
		t.Fatalf("want a refused key: %v\n%s", err, lastLines(out, 40))
	}
	expectNoSecret(t, "the TRACE output of a plan with a refused key", out, unknown)
	expectNoDeletes(t, env)
}

// Everything from the environment: an empty provider block with
// GUAYABA_API_KEY, GUAYABA_BASE_URL and GUAYABA_AGENT_ID; and without a key
// anywhere, one error naming both places to put it.
func TestAccSecrets_keyFromEnvironment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	cfg := `provider "guayaba" {}
resource "guayaba_session" "x" {
  key   = "` + groupKey + `"
  label = "From env"
}
`
	w := newTFWorkdir(t, cfg)
	envVars := []string{"GUAYABA_API_KEY=" + env.manageKey, "GUAYABA_BASE_URL=" + env.sb.URL(), "GUAYABA_AGENT_ID=" + testAgentID}
	w.with(envVars...).must(applyArgs...)
	if s := env.mustSession(groupKey); labelOf(s.Label) != `"From env"` {
		t.Errorf("label %s", labelOf(s.Label))
	}
	expectNoSecret(t, "terraform.tfstate", w.read("terraform.tfstate"), env.manageKey)

	out, err := w.run(envVars[1:], "plan", "-no-color")
	f := flat(out)
	if err == nil || !strings.Contains(f, "Missing API key") || !strings.Contains(f, "api_key") || !strings.Contains(f, "GUAYABA_API_KEY") {
		t.Errorf("plan without a key: want one error naming api_key and GUAYABA_API_KEY: %v\n%s", err, out)
	}
	expectNoDeletes(t, env)
}

// A server or proxy that echoes the key back — in a 401's message, in a
// 502's HTML page — does not put it anywhere either: not in terraform's
// output or the TRACE log (terraform-plugin-go logs diagnostics outside the
// client's masked log subsystem), not in the state, not in a saved plan.
func TestAccSecrets_keyEchoedByTheServer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	key := env.masterKey
	body := []string{hclAttr("base_url", env.sb.URL()), hclAttr("agent_id", testAgentID), "max_retries = 1"}
	keyEnv := append([]string{"GUAYABA_API_KEY=" + key}, traceEnv...)
	w := newTFWorkdir(t, secretsConfig(body, "Echo-safe"))
	echo401 := sandbox.Fault{Route: sandbox.RouteSessionsList, Status: 401,
		Body: `{"error":"Unauthorized","message":"Invalid or revoked API key: ` + key + "\\n\\u001b[31m" + strings.ToUpper(key[9:]) + `"}`}
	page := `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>` +
		`<pre>upstream request: Authorization: Bearer ` + key + `</pre></body></html>`
	echo502 := func(route string, n int) sandbox.Fault {
		return sandbox.Fault{Route: route, Status: 502, Body: page, Count: n}
	}
	checkState := func(where string) {
		if b, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
			expectNoSecret(t, "terraform.tfstate "+where, string(b), key)
		}
	}

	// The 401 echoing the key fails the apply, explained without it.
	env.sb.InjectFault(echo401)
	out, err := w.run(keyEnv, applyArgs...)
	if err == nil || !strings.Contains(flat(out), "the API key was refused") || !strings.Contains(flat(out), "[REDACTED]") {
		t.Fatalf("want a refused key, its message scrubbed: %v\n%s", err, lastLines(out, 60))
	}
	expectNoSecret(t, "the TRACE output of an apply answered 401 with the key", out, key)
	checkState("after the 401")

	// A 502 page with the key on every attempt of the rename.
	env.sb.InjectFault(echo502(sandbox.RouteSessionsRename, 2))
	out, err = w.run(keyEnv, applyArgs...)
	if err == nil || !strings.Contains(flat(out), "Bad Gateway") {
		t.Fatalf("want the rename to fail on 502 pages: %v\n%s", err, lastLines(out, 60))
	}
	if !strings.Contains(out, "Guayaba API error response body") || !strings.Contains(out, "Bearer [REDACTED]") {
		t.Errorf("the TRACE log does not show the 502 page, scrubbed:\n%s", lastLines(out, 40))
	}
	expectNoSecret(t, "the TRACE output of an apply answered 502 pages with the key", out, key)
	checkState("after the 502 pages")

	// The same page once per call, then success: apply, a saved plan, its
	// JSON rendering and the state stay clean.
	for _, r := range []string{sandbox.RouteSessionsList, sandbox.RouteSessionsRename, sandbox.RouteSessionsHistory} {
		env.sb.InjectFault(echo502(r, 1))
	}
	out, err = w.run(keyEnv, applyArgs...)
	if err != nil {
		t.Fatalf("apply through one 502 page per call: %v\n%s", err, lastLines(out, 60))
	}
	expectNoSecret(t, "the TRACE output of an apply through 502 pages", out, key)
	checkState("after the apply")
	if s := env.mustSession(groupKey); labelOf(s.Label) != `"Echo-safe"` {
		t.Errorf("label %s", labelOf(s.Label))
	}
	w.write("main.tf", secretsConfig(body, "Echo-safe 2"))
	env.sb.InjectFault(echo502(sandbox.RouteSessionsList, 1))
	out, err = w.run(keyEnv, "plan", "-no-color", "-out=p.tfplan")
	if err != nil {
		t.Fatalf("plan through a 502 page: %v\n%s", err, lastLines(out, 60))
	}
	expectNoSecret(t, "the TRACE output of plan -out through a 502 page", out, key)
	expectNoSecretInPlanFile(t, w, "p.tfplan", key)
	out, err = w.run([]string{"GUAYABA_API_KEY=" + key}, "show", "-json", "p.tfplan")
	if err != nil || !strings.Contains(out, "Echo-safe 2") {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	expectNoSecret(t, "terraform show -json p.tfplan", out, key)
	expectNoDeletes(t, env)
}
