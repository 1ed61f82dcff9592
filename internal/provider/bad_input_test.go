package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The bad-input table: every argument of the provider, the
// resource, the data sources and the ephemeral resource, each given empty,
// too long, in the wrong format, outside its enum, or unknown at plan time
// (from a terraform_data not yet created). Each either fails at plan time
// with an error naming the attribute, or is accepted, and the table says so.
// The same table is rendered into templates/guides/bad-inputs.md.tmpl;
// TestBadInput_docsInSync keeps the two equal (GUAYABA_UPDATE_DOCS=1
// rewrites the guide).

// unknownSrc is a value that is only known after apply.
const unknownSrc = "terraform_data.u.output"

type badInput struct {
	block string // "provider", "resource guayaba_session", ...
	arg   string
	kind  string // empty, too long, wrong format, wrong enum, unknown
	input string // as shown in the docs

	provider []string // provider attributes replacing the defaults
	hcl      string   // the rest of the configuration
	unknown  string   // terraform_data.u input, when the case uses unknownSrc
	cmd      string   // "plan" (default) or "apply"
	want     []string // texts the output must contain; nil: the command succeeds
	sees     string   // the docs' "what the user sees"
	when     string   // the docs' "when"

	coveredBy string // an existing test that already runs this case
}

const (
	whenPlan      = "plan (validation)"
	whenConfigure = "plan (provider configuration)"
	whenPlanRead  = "plan (first API call)"
	whenApply     = "apply"
	whenAccepted  = "accepted"
)

func badInputs() []badInput {
	longHex := strings.Repeat("0123456789abcdef", 300)
	long := strings.Repeat("x", 5000)
	uuidLong := testAgentID + strings.Repeat("0", 300)
	ds := func(typ string, lines ...string) string { return hclBlock(fmt.Sprintf("data %q \"x\"", typ), lines...) }
	eph := func(lines ...string) string { return hclBlock(`ephemeral "guayaba_session_history" "x"`, lines...) }
	res := func(line string) string { return sessionBlock{key: groupKey, extra: []string{line}}.String() }
	sessions := ds("guayaba_sessions")
	invalidAgent := []string{"Invalid agent_id", "not a UUID"}
	list := []badInput{
		// ---- provider ----
		{block: "provider", arg: "api_key", kind: "empty", input: `""`, provider: []string{`api_key = ""`}, hcl: sessions,
			want: []string{"Missing API key", "api_key", "GUAYABA_API_KEY"}, when: whenConfigure,
			sees: "`Missing API key`, naming `api_key` and `GUAYABA_API_KEY`"},
		{block: "provider", arg: "api_key", kind: "wrong format", input: `"my-secret"`, provider: []string{`api_key = "my-secret"`}, hcl: sessions,
			want: []string{"Unexpected API key format", "the API key was refused", "api_key"}, when: whenPlanRead,
			sees: "warning `Unexpected API key format`, then the platform's 401 as `the API key was refused`, saying to set a valid key in `api_key` or `GUAYABA_API_KEY`"},
		{block: "provider", arg: "api_key", kind: "too long", input: "`g_master_` + 4800 hex", provider: []string{`api_key = "g_master_` + longHex + `"`}, hcl: sessions,
			want: []string{"the API key was refused"}, when: whenPlanRead,
			sees: "accepted by the provider; the platform's 401 as `the API key was refused`"},
		{block: "provider", arg: "api_key", kind: "unknown", input: unknownSrc, provider: []string{"api_key = " + unknownSrc}, hcl: sessions, unknown: "k",
			want: []string{"Unknown value for api_key", "GUAYABA_API_KEY"}, when: whenConfigure,
			sees: "`Unknown value for api_key`: set it to a value known at plan time or use `GUAYABA_API_KEY`"},
		{block: "provider", arg: "base_url", kind: "empty", input: `""`, provider: []string{`base_url = ""`}, hcl: sessions,
			want: []string{"Invalid base_url", "base_url is empty"}, when: whenPlan, sees: "`Invalid base_url`: base_url is empty; use the API root"},
		{block: "provider", arg: "base_url", kind: "wrong format", input: `"api.guayaba.run/api/v1"`, provider: []string{`base_url = "api.guayaba.run/api/v1"`}, hcl: sessions,
			want: []string{"Invalid base_url", "not an absolute URL"}, when: whenPlan, sees: "`Invalid base_url`: not an absolute URL"},
		{block: "provider", arg: "base_url", kind: "wrong format", input: `"http://api.guayaba.run/api/v1"`, provider: []string{`base_url = "http://api.guayaba.run/api/v1"`}, hcl: sessions,
			want: []string{"Invalid base_url", "unencrypted", "use https://"}, when: whenPlan,
			sees: "`Invalid base_url`: http:// would send the key unencrypted; use https:// (http:// only for loopback hosts)"},
		{block: "provider", arg: "base_url", kind: "wrong enum", input: `"ftp://api.guayaba.run/api/v1"`, provider: []string{`base_url = "ftp://api.guayaba.run/api/v1"`}, hcl: sessions,
			want: []string{"Invalid base_url", `scheme "ftp"`}, when: whenPlan, sees: "`Invalid base_url`: has scheme \"ftp\"; use https://"},
		{block: "provider", arg: "base_url", kind: "wrong format", input: `"https://user:pw@api.guayaba.run/api/v1"`, provider: []string{`base_url = "https://user:pw@api.guayaba.run/api/v1"`}, hcl: sessions,
			want: []string{"Invalid base_url", "must not contain credentials"}, when: whenPlan,
			sees: "`Invalid base_url`: must not contain credentials (the password is not echoed)"},
		{block: "provider", arg: "base_url", kind: "too long", input: "the API root + `/` + 5000 characters", provider: []string{"base_url = SANDBOX/" + long}, hcl: sessions,
			want: []string{"the API does not know this URL", "Check `base_url`", "ending in /api/v1"}, when: whenPlanRead,
			sees: "accepted (a valid URL); the platform's 404 for an unknown route, as `the API does not know this URL`: check `base_url`, the API root ending in /api/v1"},
		{block: "provider", arg: "base_url", kind: "unknown", input: unknownSrc, provider: []string{"base_url = " + unknownSrc}, hcl: sessions, unknown: "https://x",
			want: []string{"Unknown value for base_url"}, when: whenConfigure, sees: "`Unknown value for base_url`"},
		{block: "provider", arg: "agent_id", kind: "empty", input: `""`, provider: []string{`agent_id = ""`}, hcl: sessions,
			want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`: \"\" is not a UUID"},
		{block: "provider", arg: "agent_id", kind: "wrong format", input: `"my-agent"`, provider: []string{`agent_id = "my-agent"`}, hcl: sessions,
			want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`: not a UUID; copy it from the dashboard"},
		{block: "provider", arg: "agent_id", kind: "too long", input: "a UUID + 300 characters", provider: []string{`agent_id = "` + uuidLong + `"`}, hcl: sessions,
			want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`: not a UUID"},
		{block: "provider", arg: "agent_id", kind: "wrong enum", input: "a UUID of no agent of the key's account", provider: []string{`agent_id = "00000000-0000-4000-8000-000000000000"`}, hcl: sessions,
			want: []string{"agent not found", "Check `agent_id`"}, when: whenPlanRead, sees: "the platform's 404 as `agent not found`: check `agent_id`"},
		{block: "provider", arg: "agent_id", kind: "unknown", input: unknownSrc, provider: []string{"agent_id = " + unknownSrc}, hcl: sessions, unknown: testAgentID,
			want: []string{"Unknown value for agent_id", "GUAYABA_AGENT_ID"}, when: whenConfigure, sees: "`Unknown value for agent_id`"},
		{block: "provider", arg: "max_retries", kind: "wrong format", input: `"five"`, provider: []string{`max_retries = "five"`}, hcl: sessions,
			want: []string{"max_retries", "a number is required"}, when: whenPlan, sees: "Terraform's `Incorrect attribute value type`: a number is required"},
		{block: "provider", arg: "max_retries", kind: "wrong enum", input: "-1", provider: []string{"max_retries = -1"}, hcl: sessions,
			want: []string{"max_retries", "between 0 and 20"}, when: whenPlan, sees: "`Invalid Attribute Value`: max_retries must be between 0 and 20"},
		{block: "provider", arg: "max_retries", kind: "too long", input: "1000", provider: []string{"max_retries = 1000"}, hcl: sessions,
			want: []string{"max_retries", "between 0 and 20"}, when: whenPlan, sees: "`Invalid Attribute Value`: max_retries must be between 0 and 20"},
		{block: "provider", arg: "max_retries", kind: "unknown", input: unknownSrc, provider: []string{"max_retries = " + unknownSrc}, hcl: sessions, unknown: "3",
			want: []string{"Unknown value for max_retries"}, when: whenConfigure, sees: "`Unknown value for max_retries`"},
		{block: "provider", arg: "request_timeout", kind: "empty", input: `""`, provider: []string{`request_timeout = ""`}, hcl: sessions,
			want: []string{"Invalid request_timeout", "not a positive Go duration"}, when: whenPlan, sees: "`Invalid request_timeout`: not a positive Go duration, such as \"30s\""},
		{block: "provider", arg: "request_timeout", kind: "wrong format", input: `"30"`, provider: []string{`request_timeout = "30"`}, hcl: sessions,
			want: []string{"Invalid request_timeout", "not a positive Go duration"}, when: whenPlan, sees: "`Invalid request_timeout` (a unit is required)"},
		{block: "provider", arg: "request_timeout", kind: "wrong enum", input: `"-5s"` + " / " + `"0s"`, provider: []string{`request_timeout = "-5s"`}, hcl: sessions,
			want: []string{"Invalid request_timeout", "not a positive Go duration"}, when: whenPlan, sees: "`Invalid request_timeout`: must be positive"},
		{block: "provider", arg: "request_timeout", kind: "too long", input: `"1000h"`, provider: []string{`request_timeout = "1000h"`}, hcl: sessions,
			when: whenAccepted, sees: "accepted: each attempt may then wait that long"},
		{block: "provider", arg: "request_timeout", kind: "unknown", input: unknownSrc, provider: []string{"request_timeout = " + unknownSrc}, hcl: sessions, unknown: "5s",
			want: []string{"Unknown value for request_timeout"}, when: whenConfigure, sees: "`Unknown value for request_timeout`"},

		// ---- resource guayaba_session ----
		{block: "resource guayaba_session", arg: "agent_id", kind: "empty", input: `""`, hcl: res(`agent_id = ""`),
			want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{block: "resource guayaba_session", arg: "agent_id", kind: "wrong format", input: `"my-agent"`,
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid agent_id`: not a UUID"},
		{block: "resource guayaba_session", arg: "agent_id", kind: "too long", input: "a UUID + 300 characters", hcl: res(`agent_id = "` + uuidLong + `"`),
			want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{block: "resource guayaba_session", arg: "agent_id", kind: "wrong enum", input: "a UUID of no agent of the key's account",
			coveredBy: "TestAccSessionPlan_adoptionErrors", when: whenPlanRead, sees: "`agent not found`: check `agent_id`"},
		{block: "resource guayaba_session", arg: "agent_id", kind: "unknown", input: unknownSrc, hcl: res("agent_id = " + unknownSrc), unknown: testAgentID,
			cmd: "apply", when: whenAccepted, sees: "accepted: planned as known after apply, used once known"},
		{block: "resource guayaba_session", arg: "key", kind: "empty", input: `""`,
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid session key`: empty"},
		{block: "resource guayaba_session", arg: "key", kind: "wrong format", input: `" agent:main:main"`,
			hcl:  sessionBlock{key: " agent:main:main"}.String(),
			want: []string{"Invalid session key", "white space"}, when: whenPlan, sees: "`Invalid session key`: white space at its start or end"},
		{block: "resource guayaba_session", arg: "key", kind: "too long", input: "5000 characters",
			hcl:  sessionBlock{key: long}.String(),
			want: []string{"Session not found", "created by chatting"}, when: whenPlanRead,
			sees: "accepted by validation (keys are opaque); the plan fails with `Session not found`: sessions are created by chatting"},
		{block: "resource guayaba_session", arg: "key", kind: "unknown", input: unknownSrc,
			hcl: hclBlock(`resource "guayaba_session" "x"`, "key = "+unknownSrc), unknown: groupKey, cmd: "apply",
			when: whenAccepted, sees: "accepted: the session is adopted once the key is known"},
		{block: "resource guayaba_session", arg: "label", kind: "empty", input: `""`,
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid label`: leave `label` out for no label"},
		{block: "resource guayaba_session", arg: "label", kind: "wrong format", input: `" padded "`,
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid label`: white space at its start or end"},
		{block: "resource guayaba_session", arg: "label", kind: "wrong format", input: `"\u200bSupport"` + " (U+200B, U+FEFF or U+200E at either end)",
			coveredBy: "TestAccSessionSafety_invisibleLabelCharacters", when: whenPlan,
			sees: "`Invalid label`: names the invisible character, which the platform trims, and the label to use instead"},
		{block: "resource guayaba_session", arg: "label", kind: "too long", input: "256 characters",
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid label`: 256 characters long; at most 255"},
		{block: "resource guayaba_session", arg: "label", kind: "wrong format", input: `["a"]`, hcl: res(`label = ["a"]`),
			want: []string{"label", "string required"}, when: whenPlan, sees: "Terraform's `Incorrect attribute value type`: string required"},
		{block: "resource guayaba_session", arg: "label", kind: "unknown", input: unknownSrc + ` (valid once known)`, hcl: res("label = " + unknownSrc), unknown: "From elsewhere",
			cmd: "apply", when: whenAccepted, sees: "accepted: planned as known after apply"},
		{block: "resource guayaba_session", arg: "label", kind: "unknown", input: unknownSrc + ` (" padded " once known)`, hcl: res("label = " + unknownSrc), unknown: " padded ",
			cmd: "apply", want: []string{"Invalid label", "white space"}, when: whenApply + " (validated again once known, before any write)",
			sees: "`Invalid label`, and nothing is written"},
		{block: "resource guayaba_session", arg: "archived", kind: "wrong format", input: `"yes"`, hcl: res(`archived = "yes"`),
			want: []string{"archived", "bool"}, when: whenPlan, sees: "Terraform's `Incorrect attribute value type`: a bool is required"},
		{block: "resource guayaba_session", arg: "archived", kind: "unknown", input: unknownSrc, hcl: res("archived = " + unknownSrc), unknown: "true",
			cmd: "apply", when: whenAccepted, sees: "accepted: `archive_filename` is known after apply"},
		{block: "resource guayaba_session", arg: "on_destroy", kind: "empty", input: `""`, hcl: res(`on_destroy = ""`),
			want: []string{"on_destroy", "value must be one of"}, when: whenPlan, sees: "`Invalid Attribute Value Match`: must be one of keep, clear_label, archive, delete"},
		{block: "resource guayaba_session", arg: "on_destroy", kind: "wrong enum", input: `"burn"`,
			coveredBy: "TestAccSession_planTimeValidation", when: whenPlan, sees: "`Invalid Attribute Value Match`"},
		{block: "resource guayaba_session", arg: "on_destroy", kind: "wrong enum", input: `"DELETE"`, hcl: res(`on_destroy = "DELETE"`),
			want: []string{"on_destroy", "value must be one of"}, when: whenPlan, sees: "`Invalid Attribute Value Match` (values are case-sensitive)"},
		{block: "resource guayaba_session", arg: "on_destroy", kind: "unknown", input: unknownSrc, hcl: res("on_destroy = " + unknownSrc), unknown: "keep",
			cmd: "apply", when: whenAccepted, sees: "accepted; validated once known"},
	}

	// ---- data sources and the ephemeral resource ----
	type dsArg struct {
		typ, arg, kind, input, value string
		want                         []string
		when, sees, coveredBy        string
	}
	tsWant := []string{"Invalid timestamp", "not an RFC 3339"}
	dsArgs := []dsArg{
		{typ: "guayaba_sessions", arg: "agent_id", kind: "empty", input: `""`, value: `""`, want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "guayaba_sessions", arg: "agent_id", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "key_prefix", kind: "empty", input: `""`, value: `""`, when: whenAccepted, sees: "accepted: matches every session"},
		{typ: "guayaba_sessions", arg: "key_prefix", kind: "too long", input: "5000 characters", value: `"` + long + `"`, when: whenAccepted, sees: "accepted: matches nothing (empty lists)"},
		{typ: "guayaba_sessions", arg: "key_prefix", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "label", kind: "empty", input: `""`, value: `""`, when: whenAccepted, sees: "accepted: matches nothing (labels are never empty)"},
		{typ: "guayaba_sessions", arg: "label", kind: "too long", input: "5000 characters", value: `"` + long + `"`, when: whenAccepted, sees: "accepted: matches nothing"},
		{typ: "guayaba_sessions", arg: "label", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "chat_type", kind: "wrong enum", input: `"dm"`, coveredBy: "TestAccSessionsDataSource_invalidInput", when: whenPlan, sees: "`Invalid Attribute Value Match`: direct, group or channel"},
		{typ: "guayaba_sessions", arg: "chat_type", kind: "empty", input: `""`, value: `""`, want: []string{"chat_type", "value must be one of"}, when: whenPlan, sees: "`Invalid Attribute Value Match`"},
		{typ: "guayaba_sessions", arg: "chat_type", kind: "wrong enum", input: `"Direct"`, value: `"Direct"`, want: []string{"chat_type", "value must be one of"}, when: whenPlan, sees: "`Invalid Attribute Value Match` (case-sensitive)"},
		{typ: "guayaba_sessions", arg: "chat_type", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "last_channel", kind: "empty", input: `""`, value: `""`, when: whenAccepted, sees: "accepted: matches nothing"},
		{typ: "guayaba_sessions", arg: "last_channel", kind: "wrong enum", input: `"carrier-pigeon"`, value: `"carrier-pigeon"`, when: whenAccepted, sees: "accepted (channels are open-ended): matches nothing"},
		{typ: "guayaba_sessions", arg: "last_channel", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "updated_after", kind: "wrong format", input: `"yesterday"`, coveredBy: "TestAccSessionsDataSource_invalidInput", when: whenPlan, sees: "`Invalid timestamp`: not an RFC 3339 timestamp"},
		{typ: "guayaba_sessions", arg: "updated_after", kind: "empty", input: `""`, value: `""`, want: tsWant, when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_sessions", arg: "updated_after", kind: "wrong format", input: `"2026-11-28"`, value: `"2026-11-28"`, want: tsWant, when: whenPlan, sees: "`Invalid timestamp` (a date alone is not RFC 3339)"},
		{typ: "guayaba_sessions", arg: "updated_after", kind: "unknown", input: "timestamp()", value: `timeadd(timestamp(), "-24h")`, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_sessions", arg: "updated_before", kind: "wrong format", input: `"2026-11-28 17:00"`, coveredBy: "TestAccSessionsDataSource_invalidInput", when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_sessions", arg: "updated_before", kind: "empty", input: `""`, value: `""`, want: tsWant, when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_sessions", arg: "updated_before", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},

		{typ: "guayaba_session", arg: "agent_id", kind: "empty", input: `""`, value: `""`, want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "guayaba_session", arg: "key", kind: "empty", input: `""`, value: `""`, want: []string{"Invalid session key", "empty"}, when: whenPlan, sees: "`Invalid session key`: empty"},
		{typ: "guayaba_session", arg: "key", kind: "wrong format", input: `" k"`, coveredBy: "TestAccSessionDataSource_invalidInput", when: whenPlan, sees: "`Invalid session key`: white space"},
		{typ: "guayaba_session", arg: "key", kind: "too long", input: "5000 characters", value: `"` + long + `"`, want: []string{"Session not found", "key"}, when: whenPlanRead, sees: "`Session not found` on `key`"},
		{typ: "guayaba_session", arg: "key", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},

		{typ: "guayaba_archives", arg: "agent_id", kind: "wrong format", input: `"agent-1"`, coveredBy: "TestAccArchivesDataSource_invalidInput", when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "guayaba_archives", arg: "agent_id", kind: "too long", input: "a UUID + 300 characters", value: `"` + uuidLong + `"`, want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "guayaba_archives", arg: "session_id", kind: "empty", input: `""`, value: `""`, when: whenAccepted, sees: "accepted: matches nothing"},
		{typ: "guayaba_archives", arg: "session_id", kind: "wrong format", input: `"not-a-uuid"`, value: `"not-a-uuid"`, when: whenAccepted, sees: "accepted: matches nothing"},
		{typ: "guayaba_archives", arg: "session_id", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_archives", arg: "label", kind: "empty", input: `""`, value: `""`, when: whenAccepted, sees: "accepted: matches nothing"},
		{typ: "guayaba_archives", arg: "label", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_archives", arg: "archived_after", kind: "wrong format", input: `"1732813200"`, coveredBy: "TestAccArchivesDataSource_invalidInput", when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_archives", arg: "archived_after", kind: "empty", input: `""`, value: `""`, want: tsWant, when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_archives", arg: "archived_before", kind: "wrong format", input: `"soon"`, coveredBy: "TestAccArchivesDataSource_invalidInput", when: whenPlan, sees: "`Invalid timestamp`"},
		{typ: "guayaba_archives", arg: "archived_before", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},

		{typ: "guayaba_session_history", arg: "agent_id", kind: "empty", input: `""`, value: `""`, want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "guayaba_session_history", arg: "key", kind: "empty", input: `""`, coveredBy: "TestAccSessionHistory_invalidInput", when: whenPlan, sees: "`Invalid session key`"},
		{typ: "guayaba_session_history", arg: "key", kind: "wrong enum", input: "a key that is not active", value: `"agent:main:nope"`, want: []string{"Session not found", "no history to read"}, when: whenPlanRead, sees: "`Session not found` on `key`"},
		{typ: "guayaba_session_history", arg: "key", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},
		{typ: "guayaba_session_history", arg: "limit", kind: "wrong enum", input: "0 / 1001", coveredBy: "TestAccSessionHistory_invalidInput", when: whenPlan, sees: "`Invalid Attribute Value`: between 1 and 1000"},
		{typ: "guayaba_session_history", arg: "limit", kind: "wrong format", input: `"ten"`, value: `"ten"`, want: []string{"limit", "a number is required"}, when: whenPlan, sees: "Terraform's `Incorrect attribute value type`"},
		{typ: "guayaba_session_history", arg: "limit", kind: "empty", input: "-1", value: "-1", want: []string{"limit", "between 1 and 1000"}, when: whenPlan, sees: "`Invalid Attribute Value`: between 1 and 1000"},
		{typ: "guayaba_session_history", arg: "limit", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: read during apply"},

		{typ: "ephemeral guayaba_session_history", arg: "agent_id", kind: "empty", input: `""`, value: `""`, want: invalidAgent, when: whenPlan, sees: "`Invalid agent_id`"},
		{typ: "ephemeral guayaba_session_history", arg: "key", kind: "empty", input: `""`, value: `""`, want: []string{"Invalid session key", "empty"}, when: whenPlan, sees: "`Invalid session key`"},
		{typ: "ephemeral guayaba_session_history", arg: "key", kind: "unknown", input: unknownSrc, value: unknownSrc, when: whenAccepted, sees: "accepted: opened during apply"},
		{typ: "ephemeral guayaba_session_history", arg: "limit", kind: "wrong enum", input: "5000", coveredBy: "TestAccSessionHistory_ephemeralInvalidInput", when: whenPlan, sees: "`Invalid Attribute Value`: between 1 and 1000"},
		{typ: "ephemeral guayaba_session_history", arg: "limit", kind: "empty", input: "0", value: "0", want: []string{"limit", "between 1 and 1000"}, when: whenPlan, sees: "`Invalid Attribute Value`"},
	}
	for _, a := range dsArgs {
		b := badInput{block: "data " + a.typ, arg: a.arg, kind: a.kind, input: a.input, want: a.want, when: a.when, sees: a.sees, coveredBy: a.coveredBy}
		lines := []string{a.arg + " = " + a.value}
		needsKey := a.typ == "guayaba_session" || strings.HasSuffix(a.typ, "guayaba_session_history")
		if needsKey && a.arg != "key" {
			lines = append([]string{hclAttr("key", groupKey)}, lines...)
		}
		if strings.HasPrefix(a.typ, "ephemeral ") {
			b.block = a.typ
			b.hcl = eph(lines...)
		} else {
			b.hcl = ds(a.typ, lines...)
		}
		if strings.Contains(a.value, unknownSrc) {
			b.unknown = map[string]string{"agent_id": testAgentID, "key": groupKey, "limit": "2", "chat_type": "group",
				"updated_before": "2030-01-01T00:00:00Z", "archived_before": "2030-01-01T00:00:00Z"}[a.arg]
			if b.unknown == "" {
				b.unknown = "x"
			}
			b.cmd = "apply"
		}
		if a.value == "" && a.coveredBy == "" {
			panic("no value for " + a.typ + "." + a.arg)
		}
		list = append(list, b)
	}
	return list
}

func (c badInput) name() string {
	return strings.ReplaceAll(c.block+" "+c.arg+" "+c.kind+" "+c.input, " ", "_")
}

// config renders the case's configuration for env: the provider block
// (sandbox, master key, default agent) with the case's arguments in place
// of the defaults, terraform_data.u when the case reads unknownSrc, and the
// case's HCL.
func (c badInput) config(env *testEnv) string {
	args := map[string]string{"base_url": hclString(env.sb.URL()), "api_key": hclString(env.masterKey), "agent_id": hclString(testAgentID)}
	order := []string{"base_url", "api_key", "agent_id"}
	for _, p := range c.provider {
		name, val, _ := strings.Cut(p, " = ")
		if path, ok := strings.CutPrefix(val, "SANDBOX/"); ok {
			val = hclString(env.sb.URL() + "/" + path)
		}
		if _, ok := args[name]; !ok {
			order = append(order, name)
		}
		args[name] = val
	}
	lines := make([]string, len(order))
	for i, name := range order {
		lines[i] = name + " = " + args[name]
	}
	cfg := providerBlock(lines...)
	if c.unknown != "" {
		cfg += hclBlock(`resource "terraform_data" "u"`, hclAttr("input", c.unknown))
	}
	return cfg + c.hcl
}

// Each case of the table runs one terraform command on a tfWorkdir: a case
// lists the phrases its output must hold in any order, and one of them
// (api_key of the wrong format) is a warning.
func TestAccBadInput_table(t *testing.T) {
	t.Parallel()
	for _, c := range badInputs() {
		if c.coveredBy != "" {
			continue
		}
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(c.block, "ephemeral ") {
				ephemeralResources.skipWithout(t)
			}
			env := newTestEnv(t, variants["strict"])
			env.session(testAgentID, groupKey, nil)
			cfg := c.config(env)
			w := newTFWorkdir(t, cfg)
			args := []string{"plan", "-no-color"}
			if c.cmd == "apply" {
				args = applyArgs
			}
			out, err := w.run(nil, args...)
			f := flat(out)
			if c.want == nil {
				if err != nil {
					t.Fatalf("want %s accepted by %s, got %v\n%s", c.input, args[0], err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error from %s, got success:\n%s", args[0], out)
			}
			for _, want := range c.want {
				if !strings.Contains(f, want) {
					t.Errorf("the error does not say %q:\n%s", want, out)
				}
			}
			if c.when == whenPlan || c.when == whenConfigure || c.when == whenPlanRead {
				// A plan-time error names the attribute (its source line
				// or its name appears in the diagnostic).
				if !strings.Contains(f, c.arg) {
					t.Errorf("the error does not name %s:\n%s", c.arg, out)
				}
			}
			if c.when == whenPlan || c.when == whenConfigure {
				if n := env.sb.Counters().Total; n != 0 {
					t.Errorf("the refused input still made %d API calls: %v", n, env.sb.Counters().ByRoute)
				}
			}
			if strings.HasPrefix(c.when, whenApply+" (validated") {
				// The plan listed the sessions to check the key; nothing else.
				cs := env.sb.Counters()
				if n := cs.Total - cs.ByRoute[sandbox.RouteSessionsList]; n != 0 {
					t.Errorf("the refused input still made %d API calls: %v", n, cs.ByRoute)
				}
			}
			expectNoDeletes(t, env)
		})
	}
}

// renderBadInputs renders the table for the guide.
func renderBadInputs() string {
	var b strings.Builder
	b.WriteString("| block | argument | bad input | what the user sees | when |\n|---|---|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, c := range badInputs() {
		input := c.input
		switch {
		case strings.HasPrefix(input, unknownSrc):
			input = "`" + unknownSrc + "`" + strings.TrimPrefix(input, unknownSrc)
		case strings.HasPrefix(input, `"`), strings.HasPrefix(input, "["), strings.HasPrefix(input, "-"),
			input != "" && input[0] >= '0' && input[0] <= '9' && !strings.Contains(input, " "):
			input = "`" + input + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s: %s | %s | %s |\n", cell(c.block), c.arg, c.kind, cell(input), cell(c.sees), cell(c.when))
	}
	return b.String()
}

const guidePath = "templates/guides/bad-inputs.md.tmpl"

const (
	tableStart = "<!-- bad-input table: generated by TestBadInput_docsInSync -->\n"
	tableEnd   = "<!-- end of the bad-input table -->\n"
)

// The guide's table is the test's table.
func TestBadInput_docsInSync(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", guidePath)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, tableStart), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated table markers", guidePath)
	}
	want := doc[:i+len(tableStart)] + renderBadInputs() + doc[j:]
	if want == doc {
		return
	}
	if os.Getenv("GUAYABA_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with badInputs(); run GUAYABA_UPDATE_DOCS=1 go test ./internal/provider -run TestBadInput_docsInSync", guidePath)
}

// The cases the table leaves to another test name a test that exists.
func TestBadInput_coveredByExistingTests(t *testing.T) {
	t.Parallel()
	funcs := testFileCalls(t)
	for _, c := range badInputs() {
		if c.coveredBy != "" && funcs[c.coveredBy] == nil {
			t.Errorf("%s: coveredBy names %s, which is not a test of this package", c.name(), c.coveredBy)
		}
	}
}

// ---- server-side validation ----

// A 422 from the platform surfaces its field messages (every one, in any
// order: a tfWorkdir reads the output), and is not retried.
func TestAccBadInput_serverValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	w := newTFWorkdir(t, env.provider()+`
resource "guayaba_session" "x" {
  key   = "`+groupKey+`"
  label = "Ventas 🚀"
}
`)
	env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Status: 422,
		Body: `{"message":"The given data was invalid.","errors":{"label":["The label may not contain emoji.","The label format is invalid."]}}`})
	out, err := w.run(nil, applyArgs...)
	f := flat(out)
	if err == nil {
		t.Fatalf("apply succeeded through a 422:\n%s", out)
	}
	for _, want := range []string{"the platform rejected the request", "422", "label: The label may not contain emoji.",
		"label: The label format is invalid."} {
		if !strings.Contains(f, want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if n := env.sb.Counters().ByRoute[sandbox.RouteSessionsRename]; n != 1 {
		t.Errorf("a 422 was retried: %d renames", n)
	}

	env.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsHistory, Status: 422,
		Body: `{"message":"The limit field must not be greater than 500.","errors":{"limit":["The limit field must not be greater than 500."]}}`})
	w.write("main.tf", env.provider()+`
data "guayaba_session_history" "h" {
  key   = "`+groupKey+`"
  limit = 900
}
`)
	out, err = w.run(nil, "plan", "-no-color")
	if err == nil || !strings.Contains(flat(out), "limit: The limit field must not be greater than 500.") {
		t.Errorf("history 422: want the field message: %v\n%s", err, out)
	}
	expectNoDeletes(t, env)
}

// ---- auth matrix ----

// Each way a key can be refused gives its own error saying what to change.
// (TestAccSession_errors covers the same scope and other-agent answers on
// the resource; here they run on a data source, next to the others, to
// show the five are told apart.)
func TestAccBadInput_authMatrix(t *testing.T) {
	t.Parallel()
	skipUnlessAcc(t)
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, nil)
	revoked := env.sb.AddKey(sandbox.MasterKey(testOwnerID)).Token
	env.sb.RevokeKey(revoked)
	expired := env.sb.AddKey(sandbox.Key{OwnerID: testOwnerID, ExpiresAt: time.Now().Add(-time.Hour)}).Token
	poorOwner := "owner-unsubscribed"
	poorAgent := "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	env.sb.AddOwner(poorOwner, true)
	env.sb.AddAgent(poorOwner, poorAgent)
	poorKey := env.sb.AddKey(sandbox.MasterKey(poorOwner)).Token
	env.sb.SetSubscription(poorOwner, false)
	cases := []struct {
		name, key, agent string
		summary          string
		change           []string
	}{
		{"invalid key", sandbox.MasterKeyPrefix + strings.Repeat("0f", 24), testAgentID, "the API key was refused",
			[]string{"invalid, revoked or expired", "Create a new key", "api_key", "GUAYABA_API_KEY"}},
		{"revoked key", revoked, testAgentID, "the API key was refused", []string{"invalid, revoked or expired", "Create a new key"}},
		{"expired key", expired, testAgentID, "the API key was refused", []string{"invalid, revoked or expired", "Create a new key"}},
		{"inactive subscription", poorKey, poorAgent, "no active subscription", []string{"Renew the subscription"}},
		{"agent key on another agent", env.otherAgentKey, testAgentID, "the API key belongs to another agent",
			[]string{"Use an agent key created for agent " + testAgentID, "master key", "agent_id"}},
		{"agent key without agent:manage", env.readOnlyKey, testAgentID, "the API key lacks the agent:manage scope",
			[]string{"agent:manage scope, or a master key"}},
	}
	summaries := map[string]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newTFWorkdir(t, env.providerWithKey(c.key, hclAttr("agent_id", c.agent))+`data "guayaba_sessions" "all" {}`+"\n")
			out, err := w.run(nil, "plan", "-no-color")
			f := flat(out)
			if err == nil {
				t.Fatalf("plan succeeded:\n%s", out)
			}
			if n := strings.Count(out, "Error: "); n != 1 {
				t.Errorf("want one error, got %d:\n%s", n, out)
			}
			for _, want := range append([]string{"Cannot list sessions: " + c.summary}, c.change...) {
				if !strings.Contains(f, want) {
					t.Errorf("the error does not say %q:\n%s", want, out)
				}
			}
			if prev, ok := summaries[c.summary]; ok && !strings.HasSuffix(c.name, "key") {
				t.Errorf("%s and %s give the same error", prev, c.name)
			}
			summaries[c.summary] = c.name
			expectNoSecret(t, "the error output", out, c.key)
		})
	}
	// Invalid, revoked and expired keys are one answer on the platform
	// (401 "Invalid or revoked API key") and one fix (a new key); the other
	// three are told apart.
	if len(summaries) != 4 {
		t.Errorf("want 4 distinct errors (401, subscription, other agent, scope), got %v", summaries)
	}
	expectNoDeletes(t, env)
}
