package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// A replacement (terraform apply -replace, a changed key, a changed agent_id,
// including one that comes from GUAYABA_AGENT_ID) destroys the old object
// first, applying its on_destroy, and then creates the new one, which adopts
// a session by key. Terraform plans the create half in a second plan call
// with no prior state, but hands it the private data of the first call: the
// first call records the object being planned under privateReplaced, so that
// the create half knows what it replaces and can refuse a replacement that
// could only lose a conversation. Terraform drops the warnings of that second
// call, so the first call warns, when it sees the key or agent_id change,
// before a replacement that deletes a conversation. (-replace alone never
// needs a warning: with on_destroy = "delete" or "archive" it is refused.)

// privateReplaced is the private-state key of the object being planned.
const privateReplaced = "replaced"

// replacedSession is what the create half of a replacement knows of the
// object the destroy half removes.
type replacedSession struct {
	AgentID         string `json:"agent_id"`
	Key             string `json:"key"`
	SessionID       string `json:"session_id,omitempty"`
	Archived        bool   `json:"archived,omitempty"`
	ArchiveFilename string `json:"archive_filename,omitempty"`
	OnDestroy       string `json:"on_destroy"`
}

// privateData is the framework's private state of one resource instance.
type privateData interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// forgetReplaced keeps privateReplaced out of the stored state. Terraform
// hands a resource's private data to the plan of a create that follows a
// refresh which dropped the object (deleted outside Terraform): only a
// replacement's create half may find the key.
func forgetReplaced(ctx context.Context, p privateData) diag.Diagnostics {
	if p == nil {
		return nil
	}
	return p.SetKey(ctx, privateReplaced, nil)
}

func replacedFromState(m sessionResourceModel) replacedSession {
	mode := m.OnDestroy.ValueString()
	if mode == "" {
		mode = onDestroyKeep
	}
	return replacedSession{
		AgentID:         m.AgentID.ValueString(),
		Key:             m.Key.ValueString(),
		SessionID:       m.SessionID.ValueString(),
		Archived:        m.Archived.ValueBool(),
		ArchiveFilename: m.ArchiveFilename.ValueString(),
		OnDestroy:       mode,
	}
}

func (o replacedSession) marshal() []byte {
	b, _ := json.Marshal(o) // plain strings and a bool: cannot fail
	return b
}

func unmarshalReplaced(b []byte) (replacedSession, bool) {
	var o replacedSession
	if len(b) == 0 || json.Unmarshal(b, &o) != nil || o.Key == "" {
		return replacedSession{}, false
	}
	return o, true
}

// notice is the summary and detail of one diagnostic.
type notice struct{ Summary, Detail string }

// describeReplaced names the old object for the user.
func describeReplaced(old replacedSession) string {
	if old.Archived {
		return fmt.Sprintf("archive %s of session %q of agent %s", old.ArchiveFilename, old.Key, old.AgentID)
	}
	what := fmt.Sprintf("session %q of agent %s", old.Key, old.AgentID)
	if old.SessionID != "" {
		what += fmt.Sprintf(" (session_id %s)", old.SessionID)
	}
	return what
}

const (
	noChange = "Nothing has been changed."
	inPlace  = "This resource never needs replacing to pick up a change: `label` and `archived` change in place, " +
		"and `terraform apply -refresh-only` re-reads the session from the platform."
)

// replacementRefusal returns the plan-time error for the replacement of old
// by a resource adopting newKey on newAgentID, or nil when it may go ahead:
// a replacement is refused when its apply could only fail after the destroy
// half, losing a conversation or the resource's state. newKeyActive tells
// whether newKey is among the agent's active sessions (nil: not known at
// plan time).
func replacementRefusal(old replacedSession, newAgentID, newKey string, newKeyActive *bool) *notice {
	sameTarget := old.AgentID == newAgentID && old.Key == newKey
	what := describeReplaced(old)
	switch {
	case sameTarget && old.Archived:
		return &notice{
			Summary: fmt.Sprintf("Cannot replace archived session %q", old.Key),
			Detail: fmt.Sprintf("This resource tracks %s. A replacement destroys the old object first (%s) and then adopts "+
				"key %q among the agent's active sessions; but an archive does not carry its key, so it cannot be adopted "+
				"back: the apply would fail and the resource would leave the state. %s\n\n%s To bring the session back, set "+
				"`archived = false`; to stop managing it, remove the resource (with on_destroy = \"keep\" the archive stays).",
				what, destroyEffect(old), old.Key, noChange, inPlace),
		}
	case sameTarget && (old.OnDestroy == onDestroyDelete || old.OnDestroy == onDestroyArchive):
		verb, gone := "delete", "deletes it and its transcript for good"
		if old.OnDestroy == onDestroyArchive {
			verb, gone = "archive", "archives it"
		}
		return &notice{
			Summary: fmt.Sprintf("Replacing session %q would %s it", old.Key, verb),
			Detail: fmt.Sprintf("This resource has on_destroy = %q. A replacement destroys the old object first, which %s "+
				"(%s), and then adopts key %q among the agent's active sessions, where it would no longer be: the apply would "+
				"fail and the resource would leave the state. %s\n\n%s To %s the session, remove the resource from the "+
				"configuration.", old.OnDestroy, gone, what, newKey, noChange, inPlace, verb),
		}
	case newKeyActive != nil && !*newKeyActive:
		return &notice{
			Summary: fmt.Sprintf("Cannot replace: agent %s has no active session %q to adopt", newAgentID, newKey),
			Detail: fmt.Sprintf("A replacement destroys the old object first (%s: %s) and then adopts key %q of agent %s, "+
				"but that key is not among the agent's active sessions: the apply would fail and the resource would leave "+
				"the state. %s\n\nSessions are created by chatting with the agent, not by Terraform: check `key` and "+
				"`agent_id` (a resource without `agent_id` takes the provider's, which may come from the %s environment "+
				"variable), or start the conversation first.", what, destroyEffect(old), newKey, newAgentID, noChange, EnvAgentID),
		}
	}
	return nil
}

// replacementWarnings names what the replacement of old by a resource
// adopting newKey on newAgentID changes for good, or leaves unmanaged.
func replacementWarnings(old replacedSession, newAgentID, newKey string) []notice {
	if old.AgentID == newAgentID && old.Key == newKey {
		return nil // -replace: refused when it would change anything for good
	}
	what := describeReplaced(old)
	switch {
	case old.OnDestroy == onDestroyDelete:
		return []notice{{
			Summary: fmt.Sprintf("Replacement deletes session %q permanently", old.Key),
			Detail: fmt.Sprintf("This resource is replaced (a changed `key` or `agent_id`) and has on_destroy = \"delete\": "+
				"the apply first deletes %s for good, transcript included, then adopts session %q of agent %s.\n\n"+
				"on_destroy is read from the state, so to keep the old session: set on_destroy = \"keep\" and apply that "+
				"change alone first, then make this one.", what, newKey, newAgentID),
		}}
	case old.Archived:
		return []notice{{
			Summary: fmt.Sprintf("Archive of session %q leaves Terraform's management", old.Key),
			Detail: fmt.Sprintf("This resource is replaced (a changed `key` or `agent_id`) and adopts session %q of agent "+
				"%s. The %s stays on the platform as it is, no longer managed; import it again with the ID %s/%s@%s to "+
				"manage it.", newKey, newAgentID, what, old.AgentID, old.Key, old.ArchiveFilename),
		}}
	}
	return nil
}

// destroyEffect says what the destroy half does to old.
func destroyEffect(old replacedSession) string {
	switch {
	case old.OnDestroy == onDestroyDelete && old.Archived:
		return "on_destroy = \"delete\" deletes the archive and its transcript for good"
	case old.OnDestroy == onDestroyDelete:
		return "on_destroy = \"delete\" deletes the session and its transcript for good"
	case old.OnDestroy == onDestroyArchive && !old.Archived:
		return "on_destroy = \"archive\" archives it"
	case old.OnDestroy == onDestroyClearLabel && !old.Archived:
		return "on_destroy = \"clear_label\" removes its label"
	}
	return fmt.Sprintf("on_destroy = %q leaves it as it is", old.OnDestroy)
}
