package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

var (
	t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	t1 = time.Date(2026, 11, 25, 18, 0, 0, 123_000_000, time.UTC)
	t2 = time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
)

const (
	sidA = "11111111-1111-4111-8111-111111111111"
	sidB = "22222222-2222-4222-8222-222222222222"
	sidC = "33333333-3333-4333-8333-333333333333"
	sidD = "44444444-4444-4444-8444-444444444444"
	sidE = "55555555-5555-4555-8555-555555555555"
)

// seedData gives the agent three active sessions and two archives with
// known values.
func seedData(t *testing.T, env *testEnv) {
	t.Helper()
	add := func(spec sandbox.SessionSpec) {
		if _, err := env.sb.AddSession(testAgentID, spec); err != nil {
			t.Fatal(err)
		}
	}
	add(sandbox.SessionSpec{Key: "agent:main:telegram:group:-100200:topic:7", SessionID: sidA, SessionFile: "/sessions/a.jsonl",
		Label: ptr("Ventas"), ChatType: "group", LastChannel: "telegram", UpdatedAt: t1,
		Origin: map[string]any{"provider": "telegram", "chatType": "group", "from": map[string]any{"id": "tg:1", "names": []any{"Ana", "Bea"}}, "threadId": 7.0},
		Messages: []sandbox.Message{
			msgAt(sandbox.TextMessage("user", "¿Precio?"), "m1", t0),
			msgAt(sandbox.BlocksMessage("assistant", sandbox.ThinkingBlock("calcular"), sandbox.TextBlock("10 €"),
				sandbox.ToolCallBlock("c1", "quote", map[string]any{"sku": "x"}), sandbox.TextBlock("sin IVA")), "m2", t1),
			msgAt(sandbox.TextMessage("user", "gracias"), "m3", t2),
		}})
	add(sandbox.SessionSpec{Key: "agent:main:webchat:direct:bea", SessionID: sidB, SessionFile: "/sessions/b.jsonl",
		ChatType: "direct", LastChannel: "webchat", UpdatedAt: t0, Origin: map[string]any{}})
	add(sandbox.SessionSpec{Key: "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", SessionID: sidC, SessionFile: "/sessions/c.jsonl",
		Label: ptr("API"), ChatType: "direct", LastChannel: "api", UpdatedAt: t2, Origin: map[string]any{"surface": "api"}})
	for _, a := range []sandbox.ArchiveSpec{
		{Key: "agent:main:telegram:direct:9", SessionID: sidD, Label: ptr("Viejo"), ArchivedAt: t2},
		{Key: "agent:main:telegram:direct:8", SessionID: sidE, ArchivedAt: t0},
	} {
		if _, err := env.sb.AddArchive(testAgentID, a); err != nil {
			t.Fatal(err)
		}
	}
}

func msgAt(m sandbox.Message, id string, at time.Time) sandbox.Message {
	m.ID, m.Timestamp = id, at.UnixMilli()
	return m
}

// Every attribute of guayaba_sessions, guayaba_session and guayaba_archives
// against the seeded values.
func TestAccDataSources_attributes(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_sessions" "all" {}
data "guayaba_session" "one" { key = "agent:main:telegram:group:-100200:topic:7" }
data "guayaba_session" "nolabel" { key = "agent:main:webchat:direct:bea" }
data "guayaba_archives" "all" {}
output "origin" { value = jsondecode(data.guayaba_session.one.origin_json) }
output "recent" {
  value = [for s in data.guayaba_sessions.all.sessions : s.key if timecmp(s.updated_at, "2026-11-25T00:00:00Z") > 0]
}
`
		sessionA := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":          knownvalue.StringExact("agent:main:telegram:group:-100200:topic:7"),
			"session_id":   knownvalue.StringExact(sidA),
			"session_file": knownvalue.StringExact("/sessions/a.jsonl"),
			"label":        knownvalue.StringExact("Ventas"),
			"updated_at":   knownvalue.StringExact("2026-11-25T18:00:00.123Z"),
			"chat_type":    knownvalue.StringExact("group"),
			"last_channel": knownvalue.StringExact("telegram"),
			"origin_json":  knownvalue.NotNull(),
		})
		sessionB := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":          knownvalue.StringExact("agent:main:webchat:direct:bea"),
			"session_id":   knownvalue.StringExact(sidB),
			"session_file": knownvalue.StringExact("/sessions/b.jsonl"),
			"label":        knownvalue.Null(),
			"updated_at":   knownvalue.StringExact("2026-11-20T09:30:00Z"),
			"chat_type":    knownvalue.StringExact("direct"),
			"last_channel": knownvalue.StringExact("webchat"),
			"origin_json":  knownvalue.StringExact("{}"),
		})
		sessionC := knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"key":        knownvalue.StringExact("api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"),
			"updated_at": knownvalue.StringExact("2026-11-28T17:00:00Z"),
			"label":      knownvalue.StringExact("API"),
		})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", tfjsonpath.New("sessions"), knownvalue.ListExact([]knownvalue.Check{sessionA, sessionB, sessionC})),
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", tfjsonpath.New("keys"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("agent:main:telegram:group:-100200:topic:7"),
						knownvalue.StringExact("agent:main:webchat:direct:bea"),
						knownvalue.StringExact("api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"),
					})),
					statecheck.ExpectKnownValue("data.guayaba_sessions.all", tfjsonpath.New("agent_id"), knownvalue.StringExact(testAgentID)),
					statecheck.ExpectKnownValue("data.guayaba_session.one", tfjsonpath.New("session_id"), knownvalue.StringExact(sidA)),
					statecheck.ExpectKnownValue("data.guayaba_session.one", tfjsonpath.New("updated_at"), knownvalue.StringExact("2026-11-25T18:00:00.123Z")),
					statecheck.ExpectKnownValue("data.guayaba_session.nolabel", tfjsonpath.New("label"), knownvalue.Null()),
					statecheck.ExpectKnownOutputValue("origin", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"provider": knownvalue.StringExact("telegram"),
						"chatType": knownvalue.StringExact("group"),
						"threadId": knownvalue.Int64Exact(7),
						"from": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":    knownvalue.StringExact("tg:1"),
							"names": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Ana"), knownvalue.StringExact("Bea")}),
						}),
					})),
					statecheck.ExpectKnownOutputValue("recent", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("agent:main:telegram:group:-100200:topic:7"),
						knownvalue.StringExact("api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"),
					})),
					statecheck.ExpectKnownValue("data.guayaba_archives.all", tfjsonpath.New("archives"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"filename":    knownvalue.StringExact(sidE + ".jsonl.deleted.2026-11-20T09-30-00.000Z"),
							"label":       knownvalue.Null(),
							"archived_at": knownvalue.StringExact("2026-11-20T09:30:00Z"),
							"session_id":  knownvalue.StringExact(sidE),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"filename":    knownvalue.StringExact(sidD + ".jsonl.deleted.2026-11-28T17-00-00.000Z"),
							"label":       knownvalue.StringExact("Viejo"),
							"archived_at": knownvalue.StringExact("2026-11-28T17:00:00Z"),
							"session_id":  knownvalue.StringExact(sidD),
						}),
					})),
				},
			}},
		})
	})
}

// Filters alone and combined; no match gives empty lists, not null.
func TestAccDataSources_filters(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		sessions := map[string]struct {
			args string
			want []string
		}{
			"prefix":        {`key_prefix = "agent:main:"`, []string{"agent:main:telegram:group:-100200:topic:7", "agent:main:webchat:direct:bea"}},
			"label":         {`label = "API"`, []string{"api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"chat_type":     {`chat_type = "direct"`, []string{"agent:main:webchat:direct:bea", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"last_channel":  {`last_channel = "telegram"`, []string{"agent:main:telegram:group:-100200:topic:7"}},
			"after":         {`updated_after = "2026-11-25T18:00:00Z"`, []string{"agent:main:telegram:group:-100200:topic:7", "api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"before":        {`updated_before = "2026-11-25T18:00:00Z"`, []string{"agent:main:webchat:direct:bea"}},
			"combined":      {"chat_type = \"direct\"\n key_prefix = \"api:\"\n updated_after = \"2026-11-21T00:00:00+01:00\"", []string{"api:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"}},
			"nothing":       {`label = "nobody has this"`, []string{}},
			"nothing mixed": {"chat_type = \"channel\"\n key_prefix = \"agent:\"", []string{}},
		}
		archives := map[string]struct {
			args string
			want []string
		}{
			"session_id": {`session_id = "` + sidD + `"`, []string{sidD}},
			"label":      {`label = "Viejo"`, []string{sidD}},
			"after":      {`archived_after = "2026-11-21T00:00:00Z"`, []string{sidD}},
			"before":     {`archived_before = "2026-11-21T00:00:00Z"`, []string{sidE}},
			"combined":   {"label = \"Viejo\"\n archived_before = \"2026-11-21T00:00:00Z\"", []string{}},
		}
		var b strings.Builder
		b.WriteString(env.provider())
		var checks []statecheck.StateCheck
		i := 0
		for _, c := range sessions {
			i++
			name := fmt.Sprintf("s%d", i)
			fmt.Fprintf(&b, "data \"guayaba_sessions\" %q {\n %s\n}\n", name, c.args)
			want := []knownvalue.Check{}
			for _, k := range c.want {
				want = append(want, knownvalue.StringExact(k))
			}
			checks = append(checks,
				statecheck.ExpectKnownValue("data.guayaba_sessions."+name, tfjsonpath.New("keys"), knownvalue.ListExact(want)),
				statecheck.ExpectKnownValue("data.guayaba_sessions."+name, tfjsonpath.New("sessions"), knownvalue.ListSizeExact(len(c.want))))
		}
		for _, c := range archives {
			i++
			name := fmt.Sprintf("a%d", i)
			fmt.Fprintf(&b, "data \"guayaba_archives\" %q {\n %s\n}\noutput %q { value = [for a in data.guayaba_archives.%s.archives : a.session_id] }\n",
				name, c.args, name, name)
			want := []knownvalue.Check{}
			for _, k := range c.want {
				want = append(want, knownvalue.StringExact(k))
			}
			checks = append(checks, statecheck.ExpectKnownOutputValue(name, knownvalue.ListExact(want)))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps:                    []resource.TestStep{{Config: b.String(), ConfigStateChecks: checks}},
		})
		if c := env.sb.Counters(); c.ByRoute["sessions.list"] == 0 {
			t.Error("no listing was made")
		}
	})
}

// Invalid filter values fail at plan time, naming the attribute, without an API call.
func TestAccDataSources_invalidInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	cases := map[string]struct{ cfg, want string }{
		"updated_after":   {`data "guayaba_sessions" "x" { updated_after = "yesterday" }`, `(?s)Invalid timestamp.*updated_after.*not an RFC 3339`},
		"updated_before":  {`data "guayaba_sessions" "x" { updated_before = "2026-11-28 17:00" }`, `(?s)Invalid timestamp.*updated_before`},
		"archived_after":  {`data "guayaba_archives" "x" { archived_after = "1732813200" }`, `(?s)Invalid timestamp.*archived_after`},
		"archived_before": {`data "guayaba_archives" "x" { archived_before = "soon" }`, `(?s)Invalid timestamp.*archived_before`},
		"chat_type":       {`data "guayaba_sessions" "x" { chat_type = "dm" }`, `(?s)chat_type.*value must be one of`},
		"limit 0":         {"data \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 0\n}", `(?s)limit.*between 1 and 1000`},
		"limit 1001":      {"data \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 1001\n}", `(?s)limit.*between 1 and 1000`},
		"ephemeral limit": {"ephemeral \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 5000\n}", `(?s)limit.*between 1 and 1000`},
		"history key":     {`data "guayaba_session_history" "x" { key = "" }`, `(?s)Invalid session key`},
		"session key":     {`data "guayaba_session" "x" { key = " k" }`, `(?s)Invalid session key.*white space`},
		"agent_id":        {`data "guayaba_archives" "x" { agent_id = "agent-1" }`, `(?s)Invalid agent_id.*not a UUID`},
	}
	// The cases that need a CLI feature newer than Terraform 1.5.
	needs := map[string]cliFeature{"ephemeral limit": ephemeralResources}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var checks []tfversion.TerraformVersionCheck
			if f, ok := needs[name]; ok {
				checks = append(checks, f)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories,
				TerraformVersionChecks:   checks,
				Steps:                    []resource.TestStep{{Config: env.provider() + c.cfg, PlanOnly: true, ExpectError: words(c.want)}},
			})
		})
	}
}

// The same remote state gives byte-identical results, even when the
// platform lists in another order each time.
func TestAccDataSources_deterministic(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_sessions" "all" {}
data "guayaba_archives" "all" {}
resource "terraform_data" "snapshot" {
  input = jsonencode([data.guayaba_sessions.all, data.guayaba_archives.all])
}
`
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
	})
}

// History: text from strings and blocks, content exactly as sent, the last N
// oldest first, and an unknown key refused in both platform variants.
func TestAccSessionHistory_dataSource(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		cfg := env.provider() + `
data "guayaba_session_history" "all" { key = "agent:main:telegram:group:-100200:topic:7" }
data "guayaba_session_history" "last2" {
  key   = "agent:main:telegram:group:-100200:topic:7"
  limit = 2
}
output "blocks" { value = jsondecode(data.guayaba_session_history.all.messages[1].content_json) }
`
		msg := func(id, role, text, content, ts string) knownvalue.Check {
			return knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.StringExact(id), "role": knownvalue.StringExact(role), "text": knownvalue.StringExact(text),
				"content_json": knownvalue.StringExact(content), "timestamp": knownvalue.StringExact(ts),
			})
		}
		m1 := msg("m1", "user", "¿Precio?", `"¿Precio?"`, "2026-11-20T09:30:00Z")
		m2 := msg("m2", "assistant", "10 €\nsin IVA",
			`[{"thinking":"calcular","type":"thinking"},{"text":"10 €","type":"text"},{"arguments":{"sku":"x"},"id":"c1","name":"quote","type":"toolCall"},{"text":"sin IVA","type":"text"}]`,
			"2026-11-25T18:00:00.123Z")
		m3 := msg("m3", "user", "gracias", `"gracias"`, "2026-11-28T17:00:00Z")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.guayaba_session_history.all", tfjsonpath.New("messages"), knownvalue.ListExact([]knownvalue.Check{m1, m2, m3})),
						statecheck.ExpectKnownValue("data.guayaba_session_history.all", tfjsonpath.New("limit"), knownvalue.Int64Exact(100)),
						statecheck.ExpectKnownValue("data.guayaba_session_history.last2", tfjsonpath.New("messages"), knownvalue.ListExact([]knownvalue.Check{m2, m3})),
						statecheck.ExpectKnownOutputValueAtPath("blocks", tfjsonpath.New(2).AtMapKey("type"), knownvalue.StringExact("toolCall")),
						statecheck.ExpectKnownOutputValueAtPath("blocks", tfjsonpath.New(0).AtMapKey("thinking"), knownvalue.StringExact("calcular")),
					},
				},
				{
					Config:      env.provider() + `data "guayaba_session_history" "x" { key = "agent:main:telegram:direct:nobody" }`,
					ExpectError: words(`(?s)Session not found.*no active session with key`),
				},
			},
		})
	})
}

// The ephemeral reader gives the same messages (seen through the echo
// provider) and leaves no message text in the state file.
func TestAccSessionHistory_ephemeral(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		factories := map[string]func() (tfprotov6.ProviderServer, error){
			"guayaba": providerFactories["guayaba"],
			"echo":    echoprovider.NewProviderServer(),
		}
		echoCfg := env.provider() + `
ephemeral "guayaba_session_history" "h" {
  key   = "agent:main:telegram:group:-100200:topic:7"
  limit = 2
}
provider "echo" { data = [for m in ephemeral.guayaba_session_history.h.messages : m.text] }
resource "echo" "seen" {}
`
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{ephemeralResources},
			Steps: []resource.TestStep{
				{
					Config: echoCfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("10 €\nsin IVA"), knownvalue.StringExact("gracias"),
						})),
					},
				},
				{
					Config:      env.provider() + `ephemeral "guayaba_session_history" "x" { key = "agent:main:telegram:direct:nobody" }`,
					ExpectError: words(`(?s)Session not found`),
				},
			},
		})
	})
}
