package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The destructive and unusual paths of guayaba_session: replacements,
// restores whose label is taken, a managed archive that disappears, errors
// that must say what to do, labels the platform trims, and a deleted agent.
// Each runs the real terraform binary and compares the sandbox's complete
// snapshot before and after: only what was asked for may change. Those that
// need -replace, terraform state rm, a plan's warnings or what an error must
// not say run on a tfWorkdir.

// safetyWorkdir applies cfg in a fresh working directory and returns it.
func safetyWorkdir(t *testing.T, cfg string) *tfWorkdir {
	t.Helper()
	w := newTFWorkdir(t, cfg)
	if out, err := w.run(nil, applyArgs...); err != nil {
		t.Fatalf("first apply: %v\n%s", err, out)
	}
	return w
}

// Case 1: a replacement with on_destroy = "delete" (a changed key, a changed
// default agent from GUAYABA_AGENT_ID) is planned with a warning naming the
// session it deletes; a replacement that would delete the very session it
// then adopts (-replace) is refused at plan time.
func TestAccSessionSafety_replacementWarns(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		old := env.session(testAgentID, groupKey, new("Old"))
		env.session(testAgentID, apiKey, nil)
		env.session(testAgent2ID, dashKey, nil)
		x := func(key string) string {
			return env.config(sessionBlock{key: key, label: new("Managed"), onDestroy: "delete"})
		}
		w := safetyWorkdir(t, x(groupKey))

		// -replace: the destroy half would delete the session that the
		// create half adopts. Refused, nothing changed, still in state.
		before := env.snapshot()
		out, err := w.run(nil, "apply", "-auto-approve", "-no-color", "-replace=guayaba_session.x")
		if err == nil {
			t.Fatalf("-replace with on_destroy = \"delete\" was applied:\n%s", out)
		}
		expectSays(t, "-replace", out, `Replacing session "`+groupKey+`" would delete it`, "Nothing has been changed",
			"remove the resource from the configuration")
		if err := diffErr(before, env.snapshot()); err != nil {
			t.Errorf("-replace changed the sandbox: %v", err)
		}
		expectInState(t, w, "guayaba_session.x", true)

		// A changed key: the plan warns, naming the session and its id.
		w.write("main.tf", x(apiKey))
		out = w.must("plan", "-no-color")
		expectSays(t, "the plan of a key change", out, "Warning: Replacement deletes session \""+groupKey+"\" permanently",
			"session_id "+old.SessionID, `set on_destroy = "keep" and apply that change alone first`)
		before = env.snapshot()
		out = w.must(applyArgs...)
		expectSays(t, "the apply of a key change", out, "Replacement deletes session")
		want, _ := withoutSession(cloneState(before), testAgentID, groupKey)
		if err := expectRelabelled(apiKey, new("Managed"))(want, env.snapshot()); err != nil {
			t.Errorf("after the warned replacement: %v", err)
		}

		// The default agent changes through GUAYABA_AGENT_ID to one without
		// the key: refused at plan time, naming the agent and the variable.
		noAgent := env.providerWithKey(env.masterKey) + sessionBlock{key: apiKey, label: new("Managed"), onDestroy: "delete"}.String()
		w.write("main.tf", noAgent)
		if out, err := w.run([]string{"GUAYABA_AGENT_ID=" + testAgentID}, "plan", "-detailed-exitcode", "-no-color"); err != nil {
			t.Fatalf("moving agent_id to GUAYABA_AGENT_ID planned a change: %v\n%s", err, out)
		}
		before = env.snapshot()
		out, err = w.run([]string{"GUAYABA_AGENT_ID=" + testAgent2ID}, "apply", "-auto-approve", "-no-color")
		if err == nil {
			t.Fatalf("a replacement into an agent without the key was applied:\n%s", out)
		}
		expectSays(t, "an agent change to an agent without the key", out,
			"Cannot replace: agent "+testAgent2ID+` has no active session "`+apiKey+`" to adopt`, "GUAYABA_AGENT_ID",
			`on_destroy = "delete" deletes the session and its transcript for good`)
		if err := diffErr(before, env.snapshot()); err != nil {
			t.Errorf("the refused replacement changed the sandbox: %v", err)
		}
		expectInState(t, w, "guayaba_session.x", true)

		// ...and to one that has it: the plan warns, naming the old agent.
		w.write("main.tf", strings.Replace(noAgent, apiKey, dashKey, 1))
		out, err = w.run([]string{"GUAYABA_AGENT_ID=" + testAgent2ID}, "plan", "-no-color")
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		expectSays(t, "the plan of an agent change", out,
			`Warning: Replacement deletes session "`+apiKey+`" permanently`, "of agent "+testAgentID)
		if n := env.sb.Counters().ByRoute[sandbox.RouteSessionsDelete]; n != 1 {
			t.Errorf("want the one warned delete, got %d", n)
		}
	})
}

// Case 2: replacing an archived resource is refused at plan time: the
// resource stays in state and the archive stays on the platform. A key
// change to an active session goes ahead, and says the archive leaves
// management.
func TestAccSessionSafety_replaceArchived(t *testing.T) {
	for _, mode := range []string{"keep", "delete"} {
		t.Run(mode, func(t *testing.T) {
			forEachVariant(t, func(t *testing.T, env *testEnv) {
				env.session(testAgentID, groupKey, new("Old"))
				env.session(testAgentID, apiKey, nil)
				x := func(key string, archived bool) string {
					return env.config(sessionBlock{key: key, label: new("Old"), archived: archived, onDestroy: mode})
				}
				w := safetyWorkdir(t, x(groupKey, true))
				archives := env.sb.Archives(testAgentID)
				if len(archives) != 1 {
					t.Fatalf("want 1 archive, got %d", len(archives))
				}

				before := env.snapshot()
				out, err := w.run(nil, "apply", "-auto-approve", "-no-color", "-replace=guayaba_session.x")
				if err == nil {
					t.Fatalf("-replace of an archived resource was applied:\n%s", out)
				}
				expectSays(t, "-replace of an archived resource", out, `Cannot replace archived session "`+groupKey+`"`,
					archives[0].Filename, "set `archived = false`", "Nothing has been changed")
				if err := diffErr(before, env.snapshot()); err != nil {
					t.Errorf("-replace changed the sandbox: %v", err)
				}
				expectInState(t, w, "guayaba_session.x", true)
				if out, err := w.run(nil, "plan", "-detailed-exitcode", "-no-color"); err != nil {
					t.Errorf("the plan after the refused replacement is not empty: %v\n%s", err, out)
				}

				// A key change to a session that is not active: refused too.
				w.write("main.tf", x("agent:main:telegram:direct:nobody", true))
				out, err = w.run(nil, "plan", "-no-color")
				if err == nil {
					t.Fatalf("a replacement adopting a missing key was planned:\n%s", out)
				}
				expectSays(t, "a key change to a missing key", out, "Cannot replace: agent", "no active session")

				// A key change to an active session: allowed, and the plan
				// says what becomes of the archive.
				w.write("main.tf", x(apiKey, false))
				out = w.must("plan", "-no-color")
				if mode == "delete" {
					expectSays(t, "plan", out, `Replacement deletes session "`+groupKey+`" permanently`, "archive "+archives[0].Filename)
				} else {
					expectSays(t, "plan", out, `Archive of session "`+groupKey+`" leaves Terraform's management`,
						testAgentID+"/"+groupKey+"@"+archives[0].Filename)
				}
				before = env.snapshot()
				w.must(applyArgs...)
				want := cloneState(before)
				if mode == "delete" {
					want, _ = withoutArchivesOf(want, testAgentID, groupKey)
				}
				if err := expectRelabelled(apiKey, new("Old"))(want, env.snapshot()); err != nil {
					t.Errorf("after the replacement: %v", err)
				}
			})
		})
	}
}

// Case 3: restoring with no label while another active session holds the
// archive's old label ends active with no label, and the other session
// keeps it; clearing the label while archived does the same and stays
// archived.
func TestAccSessionSafety_restoreWithoutHeldLabel(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		env.session(testAgentID, apiKey, nil)
		x := func(label *string, archived bool) string {
			return env.config(sessionBlock{key: groupKey, label: label, archived: archived})
		}
		var before sandbox.State
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: x(new("Main"), true)},
				{
					// Clear the label while archived, another session holding
					// it (archives do not hold labels): the archive ends with
					// no label.
					PreConfig: func() {
						must(t, env.sb.Rename(testAgentID, apiKey, new("Main")))
						before = env.snapshot()
					},
					Config: x(nil, true),
					Check:  env.expectChange(&before, expectRearchived(testAgentID, groupKey, nil)),
				},
				{
					// Label the archive "Main" again (the other session gives
					// it up for a moment)...
					PreConfig: func() { must(t, env.sb.Rename(testAgentID, apiKey, nil)) },
					Config:    x(new("Main"), true),
				},
				{
					// ...then restore with no label while "Main" is held.
					PreConfig: func() {
						must(t, env.sb.Rename(testAgentID, apiKey, new("Main")))
						before = env.snapshot()
					},
					Config: x(nil, false),
					Check: resource.ComposeTestCheckFunc(
						env.expectChange(&before, expectRestored(testAgentID, groupKey, nil)),
						env.expectLabel(testAgentID, groupKey, nil),
						env.expectLabel(testAgentID, apiKey, new("Main")),
					),
				},
			},
		})
		expectNoDeletes(t, env)
	})
}

// Case 4: a resource tracking an archive whose archive is deleted outside
// Terraform leaves the state, even when a new conversation has started
// under the same key; destroy never touches that conversation.
func TestAccSessionSafety_goneArchiveNotFollowed(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Managed"))
		x := func(label string) string {
			return env.config(sessionBlock{key: groupKey, label: new(label), archived: true, onDestroy: "delete"})
		}
		var before sandbox.State
		var stranger sandbox.Session
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: x("Managed")},
				// An in-place update first: its plan records the object in
				// private state, which must not outlive the apply (a later
				// create would take it for a replacement).
				{Config: x("Managed again")},
				{
					// The archive is deleted outside Terraform and a new
					// conversation starts under the key: adopting the key
					// again is a visible create, planned like any other.
					PreConfig: func() {
						archives := env.sb.Archives(testAgentID)
						if len(archives) != 1 {
							t.Fatalf("want 1 archive, got %d", len(archives))
						}
						must(t, env.sb.DeleteArchive(testAgentID, archives[0].Filename))
						stranger = env.session(testAgentID, groupKey, new("Someone else"))
						before = env.snapshot()
					},
					Config:             x("Managed again"),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("guayaba_session.x", plancheck.ResourceActionCreate),
					}},
				},
				{
					// A refresh drops the resource from state.
					RefreshState:       true,
					ExpectNonEmptyPlan: true,
					Check: func(st *terraform.State) error {
						if _, ok := st.RootModule().Resources["guayaba_session.x"]; ok {
							return fmt.Errorf("guayaba_session.x is still in state after a refresh")
						}
						return nil
					},
				},
			},
			// The destroy that follows changes nothing either.
			CheckDestroy: func(*terraform.State) error {
				if err := diffErr(before, env.snapshot()); err != nil {
					return fmt.Errorf("refresh and destroy changed the sandbox: %w", err)
				}
				if s, ok := env.sb.Session(testAgentID, groupKey); !ok || s.SessionID != stranger.SessionID {
					return fmt.Errorf("the unmanaged conversation under %q is gone", groupKey)
				}
				return nil
			},
		})
		if c := env.sb.Counters(); c.ByRoute[sandbox.RouteSessionsDelete] != 0 {
			t.Errorf("destroy of a resource whose archive is gone deleted a session: %v", c.ByRoute)
		}
	})
}

// Case 5: errors say what happened and what to do.
func TestAccSessionSafety_errorsTellTheTruth(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, nil)
		x := func(label string, archived bool) string {
			return env.provider("max_retries = 1") + sessionBlock{key: groupKey, label: new(label), archived: archived}.String()
		}
		w := safetyWorkdir(t, x("A", false))
		notConfirmed := []string{"not confirmed", "apply again"}

		// A non-JSON 200 answer during a plain plan: a wrong base_url.
		planBefore := env.snapshot()
		env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsList, Status: 200,
			Body: "<html><body>Welcome to the proxy</body></html>", Count: 4})
		out, err := w.run(nil, "plan", "-no-color")
		if err == nil {
			t.Fatalf("plan succeeded on an HTML listing:\n%s", out)
		}
		expectSays(t, "plan on an HTML 200", out, "not the expected JSON", "base_url", "/api/v1", "Nothing was changed")
		expectNotSays(t, "plan on an HTML 200", out, notConfirmed...)
		env.sb.ClearFaults()
		if err := diffErr(planBefore, env.snapshot()); err != nil {
			t.Errorf("plan on an HTML 200 changed the sandbox: %v", err)
		}

		// 409, 500 and 502 after retries: an explanation and a next step.
		for _, c := range []struct {
			status int
			says   []string
		}{
			{409, []string{"409 Conflict", "Run terraform plan to see the current state"}},
			{500, []string{"the platform failed (HTTP 500)", "a fault on its side", "contact Guayaba support"}},
			{502, []string{"could not reach the agent (502 Bad Gateway)", "running and healthy", "apply again"}},
		} {
			w.write("main.tf", x(fmt.Sprintf("B%d", c.status), false))
			before := env.snapshot()
			env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Status: c.status, Count: 2})
			out, err := w.run(nil, applyArgs...)
			if err == nil {
				t.Fatalf("%d: apply succeeded:\n%s", c.status, out)
			}
			expectSays(t, fmt.Sprint(c.status), out, c.says...)
			expectNotSays(t, fmt.Sprint(c.status), out, "Error: Cannot set the label of session \""+groupKey+"\": API error")
			if err := diffErr(before, env.snapshot()); err != nil {
				t.Errorf("%d: %v", c.status, err)
			}
			env.sb.ClearFaults()
		}

		// A restore refused before any request, because another
		// conversation holds the key: applying again cannot help.
		w.write("main.tf", x("A", true))
		w.must(applyArgs...)
		stranger := env.session(testAgentID, groupKey, nil)
		w.write("main.tf", x("A", false))
		before := env.snapshot()
		c0 := env.sb.Counters().ByRoute[sandbox.RouteArchivesRestore]
		out, err = w.run(nil, applyArgs...)
		if err == nil {
			t.Fatalf("a restore over another conversation succeeded:\n%s", out)
		}
		expectSays(t, "restore over another conversation", out, "another active session", stranger.SessionID,
			"archive or delete")
		expectNotSays(t, "restore over another conversation", out, notConfirmed...)
		if err := diffErr(before, env.snapshot()); err != nil {
			t.Errorf("the refused restore changed the sandbox: %v", err)
		}
		if n := env.sb.Counters().ByRoute[sandbox.RouteArchivesRestore] - c0; n != 0 {
			t.Errorf("the refused restore made %d restore requests", n)
		}
		expectNoDeletes(t, env)
	})
}

// Case 6: labels the platform would trim (Laravel also strips U+200B, U+FEFF
// and U+200E) are refused at plan time, naming the attribute, without an
// API call.
func TestAccSessionSafety_invisibleLabelCharacters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	label := func(l string) string { return env.config(sessionBlock{key: groupKey, label: &l}) }
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"zero-width space":      {label("\u200bSupport"), `(?s)Invalid label.*label.*U\+200B \(zero-width space\) at the start.*Remove them: "Support"`},
		"byte order mark":       {label("Support\ufeff"), `(?s)Invalid label.*U\+FEFF \(zero-width no-break space\) at the end`},
		"left-to-right mark":    {label("\u200eSupport"), `(?s)Invalid label.*U\+200E \(left-to-right mark\) at the start`},
		"only invisible":        {label("\u200b\ufeff"), `(?s)Invalid label.*only white space or invisible characters.*leave .label. out`},
		"no-break space at end": {label("Support\u00a0"), `(?s)Invalid label.*U\+00A0 \(white space\) at the end`},
	})
}

// Case 7: a deleted agent does not block the destroy of on_destroy = "keep"
// resources (no API call is needed); for the others the error says how to
// get out, and terraform state rm with the block removed does.
func TestAccSessionSafety_deletedAgent(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Kept"))
		env.session(testAgentID, apiKey, new("Doomed"))
		w := safetyWorkdir(t, env.config(
			sessionBlock{name: "keep", key: groupKey, label: new("Kept")},
			sessionBlock{name: "del", key: apiKey, label: new("Doomed"), onDestroy: "delete"}))
		agentGone := `{"error":"Not Found","message":"Agent not found"}`
		for _, r := range sandbox.Routes() {
			env.sb.InjectFault(sandbox.Fault{Route: r, Status: 404, Body: agentGone, Count: 1000})
		}
		before := env.snapshot()
		c0 := env.sb.Counters()

		out, err := w.run(nil, "destroy", "-auto-approve", "-no-color")
		if err == nil {
			t.Fatalf("destroy with on_destroy = \"delete\" on a deleted agent succeeded:\n%s", out)
		}
		expectSays(t, "destroy on a deleted agent", out, "agent not found", "terraform state rm", "removed",
			`Agent `+testAgentID+` not found: session "`+groupKey+`" was not refreshed`)
		w.must("state", "rm", "guayaba_session.del")
		// Still in the configuration, del is planned for creation by the plan
		// that terraform destroy makes first, and adopting it is checked at
		// plan time: the error says how to destroy anyway.
		out, err = w.run(nil, "destroy", "-auto-approve", "-no-color")
		if err == nil {
			t.Fatalf("destroy with guayaba_session.del still configured on a deleted agent succeeded:\n%s", out)
		}
		expectSays(t, "destroy with del still configured", out, `Cannot adopt session "`+apiKey+`": agent not found`,
			"remove this resource from the configuration, or run terraform destroy -refresh=false")
		w.write("main.tf", env.config(sessionBlock{name: "keep", key: groupKey, label: new("Kept")}))
		out = w.must("destroy", "-auto-approve", "-no-color")
		expectSays(t, "destroy of the keep resource", out, "Destroy complete! Resources: 1 destroyed")
		expectInState(t, w, "guayaba_session.keep", false)

		env.sb.ClearFaults()
		if err := diffErr(before, env.snapshot()); err != nil {
			t.Errorf("destroy on a deleted agent changed the sandbox: %v", err)
		}
		c := env.sb.Counters()
		for _, r := range []string{sandbox.RouteSessionsRename, sandbox.RouteSessionsArchive, sandbox.RouteSessionsDelete,
			sandbox.RouteArchivesRestore, sandbox.RouteArchivesDelete} {
			if n := c.ByRoute[r] - c0.ByRoute[r]; n != 0 {
				t.Errorf("%s called %d times on a deleted agent", r, n)
			}
		}
	})
}
