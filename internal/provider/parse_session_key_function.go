package provider

import (
	"context"
	"strings"

	fwattr "github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ function.Function = &ParseSessionKeyFunction{}

// ParseSessionKeyFunction is provider::guayaba::parse_session_key: it splits a
// session key into its parts without calling the API.
type ParseSessionKeyFunction struct{}

// NewParseSessionKeyFunction returns the parse_session_key function.
func NewParseSessionKeyFunction() function.Function { return &ParseSessionKeyFunction{} }

// Session key kinds returned by parse_session_key.
const (
	keyKindMain      = "main"
	keyKindDirect    = "direct"
	keyKindGroup     = "group"
	keyKindChannel   = "channel"
	keyKindDashboard = "dashboard"
	keyKindCron      = "cron"
	keyKindAPI       = "api"
	keyKindOther     = "other"
)

// sessionKeyParts is what a session key says about its session. Pointers
// are null in Terraform: the part is not in the key.
type sessionKeyParts struct {
	Kind     string
	Agent    *string
	Channel  *string
	Account  *string
	ChatType *string
	Peer     *string
	Thread   *string
	Topic    *string
}

// parseSessionKey recognises the platform's session key shapes:
//
//	agent:<agent>:main                                   main session of the agent
//	agent:<agent>:direct:<peer>                          per-peer direct chat
//	agent:<agent>:<channel>:<type>:<peer>                per-channel-peer (type direct, group, channel)
//	agent:<agent>:<channel>:<account>:<type>:<peer>      per-account-channel-peer
//	... :thread:<id> / :topic:<id>                       a thread or forum topic of the chat above
//	agent:<agent>:dashboard:<uuid>, agent:<agent>:cron:<job>, api:<uuid>, s-<id>
//
// The legacy "dm" chat type means direct. A peer may itself contain colons
// (everything between the chat type and a thread or topic suffix). Keys are
// opaque to the platform, so any other shape, or one with an empty part, is
// kind "other" with every part null: never an error.
func parseSessionKey(key string) sessionKeyParts {
	other := sessionKeyParts{Kind: keyKindOther}
	switch {
	case strings.HasPrefix(key, "api:"):
		if id := strings.TrimPrefix(key, "api:"); id != "" && !strings.Contains(id, ":") {
			return sessionKeyParts{Kind: keyKindAPI, Peer: &id}
		}
		return other
	case strings.HasPrefix(key, "s-"):
		if id := strings.TrimPrefix(key, "s-"); id != "" && !strings.Contains(id, ":") {
			return sessionKeyParts{Kind: keyKindDashboard, Peer: &id}
		}
		return other
	case !strings.HasPrefix(key, "agent:"):
		return other
	}
	parts := strings.Split(key, ":")
	agent, rest := parts[1], parts[2:]
	if agent == "" || len(rest) == 0 {
		return other
	}
	p := parseAgentKeyRest(rest)
	if p.Kind == keyKindOther {
		return other
	}
	p.Agent = &agent
	return p
}

// parseAgentKeyRest parses what follows "agent:<agent>:".
func parseAgentKeyRest(rest []string) sessionKeyParts {
	other := sessionKeyParts{Kind: keyKindOther}
	for _, s := range rest {
		if s == "" {
			return other
		}
	}
	if len(rest) == 1 && rest[0] == "main" {
		return sessionKeyParts{Kind: keyKindMain}
	}
	if len(rest) == 2 {
		id := rest[1]
		switch rest[0] {
		case "dashboard":
			return sessionKeyParts{Kind: keyKindDashboard, Peer: &id}
		case "cron":
			return sessionKeyParts{Kind: keyKindCron, Peer: &id}
		}
	}
	// The chat type is the first, second or third part: no channel, a
	// channel, or a channel and an account before it.
	for i := 0; i < len(rest) && i < 3; i++ {
		chatType, ok := chatTypeOf(rest[i])
		if !ok {
			continue
		}
		p := sessionKeyParts{Kind: chatType, ChatType: &chatType}
		if i >= 1 {
			p.Channel = &rest[0]
		}
		if i == 2 {
			p.Account = &rest[1]
		}
		if !parsePeer(rest[i+1:], &p) {
			return other
		}
		return p
	}
	return other
}

// parsePeer reads "<peer>[:thread:<id>][:topic:<id>]" (suffixes in either
// order, each at most once) into p.
func parsePeer(rest []string, p *sessionKeyParts) bool {
	end := len(rest)
	for end >= 3 {
		marker, id := rest[end-2], rest[end-1]
		if marker == "thread" && p.Thread == nil {
			p.Thread = &id
		} else if marker == "topic" && p.Topic == nil {
			p.Topic = &id
		} else {
			break
		}
		end -= 2
	}
	if end < 1 {
		return false
	}
	peer := strings.Join(rest[:end], ":")
	p.Peer = &peer
	return true
}

func chatTypeOf(s string) (string, bool) {
	switch s {
	case "direct", "dm":
		return keyKindDirect, true
	case "group":
		return keyKindGroup, true
	case "channel":
		return keyKindChannel, true
	}
	return "", false
}

var sessionKeyPartTypes = map[string]fwattr.Type{
	"kind":      types.StringType,
	"agent":     types.StringType,
	"channel":   types.StringType,
	"account":   types.StringType,
	"chat_type": types.StringType,
	"peer":      types.StringType,
	"thread":    types.StringType,
	"topic":     types.StringType,
}

// value is the object parse_session_key returns.
func (p sessionKeyParts) value() types.Object {
	return types.ObjectValueMust(sessionKeyPartTypes, map[string]fwattr.Value{
		"kind":      types.StringValue(p.Kind),
		"agent":     types.StringPointerValue(p.Agent),
		"channel":   types.StringPointerValue(p.Channel),
		"account":   types.StringPointerValue(p.Account),
		"chat_type": types.StringPointerValue(p.ChatType),
		"peer":      types.StringPointerValue(p.Peer),
		"thread":    types.StringPointerValue(p.Thread),
		"topic":     types.StringPointerValue(p.Topic),
	})
}

// Metadata sets the function name parse_session_key.
func (f *ParseSessionKeyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_session_key"
}

// Definition describes the argument and the returned object.
func (f *ParseSessionKeyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Split a session key into its parts",
		MarkdownDescription: "Splits a session key into the parts the platform builds it from, with no API call " +
			"(Terraform ≥ 1.8, OpenTofu ≥ 1.7).\n\n" +
			"Returns an object with these attributes (null when the key has no such part):\n\n" +
			"- `kind`: `main` (`agent:<agent>:main`), `direct`, `group` or `channel` (a chat; the legacy `dm` is `direct`), " +
			"`dashboard` (`agent:<agent>:dashboard:<uuid>` or `s-<id>`), `cron` (`agent:<agent>:cron:<job>`), " +
			"`api` (`api:<uuid>`), or `other`.\n" +
			"- `agent`: the runtime agent name after `agent:`, such as `main`.\n" +
			"- `channel`: the chat channel, such as `telegram` or `webchat` (null for per-peer keys such as `agent:main:direct:<peer>`).\n" +
			"- `account`: the channel account of per-account keys, such as `default` in `agent:main:telegram:default:direct:<peer>`.\n" +
			"- `chat_type`: `direct`, `group` or `channel`.\n" +
			"- `peer`: the user or chat id; for `dashboard`, `cron` and `api` keys, the id after the prefix.\n" +
			"- `thread`, `topic`: the id after `:thread:` or `:topic:`.\n\n" +
			"Session keys are opaque to the platform: a key of any other shape, or with an empty part, gives " +
			"`kind = \"other\"` and nulls, never an error.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "key",
				MarkdownDescription: "A session key, such as `agent:main:telegram:group:-1001234567890:topic:42`.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: sessionKeyPartTypes},
	}
}

// Run parses the key.
func (f *ParseSessionKeyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var key string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &key))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, parseSessionKey(key).value()))
}
