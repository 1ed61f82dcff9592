package provider

import (
	"strings"
	"testing"
)

// Which replacements are refused at plan time, and which carry a warning.
func TestReplacementJudgement(t *testing.T) {
	active := func(b bool) *bool { return &b }
	live := replacedSession{AgentID: testAgentID, Key: groupKey, SessionID: "s-1", OnDestroy: onDestroyDelete}
	archived := replacedSession{AgentID: testAgentID, Key: groupKey, SessionID: "s-1", Archived: true,
		ArchiveFilename: "s-1.jsonl.deleted.2026-11-28T17-00-00.000Z", OnDestroy: onDestroyKeep}
	with := func(o replacedSession, mode string) replacedSession { o.OnDestroy = mode; return o }

	cases := []struct {
		name         string
		old          replacedSession
		agent, key   string
		newActive    *bool
		refusal      string // "" when allowed
		warning      string // "" when none
		warningOnKey bool
	}{
		{"-replace, delete", live, testAgentID, groupKey, active(true), "would delete it", "", false},
		{"-replace, archive", with(live, onDestroyArchive), testAgentID, groupKey, active(true), "would archive it", "", false},
		{"-replace, keep", with(live, onDestroyKeep), testAgentID, groupKey, active(true), "", "", false},
		{"-replace, clear_label", with(live, onDestroyClearLabel), testAgentID, groupKey, active(true), "", "", false},
		{"-replace, archived keep", archived, testAgentID, groupKey, active(false), "Cannot replace archived session", "", false},
		{"-replace, archived delete, key active again", with(archived, onDestroyDelete), testAgentID, groupKey, active(true),
			"Cannot replace archived session", "", false},
		{"key change, delete", live, testAgentID, apiKey, active(true), "", "Replacement deletes session", true},
		{"key change, delete, unknown activity", live, testAgentID, apiKey, nil, "", "Replacement deletes session", true},
		{"key change to a missing key", live, testAgentID, apiKey, active(false), "has no active session", "Replacement deletes", true},
		{"agent change to an agent without the key", with(live, onDestroyKeep), testAgent2ID, groupKey, active(false),
			"GUAYABA_AGENT_ID", "", false},
		{"agent change, delete", live, testAgent2ID, groupKey, active(true), "", "session_id s-1", true},
		{"key change, archived keep", archived, testAgentID, apiKey, active(true), "", "leaves Terraform's management", true},
		{"key change, archived delete", with(archived, onDestroyDelete), testAgentID, apiKey, active(true), "",
			"archive s-1.jsonl.deleted", true},
		{"key change, keep", with(live, onDestroyKeep), testAgentID, apiKey, active(true), "", "", false},
	}
	for _, c := range cases {
		r := replacementRefusal(c.old, c.agent, c.key, c.newActive)
		switch {
		case c.refusal == "" && r != nil:
			t.Errorf("%s: refused: %s", c.name, r.Summary)
		case c.refusal != "" && r == nil:
			t.Errorf("%s: allowed, want a refusal saying %q", c.name, c.refusal)
		case r != nil && !strings.Contains(r.Summary+" "+r.Detail, c.refusal):
			t.Errorf("%s: refusal %q / %q does not say %q", c.name, r.Summary, r.Detail, c.refusal)
		case r != nil && !strings.Contains(r.Detail, "Nothing has been changed"):
			t.Errorf("%s: refusal does not say that nothing changed: %s", c.name, r.Detail)
		}
		w := replacementWarnings(c.old, c.agent, c.key)
		text := ""
		for _, n := range w {
			text += n.Summary + " " + n.Detail
		}
		switch {
		case c.warning == "" && len(w) != 0:
			t.Errorf("%s: unexpected warning %q", c.name, text)
		case c.warning != "" && !strings.Contains(text, c.warning):
			t.Errorf("%s: warning %q does not say %q", c.name, text, c.warning)
		}
	}
}

// The private data that carries the replaced object survives a round trip
// and is absent from a plain create.
func TestReplacedSessionPrivateData(t *testing.T) {
	o := replacedSession{AgentID: testAgentID, Key: groupKey, SessionID: "s", Archived: true, ArchiveFilename: "f", OnDestroy: "delete"}
	if got, ok := unmarshalReplaced(o.marshal()); !ok || got != o {
		t.Errorf("round trip: %+v, %t", got, ok)
	}
	for _, b := range [][]byte{nil, []byte("{}"), []byte("not json")} {
		if _, ok := unmarshalReplaced(b); ok {
			t.Errorf("%q read as a replaced session", b)
		}
	}
}
