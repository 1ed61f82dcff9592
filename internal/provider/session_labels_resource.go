package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
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

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
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

// namedInMessages is how many keys a warning or error names before "and N more".
const namedInMessages = 10

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
					"their labels in `other_labels` being removed, and the apply clears them. Never combine with " +
					"`guayaba_session` resources on the same agent. Defaults to `false`: sessions outside the map are left alone.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What `terraform destroy` (and removing a key from `labels`) does: `keep` (the default: " +
					"leave the labels as they are) or `clear` (remove the labels this resource set; a label changed outside " +
					"Terraform since is left).",
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

// labelEntriesValidator checks every entry of labels with the validators of
// guayaba_session (key and label), names the entry in each error, and
// refuses a label wanted by two keys.
type labelEntriesValidator struct{}

func (labelEntriesValidator) Description(context.Context) string {
	return "session keys to labels; each label valid as guayaba_session.label and unique in the map"
}

func (v labelEntriesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (labelEntriesValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	keys := make([]string, 0, len(elems))
	for k := range elems {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	firstWith := map[string]string{}
	for _, k := range keys {
		p := req.Path.AtMapKey(k)
		entry := fmt.Sprintf("labels[%q]", k)
		var kr validator.StringResponse
		keyValidator.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(k)}, &kr)
		for _, d := range kr.Diagnostics {
			resp.Diagnostics.AddAttributeError(p, d.Summary()+" in "+entry, d.Detail())
		}
		s, ok := elems[k].(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		if s.IsNull() {
			resp.Diagnostics.AddAttributeError(p, "Missing label in "+entry,
				entry+" is null. Give the session a label, or remove the entry (use on_destroy = \"clear\" to clear the "+
					"labels of removed entries).")
			continue
		}
		var lr validator.StringResponse
		labelValidator.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: s}, &lr)
		for _, d := range lr.Diagnostics {
			resp.Diagnostics.AddAttributeError(p, d.Summary()+" in "+entry, entry+": "+d.Detail())
		}
		if first, dup := firstWith[s.ValueString()]; dup {
			resp.Diagnostics.AddAttributeError(p, "Duplicate label in "+entry,
				fmt.Sprintf("labels[%q] and labels[%q] both want the label %q, but labels are unique among an agent's "+
					"active sessions. Give each session its own label.", first, k, s.ValueString()))
		} else {
			firstWith[s.ValueString()] = k
		}
	}
}

// knownLabels returns the map's entries, or false when the map or an entry
// is unknown (or null).
func knownLabels(m types.Map) (map[string]string, bool) {
	if m.IsNull() || m.IsUnknown() {
		return nil, false
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			return nil, false
		}
		out[k] = s.ValueString()
	}
	return out, true
}

func stringMapValue(m map[string]string) types.Map {
	elems := make(map[string]fwattr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringListValue(s []string) types.List {
	elems := make([]fwattr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// agentListing is one listing of an agent's active sessions, by key.
type agentListing struct {
	byKey  map[string]client.Session
	labels map[string]*string
}

func (r *SessionLabelsResource) listing(ctx context.Context, agentID string) (agentListing, error) {
	list, err := r.data.listings.SessionList(ctx, agentID)
	if err != nil {
		return agentListing{}, err
	}
	l := agentListing{byKey: make(map[string]client.Session, len(list)), labels: make(map[string]*string, len(list))}
	for _, s := range list {
		l.byKey[s.Key] = s
		l.labels[s.Key] = s.Label
	}
	return l, nil
}

// otherLabels returns the labels of the active sessions whose keys are not in managed.
func (l agentListing) otherLabels(managed map[string]string) map[string]string {
	out := map[string]string{}
	for k, lab := range l.labels {
		if _, ok := managed[k]; !ok && lab != nil {
			out[k] = *lab
		}
	}
	return out
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
	if config.AgentID.IsNull() {
		// Unknown until the provider is configured (its configuration may be unknown).
		plan.AgentID = types.StringUnknown()
		if r.data != nil {
			agentID, diags := r.data.agentFor(config.AgentID)
			if resp.Diagnostics.Append(diags...); diags.HasError() {
				return
			}
			plan.AgentID = types.StringValue(agentID)
		}
	}
	plan.ID = plan.AgentID
	replacing := state != nil && !state.AgentID.IsNull() && !plan.AgentID.Equal(state.AgentID)
	if replacing {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("agent_id"))
		state = nil
	}
	plan.OtherLabels = types.MapNull(types.StringType)
	switch {
	case plan.Exclusive.IsUnknown():
		plan.OtherLabels = types.MapUnknown(types.StringType)
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
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	wanted, known := knownLabels(plan.Labels)
	if !known || plan.AgentID.IsUnknown() || plan.Exclusive.IsUnknown() || r.data == nil || resp.Diagnostics.HasError() {
		return
	}
	agentID := plan.AgentID.ValueString()
	l, err := r.listing(ctx, agentID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("list the sessions of agent "+agentID, agentID, err))
		return
	}
	var prev map[string]string
	if state != nil {
		prev, _ = knownLabels(state.Labels)
	}
	lp := sessions.PlanLabels(sessions.LabelsInput{
		Current: l.labels, Wanted: wanted, Previous: prev,
		Exclusive: plan.Exclusive.ValueBool(), ClearRemoved: plan.OnDestroy.ValueString() == onDestroyClear,
	})
	if len(lp.Missing) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("labels"),
			fmt.Sprintf("%d of the keys in labels are not active sessions", len(lp.Missing)),
			fmt.Sprintf("Agent %s has no active session with these keys: %s. They are left alone and listed in "+
				"missing_keys; the other labels are applied. A session is archived, deleted, or not created yet (sessions "+
				"are born in chats); restore the archive or start the conversation, then apply again, or remove the keys.",
				agentID, namedKeys(lp.Missing)))
	}
	if len(lp.Conflicts) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("labels"),
			fmt.Sprintf("%d of the labels are held by sessions outside this resource", len(lp.Conflicts)),
			conflictText(lp.Conflicts)+"\n\nThe apply will fail for these entries (and set the others) unless those labels "+
				"are released first: change them in the dashboard or with their guayaba_session resources (depends_on), "+
				"add those sessions to labels, or set exclusive = true.")
	}
	if plan.Exclusive.ValueBool() && (state == nil || !state.Exclusive.ValueBool()) {
		if others := l.otherLabels(wanted); len(others) > 0 {
			keys := make([]string, 0, len(others))
			for k := range others {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			resp.Diagnostics.AddAttributeWarning(path.Root("exclusive"),
				fmt.Sprintf("exclusive = true clears the labels of %d other sessions", len(others)),
				fmt.Sprintf("Agent %s's active sessions %s have labels and are not in labels: the apply clears them.",
					agentID, namedKeys(keys)))
		}
	}
}

func namedKeys(keys []string) string {
	quoted := make([]string, 0, namedInMessages)
	for i, k := range keys {
		if i == namedInMessages {
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", k))
	}
	s := strings.Join(quoted, ", ")
	if len(keys) > namedInMessages {
		s += fmt.Sprintf(" and %d more", len(keys)-namedInMessages)
	}
	return s
}

func conflictText(cs []sessions.LabelConflict) string {
	lines := make([]string, 0, namedInMessages+1)
	for i, c := range cs {
		if i == namedInMessages {
			lines = append(lines, fmt.Sprintf("  ... and %d more", len(cs)-namedInMessages))
			break
		}
		lines = append(lines, fmt.Sprintf("  labels[%q] = %q is held by the session %q", c.Key, c.Label, c.Holder))
	}
	return "Labels are unique among an agent's active sessions:\n" + strings.Join(lines, "\n")
}

// Create sets the labels of the map.
func (r *SessionLabelsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sessionLabelsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	final, ok := r.apply(ctx, plan, nil, &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, &final)...)
	}
	// On failure nothing is recorded: the next apply plans the whole map
	// again against the listing, so the labels already set cost nothing.
}

// Update brings the labels to the plan.
func (r *SessionLabelsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state sessionLabelsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	prev, _ := knownLabels(state.Labels)
	final, ok := r.apply(ctx, plan, prev, &resp.Diagnostics)
	switch {
	case ok || final.AgentID.ValueString() != "":
		// Even after a failed rename the state records what is now true, so
		// that the next plan shows exactly what is left to do.
		resp.Diagnostics.Append(resp.State.Set(ctx, &final)...)
	default:
		// Nothing was listed, so nothing was changed.
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

// apply runs the renames from the listing to the plan and returns the state
// to record; ok is false when some of them did not happen.
func (r *SessionLabelsResource) apply(ctx context.Context, plan sessionLabelsModel, prev map[string]string, diags *diag.Diagnostics) (sessionLabelsModel, bool) {
	agentID, ok := r.data.agentOf(plan.AgentID, diags)
	if !ok {
		return sessionLabelsModel{}, false
	}
	wanted, _ := knownLabels(plan.Labels)
	final := plan
	final.ID = plan.AgentID
	l, err := r.listing(ctx, agentID)
	if err != nil {
		diags.Append(apiDiag("list the sessions of agent "+agentID, agentID, err))
		return sessionLabelsModel{}, false
	}
	lp := sessions.PlanLabels(sessions.LabelsInput{
		Current: l.labels, Wanted: wanted, Previous: prev,
		Exclusive: plan.Exclusive.ValueBool(), ClearRemoved: plan.OnDestroy.ValueString() == onDestroyClear,
	})
	res := r.run(ctx, agentID, l, lp)
	final.MissingKeys = stringListValue(lp.Missing)
	if plan.Exclusive.ValueBool() {
		final.OtherLabels = types.MapValueMust(types.StringType, map[string]fwattr.Value{})
	} else {
		final.OtherLabels = types.MapNull(types.StringType)
	}
	if len(lp.Conflicts) == 0 && len(lp.Blocked) == 0 && len(res.Errs) == 0 {
		return final, true
	}
	ops := r.data.ops(agentID)
	for _, c := range lp.Conflicts {
		diags.AddAttributeError(path.Root("labels").AtMapKey(c.Key), "Label already in use",
			fmt.Sprintf("Cannot set labels[%q] = %q: the session %q holds that label, and this resource does not manage it. "+
				"Labels are unique among an agent's active sessions: change or clear that session's label first (in the "+
				"dashboard, or with its guayaba_session resource and depends_on), add it to labels, or set exclusive = true.",
				c.Key, c.Label, c.Holder))
	}
	for _, k := range lp.Blocked {
		diags.AddAttributeError(path.Root("labels").AtMapKey(k), "Label not set",
			fmt.Sprintf("labels[%q] = %q was not set: the session holding that label could not give it up (see the "+
				"other errors).", k, wanted[k]))
	}
	failed := map[string]error{}
	for i, err := range res.Errs {
		rn := lp.Renames[i]
		if _, seen := failed[rn.Key]; seen {
			continue
		}
		failed[rn.Key] = err
		what := fmt.Sprintf("set labels[%q] = %q", rn.Key, deref(rn.To))
		switch {
		case rn.Release:
			what = fmt.Sprintf("release the label %q of session %q (it moves to another session)", deref(rn.From), rn.Key)
		case rn.To == nil:
			what = fmt.Sprintf("clear the label %q of session %q", deref(rn.From), rn.Key)
		}
		switch {
		case errors.Is(err, sessions.ErrNotAttempted):
			diags.AddAttributeError(path.Root("labels").AtMapKey(rn.Key), "Label not set",
				fmt.Sprintf("Did not %s: it waits for a rename that failed or was interrupted (see the other errors).", what))
		case sessions.IsLabelInUse(err):
			held := ""
			if h := ops.LabelHolder(ctx, rn.Key, rn.To); h != "" {
				held = fmt.Sprintf(" by the session %q", h)
			}
			diags.AddAttributeError(path.Root("labels").AtMapKey(rn.Key), "Label already in use",
				fmt.Sprintf("Cannot %s: the label is held%s, changed outside Terraform since the plan. Run terraform "+
					"plan to see the current labels, and apply again.\n\n%s", what, held, err))
		default:
			diags.Append(apiDiag(what, agentID, err))
		}
	}
	return r.stateAfterFailure(plan, prev, l, lp, res.Errs), false
}

// stateAfterFailure records what is true after a partial apply: the labels
// that were set, the others as listed, and removed keys whose clear failed.
func (r *SessionLabelsResource) stateAfterFailure(plan sessionLabelsModel, prev map[string]string, l agentListing,
	lp sessions.LabelPlan, errs map[int]error) sessionLabelsModel {
	wanted, _ := knownLabels(plan.Labels)
	now := make(map[string]*string, len(l.labels))
	for k, v := range l.labels {
		now[k] = v
	}
	// Renames run in plan order per key; the last one that happened wins.
	for i, rn := range lp.Renames {
		if _, failed := errs[i]; !failed {
			now[rn.Key] = rn.To
		}
	}
	out := map[string]string{}
	for k, w := range wanted {
		lab, active := now[k]
		switch {
		case !active:
			out[k] = w
		case lab != nil:
			out[k] = *lab
		}
	}
	for k, p := range prev {
		if _, kept := wanted[k]; kept {
			continue
		}
		if lab, active := now[k]; active && lab != nil && *lab == p {
			out[k] = p // still labelled by this resource: keep managing it
		}
	}
	final := plan
	final.ID = plan.AgentID
	final.Labels = stringMapValue(out)
	var missing []string
	for k := range out {
		if _, active := now[k]; !active {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	final.MissingKeys = stringListValue(missing)
	final.OtherLabels = types.MapNull(types.StringType)
	if plan.Exclusive.ValueBool() {
		others := map[string]string{}
		for k, lab := range now {
			if _, ok := out[k]; !ok && lab != nil {
				others[k] = *lab
			}
		}
		final.OtherLabels = stringMapValue(others)
	}
	return final
}

// run performs a plan's renames with bounded concurrency, logging progress.
func (r *SessionLabelsResource) run(ctx context.Context, agentID string, l agentListing, lp sessions.LabelPlan) sessions.LabelRunResult {
	if len(lp.Renames) == 0 {
		return sessions.LabelRunResult{Errs: map[int]error{}}
	}
	ops := r.data.ops(agentID)
	tflog.Info(ctx, "guayaba_session_labels: renaming sessions", map[string]any{
		"agent_id": agentID, "renames": len(lp.Renames), "changes": lp.Changes(), "workers": labelWorkers,
	})
	return sessions.RunLabelPlan(ctx, lp, labelWorkers, func(ctx context.Context, rn sessions.LabelRename) error {
		s := l.byKey[rn.Key]
		s.Label = rn.From
		_, err := ops.Rename(ctx, s, rn.To)
		return err
	}, func(done, failed, total int) {
		tflog.Info(ctx, "guayaba_session_labels: progress", map[string]any{
			"agent_id": agentID, "done": done, "failed": failed, "total": total,
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
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	agentID, ok := r.data.agentOf(state.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	l, err := r.listing(ctx, agentID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("list the sessions of agent "+agentID, agentID, err))
		return
	}
	prev, _ := knownLabels(state.Labels)
	out := make(map[string]string, len(prev))
	var missing []string
	for k, v := range prev {
		lab, active := l.labels[k]
		switch {
		case !active:
			out[k] = v
			missing = append(missing, k)
		case lab != nil:
			out[k] = *lab
		}
	}
	sort.Strings(missing)
	state.AgentID = types.StringValue(agentID)
	state.ID = state.AgentID
	state.Labels = stringMapValue(out)
	state.MissingKeys = stringListValue(missing)
	if state.Exclusive.IsNull() {
		state.Exclusive = types.BoolValue(false)
	}
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyKeep)
	}
	state.OtherLabels = types.MapNull(types.StringType)
	if state.Exclusive.ValueBool() {
		state.OtherLabels = stringMapValue(l.otherLabels(prev))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete applies on_destroy: clear removes the labels this resource set.
func (r *SessionLabelsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sessionLabelsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	if state.OnDestroy.ValueString() != onDestroyClear {
		return
	}
	agentID, ok := r.data.agentOf(state.AgentID, &resp.Diagnostics)
	if !ok {
		return
	}
	prev, _ := knownLabels(state.Labels)
	l, err := r.listing(ctx, agentID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("list the sessions of agent "+agentID, agentID, err))
		return
	}
	lp := sessions.PlanLabels(sessions.LabelsInput{Current: l.labels, Previous: prev, ClearRemoved: true})
	res := r.run(ctx, agentID, l, lp)
	for i, err := range res.Errs {
		rn := lp.Renames[i]
		resp.Diagnostics.Append(apiDiag(fmt.Sprintf("clear the label %q of session %q", deref(rn.From), rn.Key), agentID, err))
	}
}

// ImportState accepts `<agent_id>`, or an empty ID for the provider's
// agent_id: labels becomes every labelled active session of the agent.
func (r *SessionLabelsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.data.ready(&resp.Diagnostics) {
		return
	}
	agentID := strings.TrimSpace(req.ID)
	if agentID == "" {
		agentID = r.data.agentID
	}
	if !isUUID(agentID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID %q is not one of the accepted forms:\n"+
				"  <agent_id>   the agent whose labels to import, e.g. 3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b\n"+
				"  (empty)      the provider's agent_id (it is not set, or not a UUID)\n"+
				"Every labelled active session of the agent becomes an entry of labels.", req.ID))
		return
	}
	l, err := r.listing(ctx, agentID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("import the labels of agent "+agentID, agentID, err))
		return
	}
	st := sessionLabelsModel{
		ID:          types.StringValue(agentID),
		AgentID:     types.StringValue(agentID),
		Labels:      stringMapValue(l.otherLabels(nil)),
		Exclusive:   types.BoolValue(false),
		OnDestroy:   types.StringValue(onDestroyKeep),
		MissingKeys: stringListValue(nil),
		OtherLabels: types.MapNull(types.StringType),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &st)...)
}
