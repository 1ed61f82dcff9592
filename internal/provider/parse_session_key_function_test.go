package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// keyCase is one key and the parts parse_session_key gives for it; an empty
// part is null.
type keyCase struct {
	key                                                          string
	kind, agent, channel, account, chatType, peer, thread, topic string
}

var sessionKeyCases = []keyCase{
	// Every shape the platform builds.
	{key: "agent:main:main", kind: "main", agent: "main"},
	{key: "agent:main:telegram:group:-1001234567890:topic:42",
		kind: "group", agent: "main", channel: "telegram", chatType: "group", peer: "-1001234567890", topic: "42"},
	{key: "agent:main:direct:123456789", kind: "direct", agent: "main", chatType: "direct", peer: "123456789"},
	{key: "agent:main:telegram:direct:123456789",
		kind: "direct", agent: "main", channel: "telegram", chatType: "direct", peer: "123456789"},
	{key: "agent:main:telegram:default:direct:123456789",
		kind: "direct", agent: "main", channel: "telegram", account: "default", chatType: "direct", peer: "123456789"},
	{key: "agent:main:telegram:dm:123456789",
		kind: "direct", agent: "main", channel: "telegram", chatType: "direct", peer: "123456789"},
	{key: "agent:main:dm:ana", kind: "direct", agent: "main", chatType: "direct", peer: "ana"},
	{key: "agent:support:discord:channel:987654321:thread:1122334455",
		kind: "channel", agent: "support", channel: "discord", chatType: "channel", peer: "987654321", thread: "1122334455"},
	{key: "agent:main:slack:work:group:C01ABC:thread:1712345678.000100",
		kind: "group", agent: "main", channel: "slack", account: "work", chatType: "group", peer: "C01ABC", thread: "1712345678.000100"},
	{key: "agent:main:telegram:group:-100777:thread:9:topic:3",
		kind: "group", agent: "main", channel: "telegram", chatType: "group", peer: "-100777", thread: "9", topic: "3"},
	{key: "api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f", kind: "api", peer: "6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f"},
	{key: "s-9f8e7d6c", kind: "dashboard", peer: "9f8e7d6c"},
	{key: "agent:main:dashboard:0b8e6c1a-7f3d-4e2b-9c5a-1d2e3f4a5b6c",
		kind: "dashboard", agent: "main", peer: "0b8e6c1a-7f3d-4e2b-9c5a-1d2e3f4a5b6c"},
	{key: "agent:main:cron:nightly-report", kind: "cron", agent: "main", peer: "nightly-report"},
	{key: "agent:ops:whatsapp:group:120363025@g.us",
		kind: "group", agent: "ops", channel: "whatsapp", chatType: "group", peer: "120363025@g.us"},
	// Odd ones: a peer with colons, unicode, and shapes that are not the
	// platform's (kind "other", all null, no error).
	{key: "agent:main:matrix:group:!room:example.org",
		kind: "group", agent: "main", channel: "matrix", chatType: "group", peer: "!room:example.org"},
	{key: "agent:main:matrix:group:!room:example.org:topic:5",
		kind: "group", agent: "main", channel: "matrix", chatType: "group", peer: "!room:example.org", topic: "5"},
	{key: "agent:café:telegram:direct:ñandú🙂", kind: "direct", agent: "café", channel: "telegram", chatType: "direct", peer: "ñandú🙂"},
	{key: "", kind: "other"},
	{key: "agent::main", kind: "other"},
	{key: "agent:main", kind: "other"},
	{key: "agent:main:", kind: "other"},
	{key: "agent:main:telegram:group:", kind: "other"},
	{key: "agent:main:telegram::direct:5", kind: "other"},
	{key: "agent:main:telegram:group:-100:topic:", kind: "other"},
	{key: "agent:main:main:extra", kind: "other"},
	{key: "agent:main:webchat:visitor:session:5", kind: "other"},
	{key: "agent:main:cron:job:run:5", kind: "other"},
	{key: "api:", kind: "other"},
	{key: "s-", kind: "other"},
	{key: "API:6d0f5c2e", kind: "other"},
	{key: " agent:main:main", kind: "other"},
	{key: "session-1", kind: "other"},
}

func (c keyCase) want() sessionKeyParts {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return sessionKeyParts{Kind: c.kind, Agent: opt(c.agent), Channel: opt(c.channel), Account: opt(c.account),
		ChatType: opt(c.chatType), Peer: opt(c.peer), Thread: opt(c.thread), Topic: opt(c.topic)}
}

func (p sessionKeyParts) String() string {
	s := func(v *string) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprintf("%q", *v)
	}
	return fmt.Sprintf("{kind=%q agent=%s channel=%s account=%s chat_type=%s peer=%s thread=%s topic=%s}",
		p.Kind, s(p.Agent), s(p.Channel), s(p.Account), s(p.ChatType), s(p.Peer), s(p.Thread), s(p.Topic))
}

func TestParseSessionKey(t *testing.T) {
	t.Parallel()
	for _, c := range sessionKeyCases {
		if got, want := parseSessionKey(c.key).String(), c.want().String(); got != want {
			t.Errorf("parseSessionKey(%q):\n got  %s\n want %s", c.key, got, want)
		}
	}
}

// The function runs in terraform with no provider configuration and no API:
// a configured provider would fail here for want of an API key.
func TestAccParseSessionKeyFunction(t *testing.T) {
	t.Parallel()
	keys := make([]string, len(sessionKeyCases))
	want := make([]knownvalue.Check, len(sessionKeyCases))
	for i, c := range sessionKeyCases {
		keys[i] = fmt.Sprintf("%q", c.key)
		str := func(s string) knownvalue.Check {
			if s == "" {
				return knownvalue.Null()
			}
			return knownvalue.StringExact(s)
		}
		want[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"kind": knownvalue.StringExact(c.kind), "agent": str(c.agent), "channel": str(c.channel),
			"account": str(c.account), "chat_type": str(c.chatType), "peer": str(c.peer),
			"thread": str(c.thread), "topic": str(c.topic),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{providerFunctions},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
locals {
  keys = [%s]
}

output "parsed" {
  value = [for k in local.keys : provider::guayaba::parse_session_key(k)]
}

output "support_topic" {
  value = provider::guayaba::parse_session_key("agent:main:telegram:group:-1001234567890:topic:42").topic
}
`, strings.Join(keys, ", ")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("parsed", knownvalue.ListExact(want)),
				statecheck.ExpectKnownOutputValue("support_topic", knownvalue.StringExact("42")),
			},
		}},
	})
}
