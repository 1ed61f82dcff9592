package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &SessionDataSource{}
	_ datasource.DataSourceWithConfigure = &SessionDataSource{}
)

// SessionDataSource reads one active session by key.
type SessionDataSource struct{ configuredDataSource }

// NewSessionDataSource returns the guayaba_session data source.
func NewSessionDataSource() datasource.DataSource { return &SessionDataSource{} }

type sessionDataSourceModel struct {
	AgentID types.String `tfsdk:"agent_id"`
	sessionModel
}

// Metadata sets the type name guayaba_session.
func (d *SessionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session"
}

// Schema describes guayaba_session.
func (d *SessionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := sessionAttributes(true)
	attrs["agent_id"] = agentIDAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one active session by key. Fails when the agent has no active session with that key " +
			"(archived sessions are listed by `guayaba_archives`).",
		Attributes: attrs,
	}
}

// Read finds the session in the agent's listing.
func (d *SessionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sessionDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, ok := d.data.agent(m.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	key := m.Key.ValueString()
	s, ok := activeSession(ctx, agent, key, fmt.Sprintf("read session %q", key), ". Check the key against the "+
		"guayaba_sessions data source; an archived session is listed by guayaba_archives.", &resp.Diagnostics)
	if !ok {
		return
	}
	m.AgentID = types.StringValue(agent.ID())
	m.sessionModel = newSessionModel(s)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
