package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ ephemeral.EphemeralResource              = &SessionHistoryEphemeralResource{}
	_ ephemeral.EphemeralResourceWithConfigure = &SessionHistoryEphemeralResource{}
)

// SessionHistoryEphemeralResource reads a transcript without writing it to
// state or plan files (Terraform >= 1.10, OpenTofu >= 1.11).
type SessionHistoryEphemeralResource struct{ configured }

// NewSessionHistoryEphemeralResource returns the guayaba_session_history ephemeral resource.
func NewSessionHistoryEphemeralResource() ephemeral.EphemeralResource {
	return &SessionHistoryEphemeralResource{}
}

// Metadata sets the type name guayaba_session_history.
func (e *SessionHistoryEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session_history"
}

// Schema describes the ephemeral guayaba_session_history.
func (e *SessionHistoryEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	desc := historyAttrDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: historyDescription + " The transcript is available during the run (to ephemeral outputs, " +
			"provider configuration, write-only arguments and other ephemeral contexts) and is never written to state or " +
			"plan files. Requires Terraform 1.10 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"agent_id": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: desc["agent_id"],
				Validators: stringValidators(uuidValidator)},
			"key": schema.StringAttribute{Required: true, Validators: stringValidators(keyValidator), MarkdownDescription: desc["key"]},
			"limit": schema.Int64Attribute{Optional: true, Computed: true, MarkdownDescription: desc["limit"],
				Validators: []validator.Int64{int64validator.Between(1, 1000)}},
			"messages": schema.ListNestedAttribute{Computed: true, MarkdownDescription: desc["messages"],
				NestedObject: schema.NestedAttributeObject{Attributes: ephemeralMessageAttributes()}},
		},
	}
}

// Configure receives the provider data.
func (e *SessionHistoryEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.keep(req.ProviderData, &resp.Diagnostics)
}

// Open reads the messages.
func (e *SessionHistoryEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m historyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(readHistory(ctx, e.data, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
