package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// providerData is what Configure hands to every resource, data source,
// list resource, ephemeral resource and action: the handles of the agents
// for this Terraform command, and the provider's default agent. Everything
// below the provider is reached through an agent's handle.
type providerData struct {
	agents  *sessions.Agents
	agentID string
}

// newProviderData returns the data of a provider configured with c and the
// default agent agentID ("" for none).
func newProviderData(c *client.Client, agentID string) *providerData {
	return &providerData{agents: sessions.NewAgents(c), agentID: agentID}
}

// providerDataFrom type-asserts the ProviderData of a Configure request.
// It returns nil without a diagnostic when the provider is not configured yet.
func providerDataFrom(v any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v == nil {
		return nil, diags
	}
	pd, ok := v.(*providerData)
	if !ok {
		diags.Append(unexpectedProviderDataDiag(v))
		return nil, diags
	}
	return pd, diags
}

// configured is embedded by every resource, data source, list resource,
// ephemeral resource and action: it keeps what the provider's Configure
// handed over. Terraform may configure them before the provider is
// configured (nil data); what was kept then stays.
type configured struct{ data *providerData }

func (c *configured) keep(v any, diags *diag.Diagnostics) {
	data, d := providerDataFrom(v)
	diags.Append(d...)
	if data != nil {
		c.data = data
	}
}

// configuredDataSource gives a data source its Configure.
type configuredDataSource struct{ configured }

// Configure keeps the provider's data.
func (c *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c.keep(req.ProviderData, &resp.Diagnostics)
}

// configuredResource gives a resource (or list resource) its Configure.
type configuredResource struct{ configured }

// Configure keeps the provider's data.
func (c *configuredResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c.keep(req.ProviderData, &resp.Diagnostics)
}

// The agent of a resource, data source, list resource, ephemeral resource
// or action is resolved one way: its own agent_id when set, else the
// provider's default (agentIDFor). agent does it for every method that
// reads or writes; plannedAgentID for a plan, which may come before the
// provider is configured.

// agentIDFor returns v when it is set and known, else the provider's
// default agent ("" when there is none, or no provider data yet).
func (p *providerData) agentIDFor(v types.String) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	if p == nil {
		return ""
	}
	return p.agentID
}

// agent returns the handle of the agent of v. The provider must be
// configured and an agent set; when either is missing it adds the error to
// diags and returns false.
func (p *providerData) agent(v types.String, diags *diag.Diagnostics) (*sessions.Agent, bool) {
	if !p.ready(diags) {
		return nil, false
	}
	id := p.agentIDFor(v)
	if id == "" {
		diags.Append(missingAgentIDDiag())
		return nil, false
	}
	return p.agents.Agent(id), true
}

// readAgent resolves the agent of v, as agent does, and reads from its
// handle; when the read fails it adds the error, naming the read with what,
// and returns false.
func readAgent[T any](ctx context.Context, p *providerData, v types.String, diags *diag.Diagnostics, what string,
	read func(*sessions.Agent, context.Context) (T, error)) (*sessions.Agent, T, bool) {
	var got T
	agent, ok := p.agent(v, diags)
	if !ok {
		return nil, got, false
	}
	got, err := read(agent, ctx)
	if err != nil {
		diags.Append(apiDiag(what, agent.ID(), err))
		return nil, got, false
	}
	return agent, got, true
}

// activeSession finds the active session with key in the agent's listing.
// When the listing fails, or has no such session, it adds the error (what
// names the read; then continues "Agent A has no active session with key
// K" with what that means here) and returns false.
func activeSession(ctx context.Context, agent *sessions.Agent, key, what, then string, diags *diag.Diagnostics) (client.Session, bool) {
	s, ok, err := agent.Session(ctx, key)
	switch {
	case err != nil:
		diags.Append(apiDiag(what, agent.ID(), err))
	case !ok:
		diags.Append(sessionNotFoundDiag(agent.ID(), key, then))
	}
	return s, err == nil && ok
}

// plannedAgentID is the agent_id a plan records when the configuration
// says config: config itself when set, else the provider's default, or
// unknown while the provider is not configured (its configuration may be
// unknown). With no agent at all it adds the error to diags and returns
// false.
func (p *providerData) plannedAgentID(config types.String, diags *diag.Diagnostics) (types.String, bool) {
	switch {
	case !config.IsNull():
		return config, true
	case p == nil:
		return types.StringUnknown(), true
	case p.agentID == "":
		diags.Append(missingAgentIDDiag())
		return config, false
	}
	return types.StringValue(p.agentID), true
}

// ready reports whether Configure handed over the provider's data, and adds
// an error when it did not. Terraform configures the provider before it
// reads, plans or applies anything, so a nil here is a bug in the provider:
// say so rather than crash on a nil pointer.
func (p *providerData) ready(diags *diag.Diagnostics) bool {
	if p == nil {
		diags.Append(notConfiguredDiag())
		return false
	}
	return true
}
