package provider

import (
	"context"
	"fmt"

	fwattr "github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	epschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// defaultHistoryLimit is the number of messages read when limit is not set.
const defaultHistoryLimit = 100

// historyModel is the shared model of the data source and the ephemeral resource.
type historyModel struct {
	AgentID  types.String `tfsdk:"agent_id"`
	Key      types.String `tfsdk:"key"`
	Limit    types.Int64  `tfsdk:"limit"`
	Messages types.List   `tfsdk:"messages"`
}

const historyDescription = "Reads the last messages of one active session, oldest first. Tested with 1,000 messages " +
	"of 24 KB (about 24 MB)."

var historyAttrDescriptions = map[string]string{
	"agent_id":     agentIDDescription,
	"key":          "The session key, e.g. `agent:main:telegram:direct:123456789`.",
	"limit":        "How many of the most recent messages to read, 1 to 1000. Default 100.",
	"messages":     "The messages, oldest first.",
	"id":           "The message id.",
	"role":         "`user` or `assistant`.",
	"text":         "The text: the content when it is a string, else the `text` blocks joined by a newline (other blocks, such as `thinking` or `toolCall`, are left out).",
	"content_json": "The content exactly as sent, as JSON: a string, or the array of blocks including `thinking` and `toolCall` blocks. Decode it with `jsondecode`.",
	"timestamp":    "When the message was sent, RFC 3339 in UTC.",
}

// messageAttributes are the computed attributes of one message, in the order
// the docs list them, each with its value: they make the schema's nested
// object and each message's value.
var messageAttributes = []struct {
	name  string
	value func(client.ChatMessage) string
}{
	{"id", func(m client.ChatMessage) string { return m.ID }},
	{"role", func(m client.ChatMessage) string { return m.Role }},
	{"text", client.ChatMessage.Text},
	{"content_json", client.ChatMessage.ContentJSON},
	{"timestamp", func(m client.ChatMessage) string { return rfc3339FromMillis(m.Timestamp) }},
}

func dataSourceMessageAttributes() map[string]dsschema.Attribute {
	attrs := map[string]dsschema.Attribute{}
	for _, a := range messageAttributes {
		attrs[a.name] = dsschema.StringAttribute{Computed: true, MarkdownDescription: historyAttrDescriptions[a.name]}
	}
	return attrs
}

func ephemeralMessageAttributes() map[string]epschema.Attribute {
	attrs := map[string]epschema.Attribute{}
	for _, a := range messageAttributes {
		attrs[a.name] = epschema.StringAttribute{Computed: true, MarkdownDescription: historyAttrDescriptions[a.name]}
	}
	return attrs
}

// messagesValue is the messages as the messages attribute holds them.
func messagesValue(msgs []client.ChatMessage) types.List {
	attrTypes := map[string]fwattr.Type{}
	for _, a := range messageAttributes {
		attrTypes[a.name] = types.StringType
	}
	objectType := types.ObjectType{AttrTypes: attrTypes}
	elems := make([]fwattr.Value, 0, len(msgs))
	for _, m := range msgs {
		values := make(map[string]fwattr.Value, len(messageAttributes))
		for _, a := range messageAttributes {
			values[a.name] = types.StringValue(a.value(m))
		}
		elems = append(elems, types.ObjectValueMust(attrTypes, values))
	}
	return types.ListValueMust(objectType, elems)
}

// readHistory reads the messages of an active session (the agent's handle
// checks the key against the listing first: the platform may answer an
// unknown key with an empty list).
func readHistory(ctx context.Context, data *providerData, m *historyModel) diag.Diagnostics {
	var diags diag.Diagnostics
	agent, ok := data.agent(m.AgentID, &diags)
	if !ok {
		return diags
	}
	key := m.Key.ValueString()
	limit := defaultHistoryLimit
	if !m.Limit.IsNull() && !m.Limit.IsUnknown() {
		limit = int(m.Limit.ValueInt64())
	}
	msgs, found, err := agent.History(ctx, key, limit)
	switch {
	case err != nil:
		diags.Append(apiDiag(fmt.Sprintf("read the history of session %q", key), agent.ID(), err))
		return diags
	case !found:
		diags.Append(sessionNotFoundDiag(agent.ID(), key, ", so it has no history to read. Check the key against the "+
			"guayaba_sessions data source (archived sessions' transcripts cannot be read until restored)."))
		return diags
	}
	m.AgentID = types.StringValue(agent.ID())
	m.Limit = types.Int64Value(int64(limit))
	m.Messages = messagesValue(msgs)
	return diags
}
