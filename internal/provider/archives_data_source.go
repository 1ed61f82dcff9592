package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

var (
	_ datasource.DataSource              = &ArchivesDataSource{}
	_ datasource.DataSourceWithConfigure = &ArchivesDataSource{}
)

// ArchivesDataSource lists an agent's archived sessions.
type ArchivesDataSource struct{ configuredDataSource }

// NewArchivesDataSource returns the guayaba_archives data source.
func NewArchivesDataSource() datasource.DataSource { return &ArchivesDataSource{} }

type archiveModel struct {
	Filename   types.String `tfsdk:"filename"`
	Label      types.String `tfsdk:"label"`
	ArchivedAt types.String `tfsdk:"archived_at"`
	SessionID  types.String `tfsdk:"session_id"`
}

// Metadata sets the type name guayaba_archives.
func (d *ArchivesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_archives"
}

// Schema describes guayaba_archives.
func (d *ArchivesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists an agent's archived sessions, optionally filtered (filters combine with AND). Sorted by " +
			"`archived_at`, oldest first, then by filename. Archives do not carry the session key.",
		Attributes: dataSourceFilterAttributes(archiveFilters, map[string]schema.Attribute{
			"agent_id": agentIDAttribute(),
			"archives": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching archives.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"filename": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The archive's filename, e.g. `<session_id>.jsonl.deleted.2026-11-28T17-00-00.000Z`; " +
							"it names the archive in restores and imports."},
					"label": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The label the session had, or null."},
					"archived_at": schema.StringAttribute{Computed: true,
						MarkdownDescription: "When it was archived: RFC 3339 in UTC when the platform's value parses, else as sent."},
					"session_id": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The archived session's UUID."},
				}},
			},
		}),
	}
}

// Read lists and filters. The state starts as the configuration: the
// filters stay as set.
func (d *ArchivesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var agentID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("agent_id"), &agentID)...)
	filter := filterFrom(ctx, archiveFilters, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, list, ok := readAgent(ctx, d.data, agentID, &resp.Diagnostics, "list archives", (*sessions.Agent).Archives)
	if !ok {
		return
	}
	found := []archiveModel{}
	for _, a := range list {
		if filter.Match(a) {
			found = append(found, archiveModel{
				Filename:   types.StringValue(a.Filename),
				Label:      stringPtrValue(a.Label),
				ArchivedAt: types.StringValue(archivedAtRFC3339(a.ArchivedAt)),
				SessionID:  types.StringValue(a.SessionID),
			})
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("agent_id"), agent.ID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("archives"), found)...)
}
