package provider

import (
	"context"
	"fmt"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	epschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// defaultHistoryLimit is the number of messages read when limit is not set.
const defaultHistoryLimit = 100

// messageModel is one transcript message as the history readers return it.
type messageModel struct {
	ID          types.String `tfsdk:"id"`
	Role        types.String `tfsdk:"role"`
	Text        types.String `tfsdk:"text"`
	ContentJSON types.String `tfsdk:"content_json"`
	Timestamp   types.String `tfsdk:"timestamp"`
}

// historyModel is the shared model of the data source and the ephemeral resource.
type historyModel struct {
	AgentID  types.String   `tfsdk:"agent_id"`
	Key      types.String   `tfsdk:"key"`
	Limit    types.Int64    `tfsdk:"limit"`
	Messages []messageModel `tfsdk:"messages"`
}

const historyDescription = "Reads the last messages of one active session, oldest first."

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
// the docs list them.
var messageAttributes = []string{"id", "role", "text", "content_json", "timestamp"}

func dataSourceMessageAttributes() map[string]dsschema.Attribute {
	attrs := map[string]dsschema.Attribute{}
	for _, name := range messageAttributes {
		attrs[name] = dsschema.StringAttribute{Computed: true, MarkdownDescription: historyAttrDescriptions[name]}
	}
	return attrs
}

func ephemeralMessageAttributes() map[string]epschema.Attribute {
	attrs := map[string]epschema.Attribute{}
	for _, name := range messageAttributes {
		attrs[name] = epschema.StringAttribute{Computed: true, MarkdownDescription: historyAttrDescriptions[name]}
	}
	return attrs
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
	m.Messages = make([]messageModel, 0, len(msgs))
	for _, msg := range msgs {
		m.Messages = append(m.Messages, messageModel{
			ID:          types.StringValue(msg.ID),
			Role:        types.StringValue(msg.Role),
			Text:        types.StringValue(msg.Text()),
			ContentJSON: types.StringValue(msg.ContentJSON()),
			Timestamp:   types.StringValue(rfc3339FromMillis(msg.Timestamp)),
		})
	}
	return diags
}
