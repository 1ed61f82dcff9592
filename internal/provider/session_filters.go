package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// The filters of the active sessions, declared once: the guayaba_sessions
// data source and the guayaba_session list resource (terraform query) both
// build their attributes and their model from here, and match with
// sessions.SessionFilter.

// sessionFilterAttribute is one filter's attribute.
type sessionFilterAttribute struct {
	name, description string
	validators        []validator.String
}

// sessionFilterAttributes are the filters, in the order the docs list them.
var sessionFilterAttributes = []sessionFilterAttribute{
	{name: "key_prefix", description: "Only sessions whose key starts with this, e.g. `agent:main:telegram:group:`."},
	{name: "label", description: "Only the session with exactly this label."},
	{name: "chat_type", description: "Only sessions of this chat type: `direct`, `group` or `channel`.",
		validators: stringValidators(stringvalidator.OneOf("direct", "group", "channel"))},
	{name: "last_channel", description: "Only sessions whose last message came through this channel, e.g. `telegram` or `webchat`."},
	{name: "updated_after", validators: stringValidators(rfc3339Validator),
		description: "Only sessions active strictly after this RFC 3339 time, e.g. `\"2026-11-01T00:00:00Z\"` or " +
			"`timeadd(plantimestamp(), \"-720h\")` (`timestamp()` is unknown until apply, so it cannot drive `for_each`)."},
	{name: "updated_before", description: "Only sessions last active strictly before this RFC 3339 time.",
		validators: stringValidators(rfc3339Validator)},
}

// sessionFiltersModel holds the filters' values; the data source's and the
// list resource's models embed it. Its tags are the names above.
type sessionFiltersModel struct {
	KeyPrefix     types.String `tfsdk:"key_prefix"`
	Label         types.String `tfsdk:"label"`
	ChatType      types.String `tfsdk:"chat_type"`
	LastChannel   types.String `tfsdk:"last_channel"`
	UpdatedAfter  types.String `tfsdk:"updated_after"`
	UpdatedBefore types.String `tfsdk:"updated_before"`
}

// filter is what the values select.
func (m sessionFiltersModel) filter() sessions.SessionFilter {
	return sessions.SessionFilter{
		KeyPrefix: stringPtr(m.KeyPrefix), Label: stringPtr(m.Label), ChatType: stringPtr(m.ChatType),
		LastChannel: stringPtr(m.LastChannel), UpdatedAfter: parseOptionalTime(m.UpdatedAfter),
		UpdatedBefore: parseOptionalTime(m.UpdatedBefore),
	}
}

// dataSourceFilterAttributes are the filters as data source attributes.
func dataSourceFilterAttributes() map[string]dsschema.Attribute {
	out := map[string]dsschema.Attribute{}
	for _, f := range sessionFilterAttributes {
		out[f.name] = dsschema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
	}
	return out
}

// listFilterAttributes are agent_id and the filters as list block config
// attributes.
func listFilterAttributes() map[string]listschema.Attribute {
	out := map[string]listschema.Attribute{
		"agent_id": listschema.StringAttribute{Optional: true, MarkdownDescription: agentIDDescription,
			Validators: stringValidators(uuidValidator)},
	}
	for _, f := range sessionFilterAttributes {
		out[f.name] = listschema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
	}
	return out
}
