package provider

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// Every error and warning that a read or a write can end in is built here,
// and all the advice a user reads about the API: the client and
// internal/sessions return facts (typed errors), this file says what they
// mean for a Terraform user and what to do. Plan-time checks of values are
// in validators.go, the provider block's in provider.go, the refusals of a
// replacement in session_replace.go.

// apiDiag turns an error of a read or write into a diagnostic a user can
// act on. what names the operation ("rename session \"k\""), agentID the
// agent it ran against.
func apiDiag(what, agentID string, err error) diag.Diagnostic {
	summary, detail := explainAPIError(agentID, err)
	return diag.NewErrorDiagnostic("Cannot "+what+": "+summary, detail)
}

// explanation says what one kind of failure means and what to do; the
// error's own text follows it.
type explanation struct {
	is      func(error) bool
	explain func(agentID string, err error) (summary, detail string)
}

// explainAPIError explains err with the first explanation that matches it.
func explainAPIError(agentID string, err error) (string, string) {
	for _, e := range explanations {
		if e.is(err) {
			summary, detail := e.explain(agentID, err)
			return summary, detail + "\n\n" + err.Error()
		}
	}
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return "unexpected error", "The call failed before the platform answered it. Run terraform plan to see the " +
			"current state; if the error persists, report it with the text below.\n\n" + err.Error()
	}
	return "API error (HTTP " + fmt.Sprint(ae.StatusCode) + ")",
		"The platform refused the call. Run terraform plan to see the current state before applying again.\n\n" + err.Error()
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func isType[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// checkBaseURL is the advice for an answer that says base_url does not
// point at the API.
const checkBaseURL = "Check `base_url` (or " + EnvBaseURL + "): it should be the API root ending in /api/v1, such as " +
	client.DefaultBaseURL + "."

// explanations are tried in order: the first that matches explains.
var explanations = []explanation{
	{is(client.ErrRedirect), func(string, error) (string, string) {
		return "the API answered with a redirect", "The provider never follows a redirect (it would send the API key " +
			"elsewhere). " + checkBaseURL
	}},
	{is(client.ErrRetryAfterTooLong), func(string, error) (string, string) {
		return "the platform asked to wait longer than the provider waits", "Nothing was retried. Run Terraform again " +
			"after the time below."
	}},
	{is(client.ErrUnauthorized), func(string, error) (string, string) {
		return "the API key was refused", "The platform answered 401: the API key is invalid, revoked or expired. Create " +
			"a new key in the Guayaba dashboard and set it in `api_key` or the " + EnvAPIKey + " environment variable."
	}},
	{is(client.ErrSubscription), func(string, error) (string, string) {
		return "no active subscription", "The platform answered 403: the account that owns this API key has no active " +
			"subscription, which every API call needs. Renew the subscription in the dashboard, or use a key of an " +
			"account that has one."
	}},
	{is(client.ErrScope), func(agentID string, _ error) (string, string) {
		return "the API key lacks the agent:manage scope", "Every Sessions call needs the agent:manage scope. The agent " +
			"key in use does not have it. Use an agent key of agent " + agentID + " that has the agent:manage scope, or " +
			"a master key (g_master_…), which passes every scope check."
	}},
	{is(client.ErrOtherAgent), func(agentID string, _ error) (string, string) {
		return "the API key belongs to another agent", "Agent keys serve one agent only, and this key is not one of " +
			"agent " + agentID + ". Use an agent key created for agent " + agentID + " (with agent:manage), a master " +
			"key, or set `agent_id` to the key's own agent."
	}},
	{is(client.ErrForbidden), func(agentID string, _ error) (string, string) {
		return "access denied", "The platform answered 403. Check that the key may manage agent " + agentID + "."
	}},
	{is(client.ErrAgentNotFound), explainAgentNotFound},
	{func(err error) bool {
		return errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrSessionNotFound)
	},
		// Laravel's "route could not be found", or a proxy's 404 page: the
		// URL is wrong, not a session.
		func(string, error) (string, string) {
			return "the API does not know this URL", "The platform answered 404 for the API route itself. " + checkBaseURL
		}},
	{is(client.ErrAgentNotRunning), func(agentID string, _ error) (string, string) {
		return "the agent is not running", "Agent " + agentID + "'s container is not running (503), and sessions can " +
			"only be read or changed while it runs. Start the agent in the Guayaba dashboard, then run Terraform again."
	}},
	{is(client.ErrValidation), func(_ string, err error) (string, string) {
		return "the platform rejected the request", fieldErrorText(err)
	}},
	{is(client.ErrConflict), func(string, error) (string, string) {
		return "the platform refused the change (409 Conflict)", "The platform answered 409: the change conflicts with " +
			"the session's current state, for example another active session holds the key that a restore needs, or " +
			"someone changed the session at the same moment. Nothing else was changed. Run terraform plan to see the " +
			"current state; if another conversation holds the key, archive or delete that one first (outside " +
			"Terraform), then apply again."
	}},
	{is(client.ErrBadGateway), func(agentID string, err error) (string, string) {
		return "the platform could not reach the agent (502 Bad Gateway)", "The platform answered 502 " + onAttempts(err) +
			": it could not talk to agent " + agentID + "'s runtime container. Check in the Guayaba dashboard that the " +
			"agent is running and healthy, then run terraform plan (which shows whether anything changed) and apply " +
			"again. Raise `max_retries` if this happens often."
	}},
	{is(client.ErrServer), explainServerError},
	{is(client.ErrRateLimited), func(_ string, err error) (string, string) {
		return "rate limited", "The platform answered 429 (too many requests) " + onAttempts(err) + ". Run again later, " +
			"lower -parallelism, or raise `max_retries`."
	}},
	{isType[*client.TransportError], func(_ string, err error) (string, string) {
		return "no response from the API", "The call got no answer " + onAttempts(err) + ". Check `base_url` and the " +
			"network; raise `request_timeout` or `max_retries` if the platform is slow."
	}},
	{isType[*client.LimitError], explainLimit},
	{isType[*client.DecodeError], func(_ string, err error) (string, string) {
		var de *client.DecodeError
		errors.As(err, &de)
		if de.InElement {
			return "the API answered with a list the provider cannot read", "The call succeeded (HTTP " +
				fmt.Sprint(de.StatusCode) + ") and its body is a list as the Guayaba API sends it, but one of its " +
				"entries is not what the provider understands (below). This is not a fault in the configuration, and " +
				"nothing was changed by this call. Report it to Guayaba support with the request below."
		}
		return "the API answered with something that is not the expected JSON", "The call succeeded (HTTP " +
			fmt.Sprint(de.StatusCode) + ") but its body is not what the Guayaba API sends: this usually means `base_url` " +
			"(or " + EnvBaseURL + ") points at something other than the API, such as a web page, a login page or a " +
			"proxy. It should be the API root ending in /api/v1, such as " + client.DefaultBaseURL + ". Nothing was " +
			"changed by this call."
	}},
	{is(sessions.ErrKeyHeld), func(string, error) (string, string) {
		return "another conversation holds the session's key", "An archive can only be restored under its own key, and " +
			"another active session holds that key now (a new conversation was started under it). Nothing was changed, " +
			"and applying again cannot help until that changes: archive or delete the other session first (for example " +
			"in the dashboard), then apply; or keep this session archived (`archived = true`); or stop managing it by " +
			"removing the resource (with on_destroy = \"keep\" the archive stays)."
	}},
	{is(sessions.ErrNotConfirmed), func(string, error) (string, string) {
		return "the change was not confirmed", "The platform accepted the request, but listing the sessions afterwards " +
			"did not show the change. Nothing else was changed; run terraform plan to see the current state, and apply again."
	}},
}

// explainLimit explains an answer that was the API's JSON as far as it was
// read but went past one of the bounds the provider reads within: the
// call, the bound and the size are in the error's own text; this says that
// it is the provider's bound (not the configuration, not base_url) and what
// can bring the answer under it.
func explainLimit(agentID string, err error) (string, string) {
	var le *client.LimitError
	errors.As(err, &le)
	const ours = "This is a bound of the provider, not a fault in the configuration or in `base_url`; nothing was changed. "
	history := le.Element == "message"
	var summary, what, do string
	switch le.Bound {
	case client.BoundElements:
		summary = fmt.Sprintf("the answer lists more %ss than the provider reads", le.Element)
		switch {
		case history:
			what = fmt.Sprintf("The history answer holds more than %d messages, although the API sends at most `limit` "+
				"(1 to 1000) of them.", le.Limit)
			do = "Set a smaller `limit` on the history; if this persists, report it to Guayaba support with the request below."
		default:
			what = fmt.Sprintf("Agent %s has more than %d %ss, the most the provider reads in one listing. The platform "+
				"sends a listing whole (the API has no paging), so no filter of a data source makes it smaller.",
				agentID, le.Limit, le.Element)
			do = listingAdvice(le.Element)
		}
	case client.BoundAnswerBytes:
		summary = "the answer is larger than the provider reads"
		if history {
			what = fmt.Sprintf("The history answer is larger than %s, the most the provider reads of one answer.", sizeOf(le.Limit))
			do = "Set a smaller `limit` on the history (it reads the last `limit` messages), then run Terraform again."
		} else {
			what = fmt.Sprintf("The %ss listing of agent %s is larger than %s, the most the provider reads of one answer. "+
				"The platform sends a listing whole (the API has no paging), so no filter of a data source makes it smaller.",
				le.Element, agentID, sizeOf(le.Limit))
			do = listingAdvice(le.Element)
		}
	case client.BoundElementBytes:
		summary = "one " + le.Element + " of the answer is larger than the provider reads"
		what = fmt.Sprintf("%s %d of the answer is larger than %s, the most the provider reads of one %s.",
			upperFirst(le.Element), le.Index, sizeOf(le.Limit), le.Element)
		if history {
			do = "Set a smaller `limit` on the history: it reads the last `limit` messages, and fewer may leave this one " +
				"out. If the conversation's recent messages are this large, report it to Guayaba support with the request below."
		} else {
			do = "A documented " + le.Element + " entry takes well under a KiB: report it to Guayaba support with the " +
				"request below."
		}
	default: // client.BoundDepth and any later bound
		summary = "the answer nests deeper than the provider reads"
		what = fmt.Sprintf("%s %d of the answer nests arrays and objects deeper than %d levels, which no answer of the "+
			"Guayaba API needs.", upperFirst(le.Element), le.Index, le.Limit)
		do = "Report it to Guayaba support with the request below."
	}
	return summary, what + " " + ours + do
}

// listingAdvice is what brings a listing of element under its bounds.
func listingAdvice(element string) string {
	if element == "archive" {
		return "Delete archives the agent no longer needs (in the Guayaba dashboard, or with the " +
			"`guayaba_delete_archive` action), then run Terraform again."
	}
	return "Archive or delete sessions the agent no longer needs (in the Guayaba dashboard, or with the " +
		"`guayaba_archive_session` and `guayaba_delete_session` actions), then run Terraform again."
}

func sizeOf(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

func explainAgentNotFound(agentID string, _ error) (string, string) {
	return "agent not found", "The platform does not know agent " + agentID + ", or the API key's account does not own " +
		"it. Check `agent_id` (on the resource, the provider block or " + EnvAgentID + ") and that the API key belongs to " +
		"the agent's account.\n\nIf the agent was deleted, its sessions and archives went with it and there is nothing " +
		"left to change: stop managing its resources with `terraform state rm <address>` and remove them from the " +
		"configuration (or replace them with a `removed` block with `destroy = false`). Resources with on_destroy = " +
		"\"keep\" need no API call to be destroyed, so `terraform destroy` completes for them."
}

// explainServerError explains a 5xx other than 502 and "not running": the
// provider retries 500, 503 and 504, not the other 5xx (501, 505, ...).
func explainServerError(_ string, err error) (string, string) {
	summary := "the platform failed (HTTP " + statusOf(err) + ")"
	var ae *client.APIError
	if errors.As(err, &ae) && !ae.Retried() {
		return summary, "The platform answered with a server error, which the provider does not retry; this is a " +
			"fault on its side, not in the configuration. Run terraform plan later (it shows whether anything " +
			"changed), then apply again. If it persists, contact Guayaba support with the request below."
	}
	return summary, "The platform answered with a server error " + onAttempts(err) + "; this is a fault on its side, " +
		"not in the configuration. Run terraform plan later (it shows whether anything changed), then apply again; " +
		"raise `max_retries` to wait longer. If it persists, contact Guayaba support with the request below."
}

// onAttempts says how many requests a failed call made, from its error:
// "on all 6 attempts", or "on its only attempt".
func onAttempts(err error) string {
	n := 0
	var ae *client.APIError
	var te *client.TransportError
	switch {
	case errors.As(err, &ae):
		n = ae.Attempts
	case errors.As(err, &te):
		n = te.Attempts
	}
	if n <= 1 {
		return "on its only attempt"
	}
	return fmt.Sprintf("on all %d attempts", n)
}

// statusOf returns the HTTP status of an API error as text, or "5xx".
func statusOf(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) && ae.StatusCode != 0 {
		return fmt.Sprint(ae.StatusCode)
	}
	return "5xx"
}

// fieldErrorText lists a 422's field messages, one per line.
func fieldErrorText(err error) string {
	var ae *client.APIError
	if !errors.As(err, &ae) || len(ae.FieldErrors) == 0 {
		return "The platform answered 422 (validation failed)."
	}
	fields := make([]string, 0, len(ae.FieldErrors))
	for f := range ae.FieldErrors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	b.WriteString("The platform answered 422 (validation failed):")
	for _, f := range fields {
		for _, m := range ae.FieldErrors[f] {
			fmt.Fprintf(&b, "\n  - %s: %s", f, m)
		}
	}
	return b.String()
}

// The provider's own state.

// clientConfigDiag is a client the provider could not build from a
// configuration that passed its checks.
func clientConfigDiag(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot configure the Guayaba client", err.Error())
}

// unexpectedProviderDataDiag is provider data of the wrong type: a bug.
func unexpectedProviderDataDiag(v any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected provider data",
		fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
}

// notConfiguredDiag is a method called before Configure: a bug.
func notConfiguredDiag() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider not configured",
		"The guayaba provider was not configured before it was used. This is a bug in the provider; please report it.")
}

// missingAgentIDDiag is the error of a resource, data source or ephemeral
// resource that has no agent_id and no provider default to fall back on.
func missingAgentIDDiag() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("agent_id"), "Missing agent_id",
		"No agent is set. Set `agent_id` here, or `agent_id` in the provider block, or the "+EnvAgentID+" environment variable.")
}

// Sessions that are not where they should be.

// noActiveSession is the fact behind every "session not found".
func noActiveSession(agentID, key string) string {
	return fmt.Sprintf("Agent %s has no active session with key %q", agentID, key)
}

// sessionNotFoundDiag is the error, on key, of a key that is not among the
// agent's active sessions; then continues noActiveSession with what that
// means here and what to do.
func sessionNotFoundDiag(agentID, key, then string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("key"), "Session not found", noActiveSession(agentID, key)+then)
}

// adoptWhat names the adoption of key, at plan and at apply.
func adoptWhat(key string) string { return fmt.Sprintf("adopt session %q", key) }

// nothingToAdopt continues noActiveSession for a create, at plan and at
// apply.
const nothingToAdopt = ": it does not exist yet, or it no longer exists (deleted outside Terraform), so there is " +
	"nothing to adopt. Sessions are created by chatting with the agent (Telegram, web chat, the API), not by " +
	"Terraform: check the key against the guayaba_sessions data source, or start the conversation first. An archived " +
	"session is brought under management with terraform import (see the resource's import documentation)."

// adoptionDiag is the plan-time error of a create that apply could only
// fail (sessions.CheckAdoption): the text apply gives, and what it means for
// terraform destroy, which plans the configuration before it destroys and
// cannot be told apart from a plan by the provider.
func adoptionDiag(agentID, key string, err error) diag.Diagnostic {
	if errors.Is(err, sessions.ErrNoActiveSession) {
		return sessionNotFoundDiag(agentID, key, nothingToAdopt+stopsDestroy)
	}
	summary, detail := explainAPIError(agentID, err)
	return diag.NewErrorDiagnostic("Cannot "+adoptWhat(key)+": "+summary, detail+stopsDestroy)
}

// stopsDestroy ends a plan-time adoption error: terraform destroy first
// plans the configuration (to refresh the state), resources that are not in
// the state too, so the error stops a destroy as well.
const stopsDestroy = "\n\nThis is checked when Terraform plans to create the resource, which terraform destroy also does " +
	"(it plans the configuration to refresh the state before it destroys). To destroy anyway, remove this resource " +
	"from the configuration, or run terraform destroy -refresh=false."

// importNotFoundDiag is an import of a key that is not among the agent's
// active sessions; then continues noActiveSession.
func importNotFoundDiag(agentID, key, then string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot import: session not found", noActiveSession(agentID, key)+then)
}

// sessionGoneDiag is an update of a session that is neither active nor
// archived any more.
func sessionGoneDiag(agentID, key string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("key"), "Session no longer exists",
		fmt.Sprintf("Agent %s has no session with key %q any more, active or archived: it was deleted outside Terraform. "+
			"Sessions are created by chatting with the agent, not by Terraform. Remove the resource from the configuration, "+
			"or start the conversation again and re-apply.", agentID, key))
}

// agentGoneWarning explains a session of an agent the platform no longer
// knows, kept in state unchanged because on_destroy = "keep".
func agentGoneWarning(agentID, key string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic(fmt.Sprintf("Agent %s not found: session %q was not refreshed", agentID, key),
		fmt.Sprintf("The platform answered 404 Agent not found, so the state of session %q is kept as it was. If the "+
			"agent was deleted, its sessions went with it: this resource has on_destroy = \"keep\", so removing it from the "+
			"configuration or running terraform destroy completes without any API call. If the agent still exists, check "+
			"`agent_id` and that the API key belongs to the agent's account; any change to this resource fails until then.\n\n%s",
			key, err))
}

// permanentDeleteWarning warns before a destroy that deletes for good.
func permanentDeleteWarning(key string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Session "+key+" will be deleted permanently",
		"on_destroy = \"delete\": destroying this resource deletes the session and its transcript (or its archive) for good.")
}

// archiveKeepsLabelWarning is on_destroy = "clear_label" meeting an archive.
func archiveKeepsLabelWarning(key, filename, label string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Archived session keeps its label",
		fmt.Sprintf("Session %q is archived (%s); on_destroy = \"clear_label\" leaves archives untouched, so its label %q stays.",
			key, filename, label))
}

// labelMismatchDiag is guayaba_delete_session refusing a session whose
// label is not expected_label.
func labelMismatchDiag(err *sessions.LabelMismatchError) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("expected_label"), "Session label is not the expected one",
		fmt.Sprintf("%s. Nothing was deleted. Check that the key names the session you mean, then set expected_label "+
			"to its label (or leave expected_label out to delete whatever the session is labelled).", upperFirst(err.Error())))
}

// Labels.

// labelsUnique is the rule behind every "label already in use".
const labelsUnique = "Labels are unique among an agent's active sessions"

// labelInUseDiag is a change that could not set a label another active
// session holds: "Cannot <what>: <held>. <next>", where held says who holds
// it and why this apply could not free it, and next what to do.
func labelInUseDiag(at path.Path, what, held, next string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(at, "Label already in use", "Cannot "+what+": "+held+". "+next)
}

// convergeDiag explains a failed step of Converge.
func convergeDiag(agentID string, label *string, err error) diag.Diagnostic {
	se := &sessions.StepError{What: "apply the change", Err: err}
	errors.As(err, &se)
	var held *sessions.LabelHeldError
	if errors.As(se.Err, &held) || sessions.IsLabelInUse(se.Err) {
		return heldLabelDiag(se, deref(label), held)
	}
	return apiDiag(se.What, agentID, se.Err)
}

// heldLabelDiag explains a wanted label held by another session; held says
// why this apply could not wait for it, when it tried.
func heldLabelDiag(se *sessions.StepError, label string, held *sessions.LabelHeldError) diag.Diagnostic {
	by, why, after := "", "", ""
	if se.Holder != "" {
		by = fmt.Sprintf(" by the session with key %q", se.Holder)
	}
	cause := "\n\n" + se.Err.Error()
	if held != nil {
		cause = ""
		if held.Keeps {
			why = ", and this apply leaves it there"
		} else {
			why = ", which this apply did not change: it is not managed by this configuration, or its own change had " +
				"not started (it waits for its turn under -parallelism)"
			after = " If that session's change is part of this apply, run terraform apply again: with -parallelism=1 " +
				"a swap or a rotation of labels takes a second apply."
		}
		if held.Released != nil {
			after = fmt.Sprintf(" Meanwhile this session gave up its label %q (it has no label now) so that the session "+
				"waiting for it could take it.", *held.Released) + after
		}
	}
	return labelInUseDiag(path.Root("label"), se.What, fmt.Sprintf("the label %q is already held%s%s", label, by, why),
		labelsUnique+": choose another label, or change or clear the other session's label first."+after+cause)
}

// labelConflictDiag is a wanted label of guayaba_session_labels held by a
// session outside the map; unplanned says that exclusive = true left the
// holder alone because the plan did not show its label.
func labelConflictDiag(c sessions.LabelConflict, unplanned bool) diag.Diagnostic {
	if unplanned {
		return labelInUseDiag(path.Root("labels").AtMapKey(c.Key), fmt.Sprintf("set labels[%q] = %q", c.Key, c.Label),
			fmt.Sprintf("the session %q holds that label, set outside Terraform after the plan, and exclusive = true "+
				"clears only the labels its plan showed", c.Holder),
			"Run terraform plan: it shows that label in other_labels, to be cleared; then apply again.")
	}
	return labelInUseDiag(path.Root("labels").AtMapKey(c.Key), fmt.Sprintf("set labels[%q] = %q", c.Key, c.Label),
		fmt.Sprintf("the session %q holds that label, and this resource does not manage it", c.Holder),
		labelsUnique+": change or clear that session's label first (in the dashboard, or with its guayaba_session "+
			"resource and depends_on), add it to labels, or set exclusive = true.")
}

// labelRenameDiag explains a rename of guayaba_session_labels that did not
// happen; holder names the session that holds the label now, if known.
func labelRenameDiag(agentID string, rn sessions.LabelRename, holder string, err error) diag.Diagnostic {
	at := path.Root("labels").AtMapKey(rn.Key)
	what := fmt.Sprintf("set labels[%q] = %q", rn.Key, deref(rn.To))
	switch {
	case rn.Release:
		what = fmt.Sprintf("release the label %q of session %q (it moves to another session)", deref(rn.From), rn.Key)
	case rn.To == nil:
		what = fmt.Sprintf("clear the label %q of session %q", deref(rn.From), rn.Key)
	}
	switch {
	case errors.Is(err, sessions.ErrNotAttempted):
		return diag.NewAttributeErrorDiagnostic(at, "Label not set",
			fmt.Sprintf("Did not %s: it waits for a rename that failed or was interrupted (see the other errors).", what))
	case sessions.IsLabelInUse(err):
		by := ""
		if holder != "" {
			by = fmt.Sprintf(" by the session %q", holder)
		}
		return labelInUseDiag(at, what, "the label is held"+by+", changed outside Terraform since the plan",
			"Run terraform plan to see the current labels, and apply again.\n\n"+err.Error())
	}
	return apiDiag(what, agentID, err)
}

// labelBlockedDiag is a label not set because its holder could not move.
func labelBlockedDiag(key, label string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("labels").AtMapKey(key), "Label not set",
		fmt.Sprintf("labels[%q] = %q was not set: the session holding that label could not give it up (see the "+
			"other errors).", key, label))
}

// missingKeysWarning names the keys of labels that are not active sessions.
func missingKeysWarning(agentID string, missing []string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("labels"),
		fmt.Sprintf("%d of the keys in labels are not active sessions", len(missing)),
		fmt.Sprintf("Agent %s has no active session with these keys: %s. They are left alone and listed in "+
			"missing_keys; the other labels are applied. A session is archived, deleted, or not created yet (sessions "+
			"are born in chats); restore the archive or start the conversation, then apply again, or remove the keys.",
			agentID, namedKeys(missing)))
}

// conflictsWarning names, at plan time, the wanted labels held outside the map.
func conflictsWarning(cs []sessions.LabelConflict) diag.Diagnostic {
	lines := make([]string, 0, namedInMessages+1)
	for i, c := range cs {
		if i == namedInMessages {
			lines = append(lines, fmt.Sprintf("  ... and %d more", len(cs)-namedInMessages))
			break
		}
		lines = append(lines, fmt.Sprintf("  labels[%q] = %q is held by the session %q", c.Key, c.Label, c.Holder))
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("labels"),
		fmt.Sprintf("%d of the labels are held by sessions outside this resource", len(cs)),
		labelsUnique+":\n"+strings.Join(lines, "\n")+"\n\nThe apply will fail for these entries (and set the others) "+
			"unless those labels are released first: change them in the dashboard or with their guayaba_session "+
			"resources (depends_on), add those sessions to labels, or set exclusive = true.")
}

// exclusiveClearsWarning names the labels exclusive = true is about to clear.
func exclusiveClearsWarning(agentID string, others map[string]string) diag.Diagnostic {
	keys := make([]string, 0, len(others))
	for k := range others {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return diag.NewAttributeWarningDiagnostic(path.Root("exclusive"),
		fmt.Sprintf("exclusive = true clears the labels of %d other sessions", len(others)),
		fmt.Sprintf("Agent %s's active sessions %s have labels and are not in labels: the apply clears them.",
			agentID, namedKeys(keys)))
}

// archiveImportDiag refuses `<key>@<archive>` when the archive cannot be
// the key's conversation (or the check's listing failed).
func archiveImportDiag(agentID string, err error) diag.Diagnostic {
	var other *sessions.ArchiveOfAnotherError
	if !errors.As(err, &other) {
		return apiDiag("list the sessions of agent "+agentID, agentID, err)
	}
	if other.Holder != "" {
		return diag.NewErrorDiagnostic("Archive of another session",
			fmt.Sprintf("The archive %q holds the conversation %s, which agent %s lists as the active session %q, not "+
				"as %q. Import the archive under its own key (%s@%s), or import %q by its key alone.",
				other.Archive.Filename, other.Archive.SessionID, agentID, other.Holder, other.Key, other.Holder,
				other.Archive.Filename, other.Holder))
	}
	return diag.NewErrorDiagnostic("Archive of another session",
		fmt.Sprintf("The archive %q holds the conversation %s, but %q is an active session of agent %s with another "+
			"conversation (%s): the archive is not that session's. Import the active session by its key alone (%q), "+
			"or the archive under the key of its own session.",
			other.Archive.Filename, other.Archive.SessionID, other.Key, agentID, other.Active, other.Key))
}

// exclusiveUnknownLabelsWarning: the plan cannot show what exclusive clears.
func exclusiveUnknownLabelsWarning() diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("exclusive"), "exclusive = true with labels not known until apply",
		"labels depends on values known only after apply, so this plan cannot show which sessions are outside it: "+
			"other_labels is known after apply, and the apply clears the label of every active session of the agent "+
			"that is not in labels then. To see them in the plan, make labels known at plan time (apply what it "+
			"depends on first, e.g. with -target).")
}

// keptRemovedWarning names, with exclusive = true, the keys removed from
// labels that keep their labels in this apply.
func keptRemovedWarning(keys []string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("labels"), "Keys removed from labels keep their labels",
		fmt.Sprintf("The sessions %s leave labels and keep their labels in this apply (on_destroy = \"keep\", or a "+
			"label changed outside Terraform since this resource set it). With exclusive = true, the next plan shows "+
			"them in other_labels, to be cleared; to keep such a label, keep its key in labels.", namedKeys(keys)))
}

// unaddressableKeysWarning names the listed keys exclusive = true leaves
// alone because a write would reach another session.
func unaddressableKeysWarning(agentID string, keys []string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("exclusive"), "Session key with surrounding white space",
		fmt.Sprintf("Agent %s lists labelled sessions whose keys have white space at their start or end: %s. "+
			"The API trims the key of every write, so clearing their labels would change another session (or "+
			"none): exclusive = true leaves them alone, and other_labels does not show them. Clear those labels "+
			"in the dashboard.", agentID, namedKeys(keys)))
}

// unplannedLabelsWarning names the sessions outside the map that exclusive
// = true left alone because the plan being applied did not show their
// labels.
func unplannedLabelsWarning(agentID string, keys []string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("exclusive"), "Labels set since the plan were left alone",
		fmt.Sprintf("Agent %s's sessions %s are not in labels and have labels the plan did not show being cleared "+
			"(set or changed outside Terraform after the plan): this apply left them alone. The next plan shows them "+
			"in other_labels, to be cleared.", agentID, namedKeys(keys)))
}

// namedInMessages is how many keys a warning or error names before "and N more".
const namedInMessages = 10

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

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
