package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// sessionAction is what the four session actions share: the provider data,
// the agent (the action's agent_id or the provider's), progress messages and
// diagnostics. The work itself is one idempotent operation of
// internal/sessions; actions never touch Terraform state.
type sessionAction struct {
	configured
	name        string
	description string
	attributes  map[string]schema.Attribute
	// invoke reads the action's config and runs its operation. what names
	// the operation in error messages.
	invoke func(ctx context.Context, config tfsdk.Config, agent *sessions.Agent, progress func(string)) (what string, diags diag.Diagnostics, err error)
}

var (
	_ action.Action              = &sessionAction{}
	_ action.ActionWithConfigure = &sessionAction{}
)

// newSessionAction defines an action whose config decodes into M and whose
// work is run.
func newSessionAction[M any](name, description string, attributes map[string]schema.Attribute,
	run func(ctx context.Context, m M, agent *sessions.Agent, progress func(string)) (what string, err error)) action.Action {
	return &sessionAction{
		name:        name,
		description: description,
		attributes:  attributes,
		invoke: func(ctx context.Context, config tfsdk.Config, agent *sessions.Agent, progress func(string)) (string, diag.Diagnostics, error) {
			var m M
			if diags := config.Get(ctx, &m); diags.HasError() {
				return "", diags, nil
			}
			what, err := run(ctx, m, agent, progress)
			return what, nil, err
		},
	}
}

// Metadata sets the type name guayaba_<name>.
func (a *sessionAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.name
}

// Schema describes the action: agent_id plus its own attributes.
func (a *sessionAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"agent_id": schema.StringAttribute{Optional: true, Validators: []validator.String{uuidValidator},
			MarkdownDescription: agentIDDescription},
	}
	for k, v := range a.attributes {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: a.description + "\n\nActions run only when invoked (`terraform apply -invoke=action.guayaba_" + a.name +
			".NAME`) or triggered by a resource's `action_trigger` (Terraform ≥ 1.14). They write nothing to state. Invoking " +
			"one again is safe: what is already done is reported as progress and nothing is written. The effect is " +
			"confirmed by listing the agent's sessions and archives, never taken from the API's answer.",
		Attributes: attrs,
	}
}

// Configure receives the provider data.
func (a *sessionAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.keep(req.ProviderData, &resp.Diagnostics)
}

// Invoke resolves the agent and runs the operation, sending its progress.
func (a *sessionAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var agent types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("agent_id"), &agent)...)
	h, ok := a.data.agent(agent, &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	what, diags, err := a.invoke(ctx, req.Config, h, progress)
	resp.Diagnostics.Append(diags...)
	var mismatch *sessions.LabelMismatchError
	switch {
	case err == nil:
	case errors.As(err, &mismatch):
		resp.Diagnostics.Append(labelMismatchDiag(mismatch))
	default:
		resp.Diagnostics.Append(apiDiag(what, h.ID(), err))
	}
}

// keyAttribute is the session key an action works on.
func keyAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, Validators: []validator.String{keyValidator},
		MarkdownDescription: "The key of the active session to " + what + ", e.g. `agent:main:telegram:direct:123456789`, " +
			"exactly as listed by `guayaba_sessions`."}
}

// filenameAttribute is the archive an action works on.
func filenameAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, Validators: []validator.String{filenameValidator},
		MarkdownDescription: "The filename of the archive to " + what + ", exactly as listed by `guayaba_archives`."}
}

var filenameValidator = stringCheck{
	summary:     "Invalid archive filename",
	description: "a non-empty archive filename without surrounding white space",
	check: func(s string) string {
		if strings.TrimSpace(s) == "" || strings.TrimSpace(s) != s {
			return fmt.Sprintf("%q is not an archive filename. Use the filename shown by the guayaba_archives data source, "+
				"e.g. 3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b.jsonl.deleted.2026-11-28T17-00-00.000Z.", s)
		}
		return ""
	},
}

// The four actions.

type archiveSessionActionModel struct {
	AgentID types.String `tfsdk:"agent_id"`
	Key     string       `tfsdk:"key"`
}

// NewArchiveSessionAction returns the guayaba_archive_session action.
func NewArchiveSessionAction() action.Action {
	return newSessionAction("archive_session",
		"Archives an active session: it leaves the active sessions and its transcript is kept in an archive "+
			"(list them with `guayaba_archives`; `guayaba_restore_archive` brings one back). A key that is not active "+
			"(already archived, or deleted) is reported as progress, not an error.",
		map[string]schema.Attribute{"key": keyAttribute("archive")},
		func(ctx context.Context, m archiveSessionActionModel, agent *sessions.Agent, progress func(string)) (string, error) {
			return fmt.Sprintf("archive session %q", m.Key), agent.ArchiveIfActive(ctx, m.Key, progress)
		})
}

type deleteSessionActionModel struct {
	AgentID       types.String `tfsdk:"agent_id"`
	Key           string       `tfsdk:"key"`
	ExpectedLabel *string      `tfsdk:"expected_label"`
}

// NewDeleteSessionAction returns the guayaba_delete_session action.
func NewDeleteSessionAction() action.Action {
	return newSessionAction("delete_session",
		"Deletes an active session and its transcript **for good**. With `expected_label`, the session is "+
			"deleted only when its label is exactly that: a guard against a key that names another conversation than you "+
			"think. A key that is not active (already deleted, or archived) is reported as progress, not an error.",
		map[string]schema.Attribute{
			"key": keyAttribute("delete"),
			"expected_label": schema.StringAttribute{Optional: true, Validators: []validator.String{labelValidator},
				MarkdownDescription: "When set, the action refuses (with an error, deleting nothing) unless the session's " +
					"current label is exactly this. A session without a label never matches."},
		},
		func(ctx context.Context, m deleteSessionActionModel, agent *sessions.Agent, progress func(string)) (string, error) {
			return fmt.Sprintf("delete session %q", m.Key), agent.DeleteIfActive(ctx, m.Key, m.ExpectedLabel, progress)
		})
}

type restoreArchiveActionModel struct {
	AgentID  types.String `tfsdk:"agent_id"`
	Filename string       `tfsdk:"filename"`
	Label    *string      `tfsdk:"label"`
}

// NewRestoreArchiveAction returns the guayaba_restore_archive action.
func NewRestoreArchiveAction() action.Action {
	return newSessionAction("restore_archive",
		"Restores an archive: the session is active again under its original key, with the same session id and "+
			"transcript. Fails when another active session holds that key now. An archive that is no longer listed "+
			"(already restored, or deleted) is reported as progress, not an error.",
		map[string]schema.Attribute{
			"filename": filenameAttribute("restore"),
			"label": schema.StringAttribute{Optional: true, Validators: []validator.String{labelValidator},
				MarkdownDescription: "The label of the restored session. Left out, the session keeps the archive's label. " +
					"Labels are unique among an agent's active sessions."},
		},
		func(ctx context.Context, m restoreArchiveActionModel, agent *sessions.Agent, progress func(string)) (string, error) {
			return fmt.Sprintf("restore archive %s", m.Filename), agent.RestoreIfListed(ctx, m.Filename, m.Label, progress)
		})
}

type deleteArchiveActionModel struct {
	AgentID  types.String `tfsdk:"agent_id"`
	Filename string       `tfsdk:"filename"`
}

// NewDeleteArchiveAction returns the guayaba_delete_archive action.
func NewDeleteArchiveAction() action.Action {
	return newSessionAction("delete_archive",
		"Deletes an archive and its transcript **for good**. An archive that is no longer listed (already "+
			"deleted, or restored) is reported as progress, not an error.",
		map[string]schema.Attribute{"filename": filenameAttribute("delete")},
		func(ctx context.Context, m deleteArchiveActionModel, agent *sessions.Agent, progress func(string)) (string, error) {
			return fmt.Sprintf("delete archive %s", m.Filename), agent.DeleteArchiveIfListed(ctx, m.Filename, progress)
		})
}
