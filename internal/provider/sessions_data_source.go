package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	AgentID types.String `tfsdk:"agent_id"`
	sessionFiltersModel
	Sessions []sessionModel `tfsdk:"sessions"`
	Keys     []string       `tfsdk:"keys"`
}

// Metadata sets the type name guayaba_sessions.
func (d *SessionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sessions"
}

// Schema describes guayaba_sessions.
func (d *SessionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := dataSourceFilterAttributes()
	attrs["agent_id"] = agentIDAttribute()
	attrs["sessions"] = schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The matching sessions, sorted by key.",
		NestedObject:        schema.NestedAttributeObject{Attributes: sessionAttributes(false)},
	}
	attrs["keys"] = schema.ListAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "The keys of the matching sessions, sorted; handy for `for_each = toset(...)`.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists an agent's active sessions, optionally filtered. Filters combine with AND. " +
			"The result is sorted by key, so an unchanged platform gives an unchanged result; a filter that matches " +
			"nothing gives empty lists. One listing serves every data source and resource of the same agent in a run.",
		Attributes: attrs,
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
	filter := m.filter()
	m.AgentID = types.StringValue(agent.ID())
	m.Sessions = []sessionModel{}
	m.Keys = []string{}
	for _, s := range list {
		if !filter.Match(s) {
			continue
		}
		m.Sessions = append(m.Sessions, newSessionModel(s))
		m.Keys = append(m.Keys, s.Key)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
