package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

var (
	_ resource.Resource                = &SessionResource{}
	_ resource.ResourceWithConfigure   = &SessionResource{}
	_ resource.ResourceWithImportState = &SessionResource{}
	_ resource.ResourceWithModifyPlan  = &SessionResource{}
)

// on_destroy values.
const (
	onDestroyKeep       = "keep"
	onDestroyClearLabel = "clear_label"
	onDestroyArchive    = "archive"
	onDestroyDelete     = "delete"
)

// SessionResource manages the label and archive state of one existing session.
type SessionResource struct{ configuredResource }

// NewSessionResource returns the guayaba_session resource.
func NewSessionResource() resource.Resource { return &SessionResource{} }

type sessionResourceModel struct {
	ID              types.String `tfsdk:"id"`
	AgentID         types.String `tfsdk:"agent_id"`
	Key             types.String `tfsdk:"key"`
	Label           types.String `tfsdk:"label"`
	Archived        types.Bool   `tfsdk:"archived"`
	OnDestroy       types.String `tfsdk:"on_destroy"`
	SessionID       types.String `tfsdk:"session_id"`
	ArchiveFilename types.String `tfsdk:"archive_filename"`
	ChatType        types.String `tfsdk:"chat_type"`
	LastChannel     types.String `tfsdk:"last_channel"`
}

// Metadata sets the type name guayaba_session.
func (r *SessionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session"
}

// Schema describes guayaba_session.
func (r *SessionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the label and archive state of one existing session (conversation) of a Guayaba agent.\n\n" +
			"Sessions are born in chats (Telegram, web chat, the API), not through Terraform: creating this resource *adopts* a " +
			"session that is in the agent's active sessions. The plan checks the key: `terraform plan` fails, naming the key " +
			"and the agent, when the key is not there (an archived session comes in by import), and with the error apply " +
			"would give when the agent cannot be read (unknown or stopped, or a key of another agent or without `agent:manage`); " +
			"a key known only after apply is checked then. " +
			"Destroying it does nothing to the session unless `on_destroy` says otherwise.\n\n" +
			"A label or archive state changed outside Terraform (in the dashboard) shows as an in-place update in `terraform plan`; " +
			"a session deleted outside Terraform is dropped from state, and the plan to adopt it again fails until a chat " +
			"recreates it.\n\n" +
			"Changing `label` while `archived = true` restores the session, relabels it and archives it again (the transcript " +
			"and `session_id` are kept; `archive_filename` changes). When the conversation is reset (a new `session_id` under the " +
			"same key), an active resource follows the key: `session_id` takes the new value on refresh and nothing is planned. " +
			"A resource tracking an archive that is deleted outside Terraform leaves the state, even when a new conversation " +
			"is active under the same key: that conversation is never adopted or written to without a planned create.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<agent_id>/<key>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"agent_id": schema.StringAttribute{
				MarkdownDescription: "The agent (UUID). Defaults to the provider's `agent_id`. Changing it (or the provider's " +
					"default) forces replacement: see *Replacement* above.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{uuidValidator},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The session key, e.g. `agent:main:telegram:direct:123456789`, `api:<uuid>` or `s-<id>`. " +
					"Keys are opaque strings and may contain colons. Changing it forces replacement: see *Replacement* above.",
				Required:      true,
				Validators:    []validator.String{keyValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"label": schema.StringAttribute{
				MarkdownDescription: "The wanted label; leave it out (null) for no label, and a label set outside Terraform is cleared. " +
					"At most 255 characters, with no white space at either end and none of the invisible characters U+200B, " +
					"U+FEFF or U+200E at either end (the platform trims them all; checked at plan time). Labels are unique " +
					"among an agent's active sessions.",
				Optional:   true,
				Validators: []validator.String{labelValidator},
			},
			"archived": schema.BoolAttribute{
				MarkdownDescription: "`true`: the session is archived (it leaves the active sessions; its transcript is kept). " +
					"`false` (the default): it is active; an archived one is restored under its key with the wanted label.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What `terraform destroy` (or removing the resource) does to the session: `keep` (the default: " +
					"leave it as it is), `clear_label` (remove its label; an archived session's archive is left as it is), " +
					"`archive` (archive it if active), or `delete` (**permanent**: delete the session and its transcript, or its " +
					"archive when archived).",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(onDestroyKeep),
				Validators: []validator.String{stringvalidator.OneOf(
					onDestroyKeep, onDestroyClearLabel, onDestroyArchive, onDestroyDelete)},
			},
			"session_id": schema.StringAttribute{
				MarkdownDescription: "The session's UUID. It changes when the conversation is reset (same key, new conversation).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"archive_filename": schema.StringAttribute{
				MarkdownDescription: "The archive's filename while archived (as listed by `guayaba_archives`), else null.",
				Computed:            true,
			},
			"chat_type": schema.StringAttribute{
				MarkdownDescription: "`direct`, `group` or `channel`, as the platform reports it.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_channel": schema.StringAttribute{
				MarkdownDescription: "The channel of the last message (`telegram`, `webchat`, `whatsapp`, …), as last refreshed.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// ModifyPlan resolves the agent, forces replacement when it changes, plans
// archive_filename, and warns before a permanent delete.
func (r *SessionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var state sessionResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.OnDestroy.ValueString() == onDestroyDelete {
			resp.Diagnostics.Append(permanentDeleteWarning(state.Key.ValueString()))
		}
		return
	}
	var plan, config sessionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *sessionResourceModel
	if !req.State.Raw.IsNull() {
		state = &sessionResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		// Should Terraform replace this object, the create half reads this.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplaced, replacedFromState(*state).marshal())...)
	}

	var ok bool
	if plan.AgentID, ok = r.data.plannedAgentID(config.AgentID, &resp.Diagnostics); !ok {
		return
	}
	plan.planComputed(state)
	if state == nil {
		if !r.refuseUnsafeReplacement(ctx, req, &plan, resp) {
			r.checkAdoption(ctx, plan, &resp.Diagnostics)
		}
		if resp.Diagnostics.HasError() {
			return
		}
	} else {
		planReplacement(*state, &plan, resp)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planComputed plans the computed attributes that follow from the
// configuration: id, archive_filename, and, for a session coming back from
// an archive (archives carry neither), chat_type and last_channel.
func (m *sessionResourceModel) planComputed(state *sessionResourceModel) {
	if !m.AgentID.IsUnknown() && !m.Key.IsUnknown() {
		m.ID = types.StringValue(m.AgentID.ValueString() + "/" + m.Key.ValueString())
	} else {
		m.ID = types.StringUnknown()
	}
	switch {
	case m.Archived.IsUnknown():
		m.ArchiveFilename = types.StringUnknown()
	case !m.Archived.ValueBool():
		m.ArchiveFilename = types.StringNull()
	case state == nil || !state.Archived.ValueBool() || !m.Label.Equal(state.Label):
		m.ArchiveFilename = types.StringUnknown()
	default:
		m.ArchiveFilename = state.ArchiveFilename
	}
	if !m.Archived.ValueBool() {
		if m.ChatType.IsNull() {
			m.ChatType = types.StringUnknown()
		}
		if m.LastChannel.IsNull() {
			m.LastChannel = types.StringUnknown()
		}
	}
}

// planReplacement warns before a changed key or agent replaces the object,
// and forces the replacement of a changed agent.
func planReplacement(state sessionResourceModel, plan *sessionResourceModel, resp *resource.ModifyPlanResponse) {
	agentChanged := !state.AgentID.IsNull() && !plan.AgentID.Equal(state.AgentID)
	if agentChanged || !plan.Key.Equal(state.Key) {
		newKey, newAgent := plan.Key.ValueString(), plan.AgentID.ValueString()
		if plan.Key.IsUnknown() {
			newKey = "(known after apply)"
		}
		if plan.AgentID.IsUnknown() {
			newAgent = "(known after apply)"
		}
		for _, w := range replacementWarnings(replacedFromState(state), newAgent, newKey) {
			resp.Diagnostics.AddWarning(w.Summary, w.Detail)
		}
	}
	if agentChanged {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("agent_id"))
		plan.ID = types.StringUnknown()
		plan.SessionID = types.StringUnknown()
		plan.ChatType = types.StringUnknown()
		plan.LastChannel = types.StringUnknown()
	}
}

// checkAdoption fails the plan of a create that apply could only fail: the
// key is not an active session of the agent, or the agent's listing is
// refused (sessions.CheckAdoption). It reads the agent's cached listing, the
// one the plan's refresh uses, and skips a key or agent unknown until apply.
// An import (an import block or terraform import) plans from the imported
// state, so it never comes here.
func (r *SessionResource) checkAdoption(ctx context.Context, plan sessionResourceModel, diags *diag.Diagnostics) {
	if r.data == nil || plan.AgentID.IsUnknown() || plan.Key.IsUnknown() {
		return
	}
	agentID, key := plan.AgentID.ValueString(), plan.Key.ValueString()
	if err := r.data.agents.Agent(agentID).CheckAdoption(ctx, key); err != nil {
		diags.Append(adoptionDiag(agentID, key, err))
	}
}

// refuseUnsafeReplacement refuses the create half of a replacement whose
// apply could only fail after the destroy half (see session_replace.go),
// and reports whether the create is such a half. A plain create has no
// private data and is not checked here.
func (r *SessionResource) refuseUnsafeReplacement(ctx context.Context, req resource.ModifyPlanRequest, plan *sessionResourceModel,
	resp *resource.ModifyPlanResponse) bool {
	raw, d := req.Private.GetKey(ctx, privateReplaced)
	resp.Diagnostics.Append(d...)
	old, ok := unmarshalReplaced(raw)
	if !ok {
		return false
	}
	agentID, key := plan.AgentID.ValueString(), plan.Key.ValueString()
	var active *bool
	if r.data != nil && !plan.AgentID.IsUnknown() && !plan.Key.IsUnknown() {
		_, found, err := r.data.agents.Agent(agentID).Session(ctx, key)
		if err != nil {
			resp.Diagnostics.Append(apiDiag(fmt.Sprintf("look up session %q", key), agentID, err))
			return true
		}
		active = &found
	}
	refusal := replacementRefusal(old, agentID, key, active)
	switch {
	case refusal == nil:
	case old.Key != key:
		resp.Diagnostics.AddAttributeError(path.Root("key"), refusal.Summary, refusal.Detail)
	case old.AgentID != agentID:
		resp.Diagnostics.AddAttributeError(path.Root("agent_id"), refusal.Summary, refusal.Detail)
	default:
		resp.Diagnostics.AddError(refusal.Summary, refusal.Detail)
	}
	return true
}

// Create adopts an existing active session and brings it to the wanted state.
func (r *SessionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(forgetReplaced(ctx, resp.Private)...)
	var plan sessionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, ok := r.data.agent(plan.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	key := plan.Key.ValueString()
	s, ok := activeSession(ctx, agent, key, adoptWhat(key), nothingToAdopt, &resp.Diagnostics)
	if !ok {
		return
	}
	r.convergeAndSave(ctx, agent, key, sessions.Remote{Active: &s}, &plan, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(setSessionIdentity(ctx, resp.Identity, agent.ID(), key)...)
}

// Read refreshes the state from the listings; a session gone from both is
// removed from state.
func (r *SessionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.Diagnostics.Append(forgetReplaced(ctx, resp.Private)...)
	var state sessionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyKeep)
	}
	agent, ok := r.data.agent(state.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	agentID := agent.ID()
	state.AgentID = types.StringValue(agentID)
	key := state.Key.ValueString()
	// The identity is known from state and never changes; Terraform < 1.12
	// sends none, and the framework wants one back whatever happens below.
	resp.Diagnostics.Append(setSessionIdentity(ctx, resp.Identity, agentID, key)...)
	cur, found, err := agent.Locate(ctx, key, state.SessionID.ValueString(), state.ArchiveFilename.ValueString())
	if err != nil {
		if errors.Is(err, client.ErrAgentNotFound) && state.OnDestroy.ValueString() == onDestroyKeep {
			// Nothing to write, so nothing to block: keep the state as it
			// is, and let a destroy (which needs no API call) complete.
			resp.Diagnostics.Append(agentGoneWarning(agentID, key, err))
			return
		}
		resp.Diagnostics.Append(apiDiag(fmt.Sprintf("read session %q", key), agentID, err))
		return
	}
	if !found {
		tflog.Warn(ctx, "session is gone from the active sessions and the archives; removing it from state",
			map[string]any{"agent_id": agentID, "key": key})
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(agentID + "/" + key)
	state.Label = stringPtrValue(cur.Label())
	state.setFromRemote(cur, true)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update brings the session to the planned label and archive state.
func (r *SessionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(forgetReplaced(ctx, resp.Private)...)
	var plan, state sessionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The identity never changes in an update (agent_id and key force
	// replacement); Terraform < 1.12 sends none, so set it every time.
	resp.Diagnostics.Append(setSessionIdentity(ctx, resp.Identity, plan.AgentID.ValueString(), plan.Key.ValueString())...)
	if plan.Label.Equal(state.Label) && plan.Archived.Equal(state.Archived) {
		// Only on_destroy changed: nothing to do on the platform.
		plan.ArchiveFilename = state.ArchiveFilename
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	l, ok := r.locate(ctx, &plan, &state, &resp.Diagnostics)
	if !ok {
		return
	}
	if !l.found {
		resp.Diagnostics.Append(sessionGoneDiag(l.agent.ID(), l.key))
		return
	}
	r.convergeAndSave(ctx, l.agent, l.key, l.cur, &plan, &resp.State, &resp.Diagnostics)
}

// located is a managed session as the listings show it now.
type located struct {
	agent *sessions.Agent
	key   string
	cur   sessions.Remote
	found bool
}

// locate resolves the agent of m (the plan or the state) and finds the
// session where state last saw it: by key, session id and archive
// filename. It returns false, with the error in diags, when it cannot.
func (r *SessionResource) locate(ctx context.Context, m, state *sessionResourceModel, diags *diag.Diagnostics) (located, bool) {
	agent, ok := r.data.agent(m.AgentID, diags)
	if !ok {
		return located{}, false
	}
	l := located{agent: agent, key: m.Key.ValueString()}
	var err error
	l.cur, l.found, err = agent.Locate(ctx, l.key, state.SessionID.ValueString(), state.ArchiveFilename.ValueString())
	if err != nil {
		diags.Append(apiDiag(fmt.Sprintf("read session %q", l.key), agent.ID(), err))
		return located{}, false
	}
	return l, true
}

// Delete applies on_destroy; a session already gone is success.
func (r *SessionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sessionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	mode := state.OnDestroy.ValueString()
	if mode == "" || mode == onDestroyKeep {
		return
	}
	l, ok := r.locate(ctx, &state, &state, &resp.Diagnostics)
	if !ok || !l.found {
		return
	}
	agentID, key, agent, cur := l.agent.ID(), l.key, l.agent, l.cur
	switch mode {
	case onDestroyClearLabel:
		if cur.Active != nil && cur.Active.Label != nil {
			if _, err := agent.Rename(ctx, *cur.Active, nil); err != nil {
				resp.Diagnostics.Append(apiDiag(fmt.Sprintf("clear the label of session %q", key), agentID, err))
			}
		} else if cur.Archive != nil && cur.Archive.Label != nil {
			resp.Diagnostics.Append(archiveKeepsLabelWarning(key, cur.Archive.Filename, *cur.Archive.Label))
		}
	case onDestroyArchive:
		if cur.Active != nil {
			if _, err := agent.Archive(ctx, *cur.Active); err != nil {
				resp.Diagnostics.Append(apiDiag(fmt.Sprintf("archive session %q", key), agentID, err))
			}
		}
	case onDestroyDelete:
		if cur.Active != nil {
			if err := agent.DeleteSession(ctx, *cur.Active); err != nil {
				resp.Diagnostics.Append(apiDiag(fmt.Sprintf("delete session %q", key), agentID, err))
			}
		} else if err := agent.DeleteArchive(ctx, *cur.Archive); err != nil {
			resp.Diagnostics.Append(apiDiag(fmt.Sprintf("delete archive %s of session %q", cur.Archive.Filename, key), agentID, err))
		}
	}
}

// ImportState accepts `<agent_id>/<key>`, `<key>` (with the provider's
// agent_id), and for an archived session `<agent_id>/<key>@<archive_filename>`
// or `<key>@<archive_filename>`; or an identity (agent_id, key) of an
// active session.
func (r *SessionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.data.ready(&resp.Diagnostics) {
		return
	}
	id, byIdentity := req.ID, false
	if id == "" && req.Identity != nil {
		var diags diag.Diagnostics
		id, diags = importIDFromIdentity(ctx, req.Identity)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		byIdentity = true
	}
	agentID, key := "", id
	if i := strings.Index(id, "/"); i > 0 && isUUID(id[:i]) {
		agentID, key = id[:i], id[i+1:]
	}
	agentID = r.data.agentIDFor(types.StringValue(agentID))
	if agentID == "" || strings.TrimSpace(key) == "" {
		resp.Diagnostics.AddError("Invalid import ID", importIDHelp(id))
		return
	}
	// The archive named by the ID, when it is one: its filename and
	// session id go to state as listed.
	agent := r.data.agents.Agent(agentID)
	var archive *client.Archive
	if i := strings.LastIndex(key, "@"); !byIdentity && i > 0 && i < len(key)-1 {
		archives, err := agent.Archives(ctx)
		if err != nil {
			resp.Diagnostics.Append(apiDiag("list archives", agentID, err))
			return
		}
		if a, ok := sessions.FindArchive(archives, key[i+1:], ""); ok {
			key, archive = key[:i], &a
		}
	}
	if archive == nil {
		if _, ok, err := agent.Session(ctx, key); err != nil {
			resp.Diagnostics.Append(apiDiag(fmt.Sprintf("import session %q", key), agentID, err))
			return
		} else if !ok && byIdentity {
			resp.Diagnostics.Append(importNotFoundDiag(agentID, key, archivedImportByIdentityHelp(agentID, key)))
			return
		} else if !ok {
			resp.Diagnostics.Append(importNotFoundDiag(agentID, key, " and no archive by that name.\n\n"+importIDHelp(id)))
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("agent_id"), agentID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("key"), key)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), agentID+"/"+key)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("on_destroy"), onDestroyKeep)...)
	if archive != nil {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("archive_filename"), archive.Filename)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("archived"), true)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("session_id"), archive.SessionID)...)
	}
	resp.Diagnostics.Append(setSessionIdentity(ctx, resp.Identity, agentID, key)...)
}

func importIDHelp(got string) string {
	return fmt.Sprintf("The import ID %q is not one of the accepted forms:\n"+
		"  <agent_id>/<key>                    an active session, e.g. 3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b/agent:main:telegram:direct:123456789\n"+
		"  <key>                               an active session of the provider's agent_id\n"+
		"  <agent_id>/<key>@<archive_filename> an archived session (its filename as listed by guayaba_archives)\n"+
		"  <key>@<archive_filename>            an archived session of the provider's agent_id\n"+
		"The agent_id is a UUID; the key is the session key exactly as listed by guayaba_sessions.", got)
}

// convergeAndSave brings the session to the plan and records the outcome.
func (r *SessionResource) convergeAndSave(ctx context.Context, agent *sessions.Agent, key string, cur sessions.Remote,
	plan *sessionResourceModel, state *tfsdk.State, diags *diag.Diagnostics) {
	label := stringPtr(plan.Label)
	final, err := agent.Converge(ctx, key, cur, label, plan.Archived.ValueBool())
	if err != nil {
		diags.Append(convergeDiag(agent.ID(), label, err))
		return
	}
	plan.setFromRemote(final, false)
	diags.Append(state.Set(ctx, plan)...)
}

// setFromRemote copies the platform's view into the model. When fromRefresh
// is false (after a write), the planned values of attributes that only chat
// activity changes are kept so that the result matches the plan; the next
// refresh records any change.
func (m *sessionResourceModel) setFromRemote(cur sessions.Remote, fromRefresh bool) {
	m.Archived = types.BoolValue(cur.Archived())
	keep := func(planned types.String, actual string) types.String {
		if !fromRefresh && !planned.IsUnknown() && !planned.IsNull() {
			return planned
		}
		return types.StringValue(actual)
	}
	m.SessionID = keep(m.SessionID, cur.SessionID())
	if cur.Active != nil {
		m.ArchiveFilename = types.StringNull()
		m.ChatType = keep(m.ChatType, cur.Active.ChatType)
		m.LastChannel = keep(m.LastChannel, cur.Active.LastChannel)
	} else {
		m.ArchiveFilename = types.StringValue(cur.Archive.Filename)
		// Archives carry neither chat type nor channel: keep what was known.
		known := func(v types.String, fromActive func(*client.Session) string) types.String {
			if !v.IsUnknown() {
				return v
			}
			if cur.LastActive != nil {
				return types.StringValue(fromActive(cur.LastActive))
			}
			return types.StringNull()
		}
		m.ChatType = known(m.ChatType, func(s *client.Session) string { return s.ChatType })
		m.LastChannel = known(m.LastChannel, func(s *client.Session) string { return s.LastChannel })
	}
}
