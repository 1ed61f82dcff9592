package provider

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// apiDiag turns an API error into a diagnostic a user can act on. what names
// the operation ("rename session \"k\""), agentID the agent it ran against.
func apiDiag(what, agentID string, err error) diag.Diagnostic {
	summary, detail := explainAPIError(agentID, err)
	return diag.NewErrorDiagnostic("Cannot "+what+": "+summary, detail)
}

func explainAPIError(agentID string, err error) (string, string) {
	raw := err.Error()
	switch {
	case errors.Is(err, client.ErrRedirect):
		return "the API answered with a redirect", "The provider never follows a redirect (it would send the API key " +
			"elsewhere). Check `base_url` (or " + EnvBaseURL + ").\n\n" + raw
	case errors.Is(err, client.ErrRetryAfterTooLong):
		return "the platform asked to wait longer than the provider waits", "Nothing was retried. Run Terraform again " +
			"after the time below.\n\n" + raw
	case errors.Is(err, client.ErrUnauthorized):
		return "the API key was refused",
			"The platform answered 401: the API key is invalid, revoked or expired. Create a new key in the Guayaba dashboard " +
				"and set it in `api_key` or the " + EnvAPIKey + " environment variable.\n\n" + raw
	case errors.Is(err, client.ErrSubscription):
		return "no active subscription",
			"The platform answered 403: the account that owns this API key has no active subscription, which every API call needs. " +
				"Renew the subscription in the dashboard, or use a key of an account that has one.\n\n" + raw
	case errors.Is(err, client.ErrScope):
		return "the API key lacks the agent:manage scope",
			"Every Sessions call needs the agent:manage scope. The agent key in use does not have it. Use an agent key of agent " +
				agentID + " that has the agent:manage scope, or a master key (g_master_…), which passes every scope check.\n\n" + raw
	case errors.Is(err, client.ErrOtherAgent):
		return "the API key belongs to another agent",
			"Agent keys serve one agent only, and this key is not one of agent " + agentID + ". Use an agent key created for agent " +
				agentID + " (with agent:manage), a master key, or set `agent_id` to the key's own agent.\n\n" + raw
	case errors.Is(err, client.ErrForbidden):
		return "access denied", "The platform answered 403. Check that the key may manage agent " + agentID + ".\n\n" + raw
	case errors.Is(err, client.ErrAgentNotFound):
		return "agent not found",
			"The platform does not know agent " + agentID + ", or the API key's account does not own it. Check `agent_id` " +
				"(on the resource, the provider block or " + EnvAgentID + ") and that the API key belongs to the agent's " +
				"account.\n\nIf the agent was deleted, its sessions and archives went with it and there is nothing left to " +
				"change: stop managing its resources with `terraform state rm <address>` (or a `removed` block with " +
				"`destroy = false`). Resources with on_destroy = \"keep\" need no API call to be destroyed, so " +
				"`terraform destroy` completes for them.\n\n" + raw
	case errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrSessionNotFound):
		// Laravel's "route could not be found", or a proxy's 404 page: the
		// URL is wrong, not a session.
		return "the API does not know this URL",
			"The platform answered 404 for the API route itself. Check `base_url` (or " + EnvBaseURL + "): it should be the " +
				"API root ending in /api/v1, such as " + client.DefaultBaseURL + ".\n\n" + raw
	case errors.Is(err, client.ErrAgentNotRunning):
		return "the agent is not running",
			"Agent " + agentID + "'s container is not running (503), and sessions can only be read or changed while it runs. " +
				"Start the agent in the Guayaba dashboard, then run Terraform again.\n\n" + raw
	case errors.Is(err, client.ErrValidation):
		return "the platform rejected the request", fieldErrorText(err) + "\n\n" + raw
	case errors.Is(err, client.ErrConflict):
		return "the platform refused the change (409 Conflict)",
			"The platform answered 409: the change conflicts with the session's current state, for example another active " +
				"session holds the key that a restore needs, or someone changed the session at the same moment. Nothing " +
				"else was changed. Run terraform plan to see the current state; if another conversation holds the key, " +
				"archive or delete that one first (outside Terraform), then apply again.\n\n" + raw
	case errors.Is(err, client.ErrBadGateway):
		return "the platform could not reach the agent (502 Bad Gateway)",
			"The platform answered 502 on every attempt: it could not talk to agent " + agentID + "'s runtime container. " +
				"Check in the Guayaba dashboard that the agent is running and healthy, then run terraform plan (which shows " +
				"whether anything changed) and apply again. Raise `max_retries` if this happens often.\n\n" + raw
	case errors.Is(err, client.ErrServer):
		return "the platform failed (HTTP " + statusOf(err) + ")",
			"The platform answered with a server error on every attempt; this is a fault on its side, not in the " +
				"configuration. Run terraform plan later (it shows whether anything changed), then apply again; raise " +
				"`max_retries` to wait longer. If it persists, contact Guayaba support with the request below.\n\n" + raw
	case errors.Is(err, client.ErrRateLimited):
		return "rate limited",
			"The platform kept answering 429 (too many requests) after every retry. Run again later, lower -parallelism, " +
				"or raise `max_retries`.\n\n" + raw
	}
	var te *client.TransportError
	if errors.As(err, &te) {
		return "no response from the API",
			"The call got no answer. Check `base_url` and the network; raise `request_timeout` or `max_retries` " +
				"if the platform is slow.\n\n" + raw
	}
	var de *client.DecodeError
	if errors.As(err, &de) {
		return "the API answered with something that is not the expected JSON",
			"The call succeeded (HTTP " + fmt.Sprint(de.StatusCode) + ") but its body is not what the Guayaba API sends: this " +
				"usually means `base_url` (or " + EnvBaseURL + ") points at something other than the API, such as a web page, " +
				"a login page or a proxy. It should be the API root ending in /api/v1, such as " + client.DefaultBaseURL + ". " +
				"Nothing was changed by this call.\n\n" + raw
	}
	switch {
	case errors.Is(err, sessions.ErrKeyHeld):
		return "another conversation holds the session's key",
			"An archive can only be restored under its own key, and another active session holds that key now (a new " +
				"conversation was started under it). Nothing was changed, and applying again cannot help until that " +
				"changes: archive or delete the other session first (for example in the dashboard), then apply; or keep " +
				"this session archived (`archived = true`); or stop managing it by removing the resource (with " +
				"on_destroy = \"keep\" the archive stays).\n\n" + raw
	case errors.Is(err, sessions.ErrNotConfirmed):
		return "the change was not confirmed", "The platform accepted the request, but listing the sessions " +
			"afterwards did not show the change. Nothing else was changed; run terraform plan to see the current " +
			"state, and apply again.\n\n" + raw
	}
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return "unexpected error", "The call failed before the platform answered it. Run terraform plan to see the " +
			"current state; if the error persists, report it with the text below.\n\n" + raw
	}
	return "API error (HTTP " + fmt.Sprint(ae.StatusCode) + ")",
		"The platform refused the call. Run terraform plan to see the current state before applying again.\n\n" + raw
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
