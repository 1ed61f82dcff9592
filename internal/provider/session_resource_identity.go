package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = &SessionResource{}

// sessionIdentityModel is the resource identity of guayaba_session: what
// names the session for its whole life. session_id (reset conversations)
// and archive_filename (archiving) change, so they are not part of it.
type sessionIdentityModel struct {
	AgentID types.String `tfsdk:"agent_id"`
	Key     types.String `tfsdk:"key"`
}

// IdentitySchema describes the identity (Terraform >= 1.12, OpenTofu >= 1.12).
func (r *SessionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"agent_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "The agent (UUID). Defaults to the provider's agent_id when importing.",
			},
			"key": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The session key, exactly as listed by guayaba_sessions.",
			},
		},
	}
}

// setSessionIdentity records the identity of a managed session.
func setSessionIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, agentID, key string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, sessionIdentityModel{AgentID: types.StringValue(agentID), Key: types.StringValue(key)})
}

// importIDFromIdentity turns an import by identity into the equivalent
// import ID `<agent_id>/<key>` (or `<key>` when agent_id is left out).
func importIDFromIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity) (string, diag.Diagnostics) {
	var id sessionIdentityModel
	diags := identity.Get(ctx, &id)
	if diags.HasError() {
		return "", diags
	}
	if id.Key.IsNull() || id.Key.ValueString() == "" {
		diags.AddAttributeError(path.Root("key"), "Missing key in the import identity",
			"Import by identity needs the session key: identity = { key = \"agent:main:telegram:direct:123456789\" } "+
				"(and optionally agent_id, which defaults to the provider's).")
		return "", diags
	}
	if id.AgentID.IsNull() || id.AgentID.ValueString() == "" {
		return id.Key.ValueString(), diags
	}
	if !isUUID(id.AgentID.ValueString()) {
		diags.AddAttributeError(path.Root("agent_id"), "Invalid agent_id in the import identity",
			notAUUID(id.AgentID.ValueString(), "the import identity")+" Or leave agent_id out to use the provider's.")
		return "", diags
	}
	return id.AgentID.ValueString() + "/" + id.Key.ValueString(), diags
}

// archivedImportByIdentityHelp explains, after noActiveSession, why an
// archived session cannot be imported by identity, and what to write instead.
func archivedImportByIdentityHelp(agentID, key string) string {
	return fmt.Sprintf(". If the session is archived, it cannot be found by its key (archives do not carry the key): "+
		"import it by ID instead, naming its archive as listed by the guayaba_archives data source:\n\n"+
		"  import {\n    to = guayaba_session.x\n    id = \"%s/%s@<archive_filename>\"\n  }", agentID, key)
}
