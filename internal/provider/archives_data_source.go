package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

type archivesDataSourceModel struct {
	AgentID        types.String   `tfsdk:"agent_id"`
	SessionID      types.String   `tfsdk:"session_id"`
	Label          types.String   `tfsdk:"label"`
	ArchivedAfter  types.String   `tfsdk:"archived_after"`
	ArchivedBefore types.String   `tfsdk:"archived_before"`
	Archives       []archiveModel `tfsdk:"archives"`
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
		Attributes: map[string]schema.Attribute{
			"agent_id": agentIDAttribute(),
			"session_id": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only archives of this session id."},
			"label": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only archives with exactly this label."},
			"archived_after": schema.StringAttribute{Optional: true, Validators: stringValidators(rfc3339Validator),
				MarkdownDescription: "Only archives made strictly after this RFC 3339 time."},
			"archived_before": schema.StringAttribute{Optional: true, Validators: stringValidators(rfc3339Validator),
				MarkdownDescription: "Only archives made strictly before this RFC 3339 time."},
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
		},
	}
}

// Read lists and filters.
func (d *ArchivesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m archivesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, ok := d.data.agent(m.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	list, err := agent.Archives(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("list archives", agent.ID(), err))
		return
	}
	filter := sessions.ArchiveFilter{SessionID: stringPtr(m.SessionID), Label: stringPtr(m.Label),
		ArchivedAfter: parseOptionalTime(m.ArchivedAfter), ArchivedBefore: parseOptionalTime(m.ArchivedBefore)}
	m.AgentID = types.StringValue(agent.ID())
	m.Archives = []archiveModel{}
	for _, a := range list {
		if !filter.Match(a) {
			continue
		}
		m.Archives = append(m.Archives, archiveModel{
			Filename:   types.StringValue(a.Filename),
			Label:      stringPtrValue(a.Label),
			ArchivedAt: types.StringValue(archivedAtRFC3339(a.ArchivedAt)),
			SessionID:  types.StringValue(a.SessionID),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
