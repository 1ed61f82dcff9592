package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	fwattr "github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

var (
	_ resource.Resource                = &SessionLabelsResource{}
	_ resource.ResourceWithConfigure   = &SessionLabelsResource{}
	_ resource.ResourceWithImportState = &SessionLabelsResource{}
	_ resource.ResourceWithModifyPlan  = &SessionLabelsResource{}
)

// on_destroy values of guayaba_session_labels (keep is shared with guayaba_session).
const onDestroyClear = "clear"

// labelWorkers bounds the renames one apply runs at once. The client's
// throttle paces them further after a 429.
const labelWorkers = 8

// SessionLabelsResource manages the labels of many sessions of one agent.
type SessionLabelsResource struct{ configuredResource }

// NewSessionLabelsResource returns the guayaba_session_labels resource.
func NewSessionLabelsResource() resource.Resource { return &SessionLabelsResource{} }

type sessionLabelsModel struct {
	ID          types.String `tfsdk:"id"`
	AgentID     types.String `tfsdk:"agent_id"`
	Labels      types.Map    `tfsdk:"labels"`
	Exclusive   types.Bool   `tfsdk:"exclusive"`
	OnDestroy   types.String `tfsdk:"on_destroy"`
	MissingKeys types.List   `tfsdk:"missing_keys"`
	OtherLabels types.Map    `tfsdk:"other_labels"`
}

// Metadata sets the type name guayaba_session_labels.
func (r *SessionLabelsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session_labels"
}

// Schema describes guayaba_session_labels.
func (r *SessionLabelsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the labels of many sessions of one agent in a single resource: a map from session key " +
			"to label. One resource holding thousands of labels plans in seconds, where one `guayaba_session` per session " +
			"costs Terraform a resource instance each (see the guide *One resource per session, or " +
			"guayaba_session_labels*).\n\n" +
			"Drift is per key: a label changed or cleared outside Terraform shows as a change of that entry of `labels`. " +
			"Keys that are not active sessions (archived, deleted, or not created yet by a chat) do not fail the resource: " +
			"they are listed in `missing_keys`, the plan warns about them, and the other labels are applied.\n\n" +
			"Labels are unique among an agent's active sessions. An apply orders its renames so that labels moving " +
			"between sessions of the map — moves, swaps, rotations — converge in one apply (a label that moves in a cycle " +
			"is released first, which costs one extra rename per cycle). A wanted label held by a session outside the map " +
			"fails that entry, unless `exclusive = true`.\n\n" +
			"Removing a key from `labels` stops managing it: `on_destroy = \"clear\"` clears its label (when it is still the " +
			"one this resource set), `keep` leaves it. Do not manage a session both here and with `guayaba_session`, and " +
			"never combine `exclusive = true` with `guayaba_session` resources of the same agent: each would undo the other.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The agent's id (the same as `agent_id`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"agent_id": schema.StringAttribute{
				MarkdownDescription: "The agent (UUID). Defaults to the provider's `agent_id`. Changing it forces replacement.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{uuidValidator},
			},
			"labels": schema.MapAttribute{
				MarkdownDescription: "The wanted labels: session key → label, e.g. " +
					"`{ \"agent:main:telegram:group:-1001234567890\" = \"Support\" }`. Each label is validated like " +
					"`guayaba_session.label` (at most 255 characters, no white space at either end) and must be unique in " +
					"the map. Keys are session keys exactly as `guayaba_sessions` lists them.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Map{labelEntriesValidator{}},
			},
			"exclusive": schema.BoolAttribute{
				MarkdownDescription: "`true`: every other active session of the agent must have no label; the plan shows " +
					"their labels in `other_labels` being removed, and the apply clears them (but for listed keys with white " +
					"space at either end, which a write would reach as another session: they are left alone, with a " +
					"warning). An apply clears only the labels its plan showed in `other_labels`: a label set or changed " +
					"outside Terraform after the plan (even one applied from a saved plan file) is left alone, with a " +
					"warning, and the next plan shows it. When the resource is created, or `exclusive` turned on, the " +
					"plan's warning names the labels it saw, and the apply clears those its own listing shows; when `labels` is " +
					"known only at apply, `other_labels` is too, and the plan warns. A key removed from `labels` is " +
					"cleared only by `on_destroy = \"clear\"`: otherwise it keeps its label in that apply, with a warning, " +
					"and the next plan shows it in `other_labels`. Never combine with " +
					"`guayaba_session` resources on the same agent. Defaults to `false`: sessions outside the map are left alone.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What `terraform destroy` (and removing a key from `labels`) does: `keep` (the default: " +
					"leave the labels as they are) or `clear` (remove the labels this resource set; a label changed outside " +
					"Terraform since is left, although a refresh shows it in `labels`: the resource keeps what it set in " +
					"its private state. For state written by an earlier version of the provider, the labels that state " +
					"recorded count as set by this resource).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onDestroyKeep),
				Validators: []validator.String{stringvalidator.OneOf(onDestroyKeep, onDestroyClear)},
			},
			"missing_keys": schema.ListAttribute{
				MarkdownDescription: "The keys of `labels` that are not active sessions of the agent (archived, deleted, or " +
					"not created yet), sorted. Their labels are not applied; the plan warns about them.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"other_labels": schema.MapAttribute{
				MarkdownDescription: "With `exclusive = true`: the labels of the agent's active sessions that are not in " +
					"`labels` (key → label), which the apply clears, so after an apply it is empty. Null otherwise.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

// ModifyPlan resolves the agent, forces replacement when it changes, and
// warns about keys that are not active, labels held outside the map and
// the labels exclusive is about to clear.
func (r *SessionLabelsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, config sessionLabelsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *sessionLabelsModel
	if !req.State.Raw.IsNull() {
		state = &sessionLabelsModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	var ok bool
	if plan.AgentID, ok = r.data.plannedAgentID(config.AgentID, &resp.Diagnostics); !ok {
		return
	}
	plan.ID = plan.AgentID
	if state != nil && !state.AgentID.IsNull() && !plan.AgentID.Equal(state.AgentID) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("agent_id"))
		state = nil
	}
	plan.OtherLabels = types.MapNull(types.StringType)
	_, labelsKnown := knownLabels(plan.Labels)
	switch {
	case plan.Exclusive.IsUnknown():
		plan.OtherLabels = types.MapUnknown(types.StringType)
	case plan.Exclusive.ValueBool() && !labelsKnown:
		// Which labels are "other" is known only at apply.
		plan.OtherLabels = types.MapUnknown(types.StringType)
		resp.Diagnostics.Append(exclusiveUnknownLabelsWarning())
	case plan.Exclusive.ValueBool():
		plan.OtherLabels = types.MapValueMust(types.StringType, map[string]fwattr.Value{})
	}
	unchanged := state != nil && plan.Labels.Equal(state.Labels) && plan.Exclusive.Equal(state.Exclusive) &&
		plan.OnDestroy.Equal(state.OnDestroy) && plan.OtherLabels.Equal(state.OtherLabels)
	if unchanged {
		plan.MissingKeys = state.MissingKeys
	} else {
		plan.MissingKeys = types.ListUnknown(types.StringType)
	}
	resp.Diagnostics.Append(setPlan(ctx, &resp.Plan, &plan)...)
	if labelsKnown && !plan.AgentID.IsUnknown() && !plan.Exclusive.IsUnknown() &&
		r.data != nil && !resp.Diagnostics.HasError() {
		r.warn(ctx, plan, priorOf(ctx, state, req.Private, &resp.Diagnostics), &resp.Diagnostics)
	}
}

// warn plans the renames from the listing, as the apply will, and warns
// about what it cannot do or does to sessions outside the map.
func (r *SessionLabelsResource) warn(ctx context.Context, plan sessionLabelsModel, prior labelsPrior, diags *diag.Diagnostics) {
	state := prior.state
	agent, cur, lp, ok := r.plan(ctx, plan, prior, diags)
	if !ok {
		return
	}
	if len(lp.Missing) > 0 {
		diags.Append(missingKeysWarning(agent.ID(), lp.Missing))
	}
	if len(lp.Conflicts) > 0 {
		diags.Append(conflictsWarning(lp.Conflicts))
	}
	if len(lp.Unaddressable) > 0 {
		diags.Append(unaddressableKeysWarning(agent.ID(), lp.Unaddressable))
	}
	if len(lp.KeptRemoved) > 0 && plan.Exclusive.ValueBool() {
		diags.Append(keptRemovedWarning(lp.KeptRemoved))
	}
	if plan.Exclusive.ValueBool() && (state == nil || !state.Exclusive.ValueBool()) {
		wanted, _ := knownLabels(plan.Labels)
		if others := cur.Others(wanted); len(others) > 0 {
			diags.Append(exclusiveClearsWarning(agent.ID(), others))
		}
	}
}

// current resolves the agent of v and lists its labels.
func (r *SessionLabelsResource) current(ctx context.Context, v types.String, diags *diag.Diagnostics) (*sessions.Agent,
	sessions.CurrentLabels, bool) {
	return readAgent(ctx, r.data, v, diags, "list the sessions of agent "+r.data.agentIDFor(v), (*sessions.Agent).CurrentLabels)
}

// shownOthers is what a plan from state shows exclusive clearing: the
// labels outside the map that state's refresh listed (other_labels), or nil
// when state has none (a create, or exclusive turned on: the apply clears
// what its own listing shows, and the plan's warning names what it saw).
// Terraform applies a saved plan with the state it was made from, so this
// is the same at plan and at apply.
func shownOthers(state *sessionLabelsModel) map[string]string {
	if state == nil || !state.Exclusive.ValueBool() || state.OtherLabels.IsNull() {
		return nil
	}
	shown, _ := knownLabels(state.OtherLabels)
	return shown
}

// writtenDriftKey is the private state key of what the resource itself last
// wrote, stored as its sessions.Drift from labels: empty (no key) unless a
// label was changed by hand since. State from before it existed has none,
// so its labels count as written (sessions.Undrift).
const writtenDriftKey = "written_drift"

// privateState is a request's or response's private state.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// labelsPrior is what a plan or change of the resource starts from: its
// state (nil at create), its labels, and what it last wrote itself.
type labelsPrior struct {
	state   *sessionLabelsModel
	labels  map[string]string
	written map[string]string
}

func priorOf(ctx context.Context, state *sessionLabelsModel, priv privateState, diags *diag.Diagnostics) labelsPrior {
	p := labelsPrior{state: state}
	if state == nil {
		return p
	}
	p.labels, _ = knownLabels(state.Labels)
	var drift map[string]*string
	raw, d := priv.GetKey(ctx, writtenDriftKey)
	diags.Append(d...)
	if len(raw) > 0 && !d.HasError() {
		if err := json.Unmarshal(raw, &drift); err != nil {
			// Unreadable: count the labels as written, as for earlier state.
			tflog.Warn(ctx, "guayaba_session_labels: unreadable private state", map[string]any{"error": err.Error()})
			drift = nil
		}
	}
	p.written = sessions.Undrift(p.labels, drift)
	return p
}

// setWritten records in priv what the resource wrote, st.Written, as its
// drift from st.Labels.
func setWritten(ctx context.Context, priv privateState, st sessions.LabelsState, diags *diag.Diagnostics) {
	var raw []byte
	if d := sessions.Drift(st.Labels, st.Written); len(d) > 0 {
		raw, _ = json.Marshal(d)
	}
	diags.Append(priv.SetKey(ctx, writtenDriftKey, raw)...)
}

// plan lists the agent's labels and plans the renames to plan's labels
// from prior; with exclusive, it clears only the labels its state showed
// (see shownOthers).
func (r *SessionLabelsResource) plan(ctx context.Context, plan sessionLabelsModel, prior labelsPrior,
	diags *diag.Diagnostics) (*sessions.Agent, sessions.CurrentLabels, sessions.LabelPlan, bool) {
	agent, cur, ok := r.current(ctx, plan.AgentID, diags)
	if !ok {
		return nil, cur, sessions.LabelPlan{}, false
	}
	wanted, _ := knownLabels(plan.Labels)
	return agent, cur, sessions.PlanLabels(sessions.LabelsInput{
		Current: cur.Labels, Wanted: wanted, Previous: prior.labels, Written: prior.written,
		Exclusive: plan.Exclusive.ValueBool(), Shown: shownOthers(prior.state),
		ClearRemoved: plan.OnDestroy.ValueString() == onDestroyClear,
	}), true
}

// Create sets the labels of the map.
func (r *SessionLabelsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sessionLabelsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	final, st, ok := r.apply(ctx, plan, labelsPrior{}, &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(setState(ctx, &resp.State, &final)...)
		setWritten(ctx, resp.Private, st, &resp.Diagnostics)
	}
	// On failure nothing is recorded: the next apply plans the whole map
	// again against the listing, so the labels already set cost nothing.
}

// Update brings the labels to the plan.
func (r *SessionLabelsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state sessionLabelsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	final, st, ok := r.apply(ctx, plan, priorOf(ctx, &state, req.Private, &resp.Diagnostics), &resp.Diagnostics)
	switch {
	case ok || final.AgentID.ValueString() != "":
		// Even after a failed rename the state records what is now true, so
		// that the next plan shows exactly what is left to do.
		resp.Diagnostics.Append(setState(ctx, &resp.State, &final)...)
		setWritten(ctx, resp.Private, st, &resp.Diagnostics)
	default:
		// Nothing was listed, so nothing was changed.
		resp.Diagnostics.Append(setState(ctx, &resp.State, &state)...)
	}
}

// apply runs the renames from the listing to the plan, from prior (empty
// at create), and returns the state to record (none when nothing was
// listed) with what it records of the labels; ok is false when some of the
// renames did not happen.
func (r *SessionLabelsResource) apply(ctx context.Context, plan sessionLabelsModel, prior labelsPrior,
	diags *diag.Diagnostics) (sessionLabelsModel, sessions.LabelsState, bool) {
	// Before listing: no other labels resource of this apply may clear
	// these keys any more, and the clears in flight are waited for.
	agent, ok := r.data.agent(plan.AgentID, diags)
	if !ok {
		return sessionLabelsModel{}, sessions.LabelsState{}, false
	}
	wanted, _ := knownLabels(plan.Labels)
	if err := agent.WantLabels(ctx, wanted); err != nil {
		diags.Append(apiDiag("wait for the label changes of the other resources of this apply", agent.ID(), err))
		return sessionLabelsModel{}, sessions.LabelsState{}, false
	}
	agent, cur, lp, ok := r.plan(ctx, plan, prior, diags)
	if !ok {
		return sessionLabelsModel{}, sessions.LabelsState{}, false
	}
	if len(lp.Unplanned) > 0 {
		diags.Append(unplannedLabelsWarning(agent.ID(), lp.Unplanned))
	}
	res := r.run(ctx, agent, cur, lp)
	if !res.Complete {
		for _, c := range lp.Conflicts {
			_, unplanned := slices.BinarySearch(lp.Unplanned, c.Holder)
			diags.Append(labelConflictDiag(c, unplanned))
		}
		for _, k := range lp.Blocked {
			diags.Append(labelBlockedDiag(k, wanted[k]))
		}
		reported := map[string]bool{}
		for i, err := range res.Errs {
			rn := lp.Renames[i]
			if reported[rn.Key] {
				continue
			}
			reported[rn.Key] = true
			holder := ""
			if sessions.IsLabelInUse(err) {
				holder = agent.LabelHolder(ctx, rn.Key, rn.To)
			}
			diags.Append(labelRenameDiag(agent.ID(), rn, holder, err))
		}
	}
	final := plan
	final.ID = plan.AgentID
	final.setLabels(res.State, !res.Complete)
	return final, res.State, res.Complete
}

// setLabels records a state of the labels; managed says whether labels
// becomes the labels managed now (after a partial failure) or stays as
// planned.
func (m *sessionLabelsModel) setLabels(st sessions.LabelsState, managed bool) {
	if managed {
		m.Labels = stringMapValue(st.Labels)
	}
	m.MissingKeys = stringListValue(st.Missing)
	m.OtherLabels = types.MapNull(types.StringType)
	if st.Others != nil {
		m.OtherLabels = stringMapValue(st.Others)
	}
}

// run performs a plan's renames with bounded concurrency, logging progress.
func (r *SessionLabelsResource) run(ctx context.Context, agent *sessions.Agent, cur sessions.CurrentLabels, lp sessions.LabelPlan) sessions.LabelRunResult {
	if len(lp.Renames) > 0 {
		tflog.Info(ctx, "guayaba_session_labels: renaming sessions", map[string]any{
			"agent_id": agent.ID(), "renames": len(lp.Renames), "changes": lp.Changes(), "workers": labelWorkers,
		})
	}
	return agent.RunLabels(ctx, cur, lp, labelWorkers, func(done, failed, total int) {
		tflog.Info(ctx, "guayaba_session_labels: progress", map[string]any{
			"agent_id": agent.ID(), "done": done, "failed": failed, "total": total,
		})
	})
}

// Read refreshes each managed key's label from one listing. A key that is
// not active keeps its recorded label and is listed in missing_keys; an
// active session without a label drops out of labels, so the plan shows
// the entry being set again.
func (r *SessionLabelsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state sessionLabelsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	agent, cur, ok := r.current(ctx, state.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	prior := priorOf(ctx, &state, req.Private, &resp.Diagnostics)
	state.AgentID = types.StringValue(agent.ID())
	state.ID = state.AgentID
	if state.Exclusive.IsNull() {
		state.Exclusive = types.BoolValue(false)
	}
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyKeep)
	}
	st := cur.Refresh(prior.labels, prior.written, state.Exclusive.ValueBool())
	state.setLabels(st, true)
	resp.Diagnostics.Append(setState(ctx, &resp.State, &state)...)
	setWritten(ctx, resp.Private, st, &resp.Diagnostics)
}

// Delete applies on_destroy: clear removes the labels this resource set,
// where they are still the ones it set.
func (r *SessionLabelsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sessionLabelsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.OnDestroy.ValueString() != onDestroyClear {
		return
	}
	agent, cur, ok := r.current(ctx, state.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	prior := priorOf(ctx, &state, req.Private, &resp.Diagnostics)
	lp := sessions.PlanLabels(sessions.LabelsInput{Current: cur.Labels, Previous: prior.labels, Written: prior.written,
		ClearRemoved: true})
	res := r.run(ctx, agent, cur, lp)
	for i, err := range res.Errs {
		rn := lp.Renames[i]
		resp.Diagnostics.Append(apiDiag(fmt.Sprintf("clear the label %q of session %q", deref(rn.From), rn.Key), agent.ID(), err))
	}
}

// ImportState accepts `<agent_id>`, or an empty ID for the provider's
// agent_id: labels becomes every labelled active session of the agent.
func (r *SessionLabelsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.data.ready(&resp.Diagnostics) {
		return
	}
	agentID := r.data.agentIDFor(types.StringValue(strings.TrimSpace(req.ID)))
	if !isUUID(agentID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID %q is not one of the accepted forms:\n"+
				"  <agent_id>   the agent whose labels to import, e.g. 3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b\n"+
				"  (empty)      the provider's agent_id (it is not set, or not a UUID)\n"+
				"Every labelled active session of the agent becomes an entry of labels.", req.ID))
		return
	}
	_, cur, ok := readAgent(ctx, r.data, types.StringValue(agentID), &resp.Diagnostics, "import the labels of agent "+agentID,
		(*sessions.Agent).CurrentLabels)
	if !ok {
		return
	}
	st := sessionLabelsModel{
		ID:          types.StringValue(agentID),
		AgentID:     types.StringValue(agentID),
		Labels:      stringMapValue(cur.Others(nil)),
		Exclusive:   types.BoolValue(false),
		OnDestroy:   types.StringValue(onDestroyKeep),
		MissingKeys: stringListValue(nil),
		OtherLabels: types.MapNull(types.StringType),
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, &st)...)
}
