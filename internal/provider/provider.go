// Package provider implements the Guayaba Terraform provider: the provider
// block, the guayaba_session resource, the data sources and the ephemeral
// history reader.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/guayabadotrun/guayaba"

// Environment variables read when the provider block leaves an attribute out.
const (
	EnvAPIKey  = "GUAYABA_API_KEY"
	EnvBaseURL = "GUAYABA_BASE_URL"
	EnvAgentID = "GUAYABA_AGENT_ID"
)

var (
	_ provider.Provider                       = &GuayabaProvider{}
	_ provider.ProviderWithEphemeralResources = &GuayabaProvider{}
	_ provider.ProviderWithFunctions          = &GuayabaProvider{}
	_ provider.ProviderWithListResources      = &GuayabaProvider{}
	_ provider.ProviderWithActions            = &GuayabaProvider{}
)

// GuayabaProvider is the provider implementation.
type GuayabaProvider struct {
	version string
}

// New returns a constructor of the provider for providerserver.Serve.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &GuayabaProvider{version: version}
	}
}

type providerModel struct {
	APIKey         types.String `tfsdk:"api_key"`
	BaseURL        types.String `tfsdk:"base_url"`
	AgentID        types.String `tfsdk:"agent_id"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
}

// Metadata sets the type name prefix "guayaba".
func (p *GuayabaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "guayaba"
	resp.Version = p.version
}

// Schema describes the provider block.
func (p *GuayabaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage the sessions (conversations) of your Guayaba AI agents: their labels and archive state, " +
			"and read sessions, archives and transcripts.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "API key: a master key (`g_master_…`, every agent of the account) or an agent key " +
					"(`g_agent_…`, one agent) with the `agent:manage` scope. Falls back to the `" + EnvAPIKey +
					"` environment variable. Never written to logs.",
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the API. Falls back to `" + EnvBaseURL + "`, then `" + client.DefaultBaseURL +
					"`. Must use `https://` unless the host is loopback (`127.0.0.1`, `::1`, `localhost`), as for the offline sandbox.",
				Optional:   true,
				Validators: []validator.String{baseURLValidator},
			},
			"agent_id": schema.StringAttribute{
				MarkdownDescription: "Default agent (UUID) of every resource and data source that does not set its own `agent_id`. " +
					"Falls back to `" + EnvAgentID + "`. Agent keys serve one agent, so most configurations set it once here.",
				Optional:   true,
				Validators: []validator.String{uuidValidator},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a throttled or failed call (HTTP 429, 500, 502, 503, 504, connection errors "+
					"and timeouts) is retried, with exponential backoff that honours `Retry-After`. `0` disables retries. Default `%d`.", client.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP attempt, as a Go duration such as `\"30s\"` or `\"2m\"`. Default `\"" +
					client.DefaultRequestTimeout.String() + "\"`.",
				Optional:   true,
				Validators: []validator.String{durationValidator},
			},
		},
	}
}

// Configure builds the API client from the provider block and the environment.
func (p *GuayabaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.refuseUnknown(&resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	clientConfig, agentID := cfg.resolve(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	clientConfig.UserAgent = client.UserAgent(p.version, req.TerraformVersion)
	c, err := client.New(clientConfig)
	if err != nil {
		resp.Diagnostics.Append(clientConfigDiag(err))
		return
	}
	data := newProviderData(c, agentID)
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// refuseUnknown adds an error for every attribute only known after apply.
func (cfg providerModel) refuseUnknown(diags *diag.Diagnostics) {
	unknown := func(v interface{ IsUnknown() bool }, name, env string) {
		if v.IsUnknown() {
			detail := "The provider cannot be configured with a value that is only known after apply. " +
				"Set `" + name + "` to a value known at plan time"
			if env != "" {
				detail += " or use the " + env + " environment variable"
			}
			diags.AddAttributeError(path.Root(name), "Unknown value for "+name, detail+".")
		}
	}
	unknown(cfg.APIKey, "api_key", EnvAPIKey)
	unknown(cfg.BaseURL, "base_url", EnvBaseURL)
	unknown(cfg.AgentID, "agent_id", EnvAgentID)
	unknown(cfg.MaxRetries, "max_retries", "")
	unknown(cfg.RequestTimeout, "request_timeout", "")
}

// resolve fills every attribute from the block, the environment or its
// default, checks it, and returns the client's configuration and the
// default agent; every problem is an error (or warning) in diags.
func (cfg providerModel) resolve(diags *diag.Diagnostics) (client.Config, string) {
	apiKey := stringOrEnv(cfg.APIKey, EnvAPIKey)
	if strings.TrimSpace(apiKey) == "" {
		diags.AddAttributeError(path.Root("api_key"), "Missing API key",
			"The provider needs an API key. Set `api_key` in the provider block or the "+EnvAPIKey+
				" environment variable to a master key (g_master_…) or an agent key (g_agent_…) with the agent:manage scope.")
	} else if !strings.HasPrefix(apiKey, "g_master_") && !strings.HasPrefix(apiKey, "g_agent_") {
		diags.AddAttributeWarning(path.Root("api_key"), "Unexpected API key format",
			"Guayaba API keys start with g_master_ or g_agent_. The key given does not; requests will likely fail with 401.")
	}
	baseURL := stringOrEnv(cfg.BaseURL, EnvBaseURL)
	if baseURL == "" {
		baseURL = client.DefaultBaseURL
	}
	if problem := baseURLProblem(baseURL); problem != "" {
		diags.AddAttributeError(path.Root("base_url"), "Invalid base_url", problem+" (from "+sourceOf(cfg.BaseURL, EnvBaseURL)+").")
	}
	agentID := stringOrEnv(cfg.AgentID, EnvAgentID)
	if agentID != "" && !isUUID(agentID) {
		diags.AddAttributeError(path.Root("agent_id"), "Invalid agent_id", notAUUID(agentID, sourceOf(cfg.AgentID, EnvAgentID)))
	}
	var maxRetries *int // the client's default
	if !cfg.MaxRetries.IsNull() {
		maxRetries = new(int(cfg.MaxRetries.ValueInt64()))
	}
	timeout := client.DefaultRequestTimeout
	if !cfg.RequestTimeout.IsNull() {
		d, err := parsePositiveDuration(cfg.RequestTimeout.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout", err.Error())
		}
		timeout = d
	}
	return client.Config{BaseURL: baseURL, APIKey: apiKey, MaxRetries: maxRetries, RequestTimeout: timeout}, agentID
}

// Resources lists the managed resources.
func (p *GuayabaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewSessionResource, NewSessionLabelsResource}
}

// DataSources lists the data sources.
func (p *GuayabaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewSessionsDataSource,
		NewSessionDataSource,
		NewArchivesDataSource,
		NewSessionHistoryDataSource,
	}
}

// EphemeralResources lists the ephemeral resources (Terraform >= 1.10,
// OpenTofu >= 1.11).
func (p *GuayabaProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewSessionHistoryEphemeralResource}
}

// ListResources lists the list resources for `terraform query` (Terraform >= 1.14).
func (p *GuayabaProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewSessionListResource}
}

// Actions lists the actions (Terraform >= 1.14).
func (p *GuayabaProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewArchiveSessionAction,
		NewDeleteSessionAction,
		NewRestoreArchiveAction,
		NewDeleteArchiveAction,
	}
}

// Functions lists the provider-defined functions (Terraform >= 1.8).
func (p *GuayabaProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewParseSessionKeyFunction}
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func sourceOf(v types.String, env string) string {
	if !v.IsNull() {
		return "the provider block"
	}
	return "the " + env + " environment variable"
}
