package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ datasource.DataSource              = &SessionHistoryDataSource{}
	_ datasource.DataSourceWithConfigure = &SessionHistoryDataSource{}
)

// SessionHistoryDataSource reads a session's transcript into state.
type SessionHistoryDataSource struct{ configuredDataSource }

// NewSessionHistoryDataSource returns the guayaba_session_history data source.
func NewSessionHistoryDataSource() datasource.DataSource { return &SessionHistoryDataSource{} }

// Metadata sets the type name guayaba_session_history.
func (d *SessionHistoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session_history"
}

// Schema describes guayaba_session_history.
func (d *SessionHistoryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := historyAttrDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: historyDescription + "\n\n~> **Transcripts land in state.** Like every data source's result, the " +
			"messages are written to the state and plan files, where anyone who can read them sees people's conversations. " +
			"On Terraform 1.10 or later (OpenTofu 1.11 or later), use the `guayaba_session_history` **ephemeral resource** instead: same inputs and " +
			"outputs, never written to state or plan.",
		Attributes: map[string]schema.Attribute{
			"agent_id": agentIDAttribute(),
			"key":      schema.StringAttribute{Required: true, Validators: stringValidators(keyValidator), MarkdownDescription: desc["key"]},
			"limit": schema.Int64Attribute{Optional: true, Computed: true, MarkdownDescription: desc["limit"],
				Validators: []validator.Int64{int64validator.Between(1, 1000)}},
			"messages": schema.ListNestedAttribute{Computed: true, MarkdownDescription: desc["messages"],
				NestedObject: schema.NestedAttributeObject{Attributes: dataSourceMessageAttributes()}},
		},
	}
}

// Read reads the messages.
func (d *SessionHistoryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m historyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(readHistory(ctx, d.data, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
