package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// sessionModel is one active session as the data sources return it.
type sessionModel struct {
	Key         types.String `tfsdk:"key"`
	SessionID   types.String `tfsdk:"session_id"`
	SessionFile types.String `tfsdk:"session_file"`
	Label       types.String `tfsdk:"label"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
	ChatType    types.String `tfsdk:"chat_type"`
	LastChannel types.String `tfsdk:"last_channel"`
	OriginJSON  types.String `tfsdk:"origin_json"`
}

func newSessionModel(s client.Session) sessionModel {
	return sessionModel{
		Key:         types.StringValue(s.Key),
		SessionID:   types.StringValue(s.SessionID),
		SessionFile: types.StringValue(s.SessionFile),
		Label:       stringPtrValue(s.Label),
		UpdatedAt:   types.StringValue(rfc3339FromMillis(s.UpdatedAt)),
		ChatType:    types.StringValue(s.ChatType),
		LastChannel: types.StringValue(s.LastChannel),
		OriginJSON:  types.StringValue(compactJSON(s.Origin)),
	}
}

// sessionAttributes are the attributes of one session; computed says
// whether `key` is an output (in lists) or the required input (guayaba_session).
func sessionAttributes(keyIsInput bool) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"session_id": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The session's UUID (changes when the conversation is reset)."},
		"session_file": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The transcript's path in the agent's runtime."},
		"label": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The label, or null when the session has none."},
		"updated_at": schema.StringAttribute{Computed: true,
			MarkdownDescription: "Time of the last activity, RFC 3339 in UTC (e.g. `2026-11-28T17:00:00.123Z`); usable with `timecmp`."},
		"chat_type": schema.StringAttribute{Computed: true,
			MarkdownDescription: "`direct`, `group` or `channel`."},
		"last_channel": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The channel of the last message: `telegram`, `webchat`, `whatsapp`, …"},
		"origin_json": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The session's origin object (provider, surface, from, to, thread, …) as JSON; " +
				"decode it with `jsondecode`. `\"null\"` when the platform sent none."},
	}
	if keyIsInput {
		attrs["key"] = schema.StringAttribute{Required: true, Validators: stringValidators(keyValidator),
			MarkdownDescription: "The session key, e.g. `agent:main:telegram:direct:123456789`."}
	} else {
		attrs["key"] = schema.StringAttribute{Computed: true,
			MarkdownDescription: "The session key, e.g. `agent:main:telegram:direct:123456789`."}
	}
	return attrs
}

// agentIDDescription describes the agent_id of every data source, list
// resource and action.
const agentIDDescription = "The agent (UUID). Defaults to the provider's `agent_id`."

// agentIDAttribute is the agent_id of a data source.
func agentIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		Validators:          stringValidators(uuidValidator),
		MarkdownDescription: agentIDDescription,
	}
}
