package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// providerData is what Configure hands to every resource, data source and
// ephemeral resource: the API client, the listing cache of this Terraform
// command, and the provider's default agent.
type providerData struct {
	client   *client.Client
	listings *sessions.Listings
	agentID  string
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
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
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

// agentFor returns the agent of a resource or data source: its own agent_id
// when set, else the provider's default. The diagnostic names both places.
func (p *providerData) agentFor(v types.String) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString(), diags
	}
	if p != nil && p.agentID != "" {
		return p.agentID, diags
	}
	diags.Append(missingAgentIDDiag())
	return "", diags
}

// agentOf resolves the agent of a resource, data source, action or list
// the one way all of their methods do: the provider must be configured, and
// the agent is v when set, else the provider's default. When either is
// missing it adds the error to diags and returns false.
func (p *providerData) agentOf(v types.String, diags *diag.Diagnostics) (string, bool) {
	if !p.ready(diags) {
		return "", false
	}
	agentID, d := p.agentFor(v)
	diags.Append(d...)
	return agentID, !d.HasError()
}

// missingAgentIDDiag is the error of a resource, data source or ephemeral
// resource that has no agent_id and no provider default to fall back on.
func missingAgentIDDiag() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("agent_id"), "Missing agent_id",
		"No agent is set. Set `agent_id` here, or `agent_id` in the provider block, or the "+EnvAgentID+" environment variable.")
}

// ready reports whether Configure handed over the provider's data, and adds
// an error when it did not. Terraform configures the provider before it
// reads, plans or applies anything, so a nil here is a bug in the provider:
// say so rather than crash on a nil pointer.
func (p *providerData) ready(diags *diag.Diagnostics) bool {
	if p == nil {
		diags.AddError("Provider not configured",
			"The guayaba provider was not configured before it was used. This is a bug in the provider; please report it.")
		return false
	}
	return true
}

// ops returns the writer of one agent's sessions, sharing this command's listings.
func (p *providerData) ops(agentID string) *sessions.Ops {
	return sessions.NewOps(p.client, p.listings, agentID)
}
