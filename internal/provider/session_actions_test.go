package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Actions are invoked with `terraform apply -invoke=...` (Terraform >= 1.14),
// which terraform-plugin-testing cannot run: these tests drive the CLI on
// the built provider, check the effect in the sandbox, invoke again to see
// nothing written, and check that no state was recorded.

// invoke runs terraform apply -invoke=address and returns the output.
func invoke(t *testing.T, w *tfWorkdir, address string) (string, error) {
	t.Helper()
	return w.run(nil, "apply", "-invoke="+address, "-auto-approve", "-no-color")
}

func mustInvoke(t *testing.T, w *tfWorkdir, address string) string {
	t.Helper()
	out, err := invoke(t, w, address)
	if err != nil {
		t.Fatalf("terraform apply -invoke=%s: %v\n%s", address, err, out)
	}
	return out
}

// expectInvokedAgain invokes address again and checks that it wrote nothing
// and said why.
func expectInvokedAgain(t *testing.T, env *testEnv, w *tfWorkdir, address, want string) {
	t.Helper()
	env.sb.ResetCounters()
	out := mustInvoke(t, w, address)
	c := env.sb.Counters()
	if writes := c.Total - c.ByRoute[sandbox.RouteSessionsList] - c.ByRoute[sandbox.RouteArchivesList]; writes != 0 {
		t.Errorf("invoking %s again wrote %d times: %v", address, writes, c.ByRoute)
	}
	if !strings.Contains(out, want) {
		t.Errorf("invoking %s again: output lacks %q:\n%s", address, want, out)
	}
}

// expectNoState checks that invoking actions recorded no managed resource
// in state (data sources read for for_each may be there).
func expectNoState(t *testing.T, w *tfWorkdir) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		return // no state at all
	}
	var st struct {
		Resources []struct {
			Mode string `json:"mode"`
			Type string `json:"type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("read state: %v", err)
	}
	for _, r := range st.Resources {
		if r.Mode == "managed" {
			t.Errorf("actions wrote a %s to state:\n%s", r.Type, b)
		}
	}
}

func actionTest(t *testing.T, fn func(t *testing.T, env *testEnv)) {
	actions.skipWithout(t)
	forEachVariant(t, fn)
}

func TestAccArchiveSessionAction(t *testing.T) {
	actionTest(t, func(t *testing.T, env *testEnv) {
		s := env.session(testAgentID, groupKey, new("Ventas"))
		w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
action "guayaba_archive_session" "x" {
  config {
    key = %q
  }
}
`, groupKey))
		out := mustInvoke(t, w, "action.guayaba_archive_session.x")
		if _, ok := env.sb.Session(testAgentID, groupKey); ok {
			t.Fatalf("session still active after the action:\n%s", out)
		}
		a := env.sb.Archives(testAgentID)
		if len(a) != 1 || a[0].SessionID != s.SessionID || labelOf(a[0].Label) != `"Ventas"` {
			t.Fatalf("archives after the action: %+v", a)
		}
		for _, want := range []string{"Archiving session", "is archived as " + a[0].Filename, "Actions: 1 invoked"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		expectInvokedAgain(t, env, w, "action.guayaba_archive_session.x", "already archived")
		expectNoState(t, w)
	})
}

func TestAccDeleteSessionAction(t *testing.T) {
	actionTest(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Ventas"))
		cfg := func(expected string) string {
			return env.provider() + fmt.Sprintf(`
action "guayaba_delete_session" "x" {
  config {
    key            = %q
    expected_label = %q
  }
}
`, groupKey, expected)
		}
		w := newTFWorkdir(t, cfg("Soporte"))
		env.sb.ResetCounters()
		out, err := invoke(t, w, "action.guayaba_delete_session.x")
		if err == nil || !words(`Session label is not the expected one.*the label "Ventas", not the expected label "Soporte".*Nothing was deleted`).MatchString(out) ||
			!strings.Contains(out, "expected_label") {
			t.Fatalf("a mismatched expected_label should fail naming it (%v):\n%s", err, out)
		}
		if _, ok := env.sb.Session(testAgentID, groupKey); !ok || env.sb.Counters().ByRoute[sandbox.RouteSessionsDelete] != 0 {
			t.Fatal("the refused action deleted the session")
		}
		w.write("main.tf", cfg("Ventas"))
		out = mustInvoke(t, w, "action.guayaba_delete_session.x")
		if _, ok := env.sb.Session(testAgentID, groupKey); ok || len(env.sb.Archives(testAgentID)) != 0 {
			t.Fatalf("session not deleted (or archived instead):\n%s", out)
		}
		if !strings.Contains(out, "is deleted") {
			t.Errorf("output lacks the progress message:\n%s", out)
		}
		expectInvokedAgain(t, env, w, "action.guayaba_delete_session.x", "already deleted")
		expectNoState(t, w)
	})
}

func TestAccRestoreArchiveAction(t *testing.T) {
	actionTest(t, func(t *testing.T, env *testEnv) {
		s := env.session(testAgentID, groupKey, new("Ventas"))
		before := len(env.sb.History(testAgentID, groupKey))
		filename, err := env.sb.ArchiveSession(testAgentID, groupKey)
		must(t, err)
		w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
action "guayaba_restore_archive" "x" {
  config {
    filename = %q
    label    = "Ventas (restaurada)"
  }
}
`, filename))
		out := mustInvoke(t, w, "action.guayaba_restore_archive.x")
		got, ok := env.sb.Session(testAgentID, groupKey)
		if !ok || got.SessionID != s.SessionID || labelOf(got.Label) != `"Ventas (restaurada)"` ||
			len(env.sb.History(testAgentID, groupKey)) != before || len(env.sb.Archives(testAgentID)) != 0 {
			t.Fatalf("after restore: %+v active=%v archives=%d\n%s", got, ok, len(env.sb.Archives(testAgentID)), out)
		}
		if !strings.Contains(out, `is restored as session "`+groupKey+`"`) {
			t.Errorf("output lacks the progress message:\n%s", out)
		}
		expectInvokedAgain(t, env, w, "action.guayaba_restore_archive.x", "already restored")
		expectNoState(t, w)
	})
}

// A restore the platform answers 200 without doing is reported as a change
// the listing did not confirm, like every other write: never as a call that
// failed before the platform answered.
func TestAccRestoreArchiveAction_notConfirmed(t *testing.T) {
	actionTest(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Ventas"))
		filename, err := env.sb.ArchiveSession(testAgentID, groupKey)
		must(t, err)
		env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteArchivesRestore, Status: 200, Body: "{}"})
		w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
action "guayaba_restore_archive" "x" {
  config {
    filename = %q
  }
}
`, filename))
		out, err := invoke(t, w, "action.guayaba_restore_archive.x")
		if err == nil {
			t.Fatalf("a restore that did nothing succeeded:\n%s", out)
		}
		expectSays(t, "restore answered 200 and not done", out, "the change was not confirmed", "accepted the restore of archive")
		expectNotSays(t, "restore answered 200 and not done", out, "failed before the platform answered")
		if len(env.sb.Archives(testAgentID)) != 1 {
			t.Errorf("the archive is gone")
		}
	})
}

func TestAccDeleteArchiveAction(t *testing.T) {
	actionTest(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		filename, err := env.sb.ArchiveSession(testAgentID, groupKey)
		must(t, err)
		other, err := env.sb.ArchiveSession(testAgentID, apiKey)
		must(t, err)
		w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
action "guayaba_delete_archive" "x" {
  config {
    filename = %q
  }
}
`, filename))
		out := mustInvoke(t, w, "action.guayaba_delete_archive.x")
		if a := env.sb.Archives(testAgentID); len(a) != 1 || a[0].Filename != other {
			t.Fatalf("want only %s left, got %+v\n%s", other, a, out)
		}
		expectInvokedAgain(t, env, w, "action.guayaba_delete_archive.x", "already deleted")
		expectNoState(t, w)
	})
}

// Bad action arguments fail before anything runs, naming the attribute.
func TestAccActions_badInput(t *testing.T) {
	actions.skipWithout(t)
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, new("Ventas"))
	cases := []struct {
		name, action, body string
		want               []string
	}{
		{"empty key", "archive_session", `key = ""`, []string{"Invalid session key", "key", "guayaba_sessions"}},
		{"no key", "delete_session", `expected_label = "Ventas"`, []string{"Missing required argument", `"key" is required`}},
		{"padded expected_label", "delete_session", `key = "` + groupKey + `"` + "\n    expected_label = \" Ventas\"",
			[]string{"Invalid label", "expected_label"}},
		{"empty filename", "restore_archive", `filename = ""`, []string{"Invalid archive filename", "guayaba_archives"}},
		{"long label", "restore_archive", `filename = "x.jsonl"` + "\n    label = \"" + strings.Repeat("a", 256) + `"`,
			[]string{"Invalid label", "255"}},
		{"agent not a UUID", "delete_archive", `agent_id = "main"` + "\n    filename = \"x.jsonl\"", []string{"agent_id", "not a UUID"}},
	}
	for _, c := range cases {
		w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
action "guayaba_%s" "x" {
  config {
    %s
  }
}
`, c.action, c.body))
		env.sb.ResetCounters()
		out, err := invoke(t, w, "action.guayaba_"+c.action+".x")
		if err == nil {
			t.Errorf("%s: invoke succeeded:\n%s", c.name, out)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, want, out)
			}
		}
		if n := env.sb.Counters().Total; n != 0 {
			t.Errorf("%s: %d API calls before the error", c.name, n)
		}
	}
	if _, ok := env.sb.Session(testAgentID, groupKey); !ok {
		t.Error("a refused action changed the session")
	}

	// No agent anywhere: the error says where to set one.
	w := newTFWorkdir(t, env.providerWithKey(env.masterKey)+`
action "guayaba_archive_session" "x" {
  config {
    key = "`+groupKey+`"
  }
}
`)
	out, err := invoke(t, w, "action.guayaba_archive_session.x")
	if err == nil || !words(`Missing agent_id.*Set .agent_id. here, or .agent_id. in the provider block, or the GUAYABA_AGENT_ID`).MatchString(out) {
		t.Errorf("no agent: want Missing agent_id naming where to set it (%v):\n%s", err, out)
	}
}
