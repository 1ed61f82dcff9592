package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

var (
	_ datasource.DataSource              = &SessionsDataSource{}
	_ datasource.DataSourceWithConfigure = &SessionsDataSource{}
)

// SessionsDataSource lists an agent's active sessions.
type SessionsDataSource struct{ configuredDataSource }

// NewSessionsDataSource returns the guayaba_sessions data source.
func NewSessionsDataSource() datasource.DataSource { return &SessionsDataSource{} }

type sessionsDataSourceModel struct {
	AgentID       types.String   `tfsdk:"agent_id"`
	KeyPrefix     types.String   `tfsdk:"key_prefix"`
	Label         types.String   `tfsdk:"label"`
	ChatType      types.String   `tfsdk:"chat_type"`
	LastChannel   types.String   `tfsdk:"last_channel"`
	UpdatedAfter  types.String   `tfsdk:"updated_after"`
	UpdatedBefore types.String   `tfsdk:"updated_before"`
	Sessions      []sessionModel `tfsdk:"sessions"`
	Keys          []string       `tfsdk:"keys"`
}

// Metadata sets the type name guayaba_sessions.
func (d *SessionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sessions"
}

// Schema describes guayaba_sessions.
func (d *SessionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists an agent's active sessions, optionally filtered. Filters combine with AND. " +
			"The result is sorted by key, so an unchanged platform gives an unchanged result; a filter that matches " +
			"nothing gives empty lists. One listing serves every data source and resource of the same agent in a run.",
		Attributes: map[string]schema.Attribute{
			"agent_id": agentIDAttribute(),
			"key_prefix": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only sessions whose key starts with this, e.g. `agent:main:telegram:group:`."},
			"label": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only the session with exactly this label."},
			"chat_type": schema.StringAttribute{Optional: true,
				Validators:          stringValidators(stringvalidator.OneOf("direct", "group", "channel")),
				MarkdownDescription: "Only sessions of this chat type: `direct`, `group` or `channel`."},
			"last_channel": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only sessions whose last message came through this channel, e.g. `telegram` or `webchat`."},
			"updated_after": schema.StringAttribute{Optional: true, Validators: stringValidators(rfc3339Validator),
				MarkdownDescription: "Only sessions active strictly after this RFC 3339 time, e.g. `\"2026-11-01T00:00:00Z\"` or `timeadd(plantimestamp(), \"-720h\")` (`timestamp()` is unknown until apply, so it cannot drive `for_each`)."},
			"updated_before": schema.StringAttribute{Optional: true, Validators: stringValidators(rfc3339Validator),
				MarkdownDescription: "Only sessions last active strictly before this RFC 3339 time."},
			"sessions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching sessions, sorted by key.",
				NestedObject:        schema.NestedAttributeObject{Attributes: sessionAttributes(false)},
			},
			"keys": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The keys of the matching sessions, sorted; handy for `for_each = toset(...)`.",
			},
		},
	}
}

// Read lists and filters.
func (d *SessionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sessionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, ok := d.data.agent(m.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	list, err := agent.SessionList(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("list sessions", agent.ID(), err))
		return
	}
	after, before := parseOptionalTime(m.UpdatedAfter), parseOptionalTime(m.UpdatedBefore)
	m.AgentID = types.StringValue(agent.ID())
	m.Sessions = []sessionModel{}
	m.Keys = []string{}
	for _, s := range list {
		if !sessionMatches(s, m, after, before) {
			continue
		}
		m.Sessions = append(m.Sessions, newSessionModel(s))
		m.Keys = append(m.Keys, s.Key)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func sessionMatches(s client.Session, m sessionsDataSourceModel, after, before *time.Time) bool {
	if v := m.KeyPrefix; !v.IsNull() && !strings.HasPrefix(s.Key, v.ValueString()) {
		return false
	}
	if v := m.Label; !v.IsNull() && (s.Label == nil || *s.Label != v.ValueString()) {
		return false
	}
	if v := m.ChatType; !v.IsNull() && s.ChatType != v.ValueString() {
		return false
	}
	if v := m.LastChannel; !v.IsNull() && s.LastChannel != v.ValueString() {
		return false
	}
	updated := time.UnixMilli(s.UpdatedAt)
	if after != nil && !updated.After(*after) {
		return false
	}
	if before != nil && !updated.Before(*before) {
		return false
	}
	return true
}

func parseOptionalTime(v types.String) *time.Time {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return nil
	}
	return &t
}
