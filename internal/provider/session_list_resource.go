package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

var (
	_ list.ListResource              = &SessionListResource{}
	_ list.ListResourceWithConfigure = &SessionListResource{}
)

// SessionListResource lists an agent's active sessions for `terraform query`
// (Terraform >= 1.14), as guayaba_session resources to import.
type SessionListResource struct{ configuredResource }

// NewSessionListResource returns the guayaba_session list resource.
func NewSessionListResource() list.ListResource { return &SessionListResource{} }

// Metadata sets the type name guayaba_session (the resource it lists).
func (r *SessionListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session"
}

// ListResourceConfigSchema describes the filters of the list block's config.
func (r *SessionListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds an agent's active sessions with `terraform query` (Terraform ≥ 1.14), to bring them under " +
			"management as `guayaba_session` resources. The filters are those of the `guayaba_sessions` data source and combine " +
			"with AND; results are sorted by key and named by their label, or their key when unlabelled. One listing of the " +
			"agent's sessions serves the whole query.\n\n" +
			"With `include_resource = true`, each result carries the session's current `label`, `archived = false` and " +
			"`on_destroy = \"keep\"`, so `terraform query -generate-config-out=FILE` writes import and resource blocks whose " +
			"first plan imports every session and changes nothing. Archived sessions are not listed (archives carry no key); " +
			"import them by ID.",
		Attributes: listFilterAttributes(sessionFilters, map[string]schema.Attribute{
			"agent_id": schema.StringAttribute{Optional: true, MarkdownDescription: agentIDDescription,
				Validators: stringValidators(uuidValidator)},
		}),
	}
}

// List lists the agent's sessions once and streams the matching ones.
func (r *SessionListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var agentID types.String
	diags := req.Config.GetAttribute(ctx, path.Root("agent_id"), &agentID)
	filter := filterFrom(ctx, sessionFilters, req.Config, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	agent, all, ok := readAgent(ctx, r.data, agentID, &diags, "list sessions", (*sessions.Agent).SessionList)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var n int64
		for _, s := range all {
			if req.Limit > 0 && n >= req.Limit {
				return
			}
			if !filter.Match(s) {
				continue
			}
			n++
			if !push(sessionListResult(ctx, req, agent.ID(), s)) {
				return
			}
		}
	}
}

// sessionListResult is one session as a guayaba_session to import: its
// identity, and with include_resource the state an import would read, with
// the defaults a generated resource block leaves in place.
func sessionListResult(ctx context.Context, req list.ListRequest, agentID string, s client.Session) list.ListResult {
	res := req.NewListResult(ctx)
	res.DisplayName = s.Key
	if s.Label != nil && *s.Label != "" {
		res.DisplayName = *s.Label
	}
	res.Diagnostics.Append(setSessionIdentity(ctx, res.Identity, agentID, s.Key)...)
	if req.IncludeResource {
		m := sessionResourceModel{
			ID:        types.StringValue(agentID + "/" + s.Key),
			AgentID:   types.StringValue(agentID),
			Key:       types.StringValue(s.Key),
			Label:     stringPtrValue(s.Label),
			OnDestroy: types.StringValue(onDestroyKeep),
		}
		m.setFromRemote(sessions.Remote{Active: &s}, true)
		res.Diagnostics.Append(res.Resource.Set(ctx, &m)...)
	}
	return res
}
