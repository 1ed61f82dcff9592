package sandbox

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func listSessions(t *testing.T, e *env) map[string]map[string]any {
	t.Helper()
	r := e.api(t, "GET", "/sessions", nil)
	expect(t, r, 200, "")
	out := map[string]map[string]any{}
	for _, s := range decodeAs[[]map[string]any](t, r.body) {
		out[as[string](t, s["key"])] = s
	}
	return out
}

func listArchives(t *testing.T, e *env) []Archive {
	t.Helper()
	r := e.api(t, "GET", "/archives", nil)
	expect(t, r, 200, "")
	return decodeAs[[]Archive](t, r.body)
}

func TestListsAreBareArrays(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	r := e.api(t, "GET", "/sessions", nil)
	if r.body[0] != '[' || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("sessions: %s %s", r.header.Get("Content-Type"), r.body)
	}
	sessions := decodeAs[[]map[string]any](t, r.body)
	if len(sessions) != 8 {
		t.Fatalf("got %d sessions", len(sessions))
	}
	s := sessions[0]
	for _, f := range []string{"key", "sessionId", "sessionFile", "label", "updatedAt", "chatType", "lastChannel", "origin"} {
		if _, ok := s[f]; !ok {
			t.Errorf("session without %s: %v", f, s)
		}
	}
	if _, ok := s["origin"].(map[string]any); !ok {
		t.Errorf("origin is not an object: %v", s["origin"])
	}
	r = e.api(t, "GET", "/archives", nil)
	if r.body[0] != '[' || len(decodeAs[[]Archive](t, r.body)) != 2 {
		t.Fatalf("archives: %s", r.body)
	}
	// An agent with nothing answers [] rather than null.
	r = call(t, "GET", e.base+"/agents/"+DemoAgentID2+"/archives", DemoMasterKey, nil)
	expect(t, r, 200, `[]`)
	if string(r.body) != "[]" {
		t.Fatalf("empty list is %s", r.body)
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	const key = "agent:main:main"
	tests := []struct {
		name   string
		body   any
		status int
		resp   string
		want   any // label in the list afterwards
	}{
		{"set", map[string]any{"key": key, "label": "Kitchen"}, 200, "", "Kitchen"},
		{"trimmed", map[string]any{"key": key, "label": "  Kitchen \t\n"}, 200, "", "Kitchen"},
		{"invisible ends trimmed", map[string]any{"key": key, "label": "\u200bKit\u200bchen\ufeff\u200e"}, 200, "", "Kit\u200bchen"},
		{"invisible only is null", map[string]any{"key": key, "label": "\u200b \ufeff"}, 200, "", nil},
		{"empty is null", map[string]any{"key": key, "label": ""}, 200, "", nil},
		{"blank is null", map[string]any{"key": key, "label": "   "}, 200, "", nil},
		{"null clears", map[string]any{"key": key, "label": nil}, 200, "", nil},
		{"absent clears", map[string]any{"key": key}, 200, "", nil},
		{"own label again", map[string]any{"key": key, "label": "Main"}, 200, "", "Main"},
		{"255 characters", map[string]any{"key": key, "label": strings.Repeat("é", 255)}, 200, "", strings.Repeat("é", 255)},
		{"256 characters", map[string]any{"key": key, "label": strings.Repeat("a", 256)}, 422,
			`{"message":"The given data was invalid.","errors":{"label":["The label field must not be greater than 255 characters."]}}`, "Main"},
		{"256 with spaces trims to 255", map[string]any{"key": key, "label": " " + strings.Repeat("a", 255)}, 200, "", strings.Repeat("a", 255)},
		{"taken", map[string]any{"key": key, "label": "Ana (Telegram)"}, 422,
			`{"message":"The given data was invalid.","errors":{"label":["label already in use: Ana (Telegram)"]}}`, "Main"},
		{"taken after trim", map[string]any{"key": key, "label": " Ana (Telegram) "}, 422,
			`{"message":"The given data was invalid.","errors":{"label":["label already in use: Ana (Telegram)"]}}`, "Main"},
		{"not a string", map[string]any{"key": key, "label": 12}, 422,
			`{"message":"The given data was invalid.","errors":{"label":["The label field must be a string."]}}`, "Main"},
		{"missing key", map[string]any{"label": "x"}, 422,
			`{"message":"The given data was invalid.","errors":{"key":["The key field is required."]}}`, "Main"},
		{"malformed JSON", "{", 422,
			`{"message":"The given data was invalid.","errors":{"key":["The key field is required."]}}`, "Main"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, Options{})
			r := e.api(t, "POST", "/sessions/rename", tc.body)
			expect(t, r, tc.status, tc.resp)
			if tc.status == 422 {
				if _, has := decodeAs[map[string]any](t, r.body)["error"]; has {
					t.Error("a validation error has an error key")
				}
			}
			if got := listSessions(t, e)[key]["label"]; got != tc.want {
				t.Fatalf("label %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLabelsUniqueAmongActiveOnly(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	// "Old API session" is held by an archive only.
	expect(t, e.api(t, "POST", "/sessions/rename", map[string]any{"key": "agent:main:main", "label": "Old API session"}), 200, "")
	// Labels are per agent.
	expect(t, call(t, "POST", e.base+"/agents/"+DemoAgentID2+"/sessions/rename", DemoMasterKey,
		map[string]any{"key": "agent:main:telegram:direct:987654321", "label": "Ana (Telegram)"}), 200, "")
	// Restoring an archive whose label is now taken: 422, nothing changes.
	expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": demoArchive1}), 422,
		`{"message":"The given data was invalid.","errors":{"label":["label already in use: Old API session"]}}`)
	if len(listArchives(t, e)) != 2 {
		t.Fatal("archive consumed by a failed restore")
	}
}

// Load keeps labels unique among a fixture's sessions, as every other way
// in keeps them unique among an agent's.
func TestLoadRefusesTakenLabels(t *testing.T) {
	t.Parallel()
	sb := New(Options{})
	if err := sb.Load(DemoFixture()); err != nil {
		t.Fatal(err)
	}
	agent := func(specs ...SessionSpec) Fixture {
		return Fixture{Agents: []AgentFixture{{ID: "a-" + specs[0].Key, OwnerID: DemoOwnerID, Sessions: specs}}}
	}
	if err := sb.Load(agent(SessionSpec{Key: "k1", Label: new("Same")}, SessionSpec{Key: "k2", Label: new(" Same ")})); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "label already in use: Same") {
		t.Errorf("two sessions of a fixture with one label: %v", err)
	}
	if err := sb.Load(agent(SessionSpec{Key: "k3", Label: new("One")}, SessionSpec{Key: "k4", Label: new("Two")}, SessionSpec{Key: "k5"}, SessionSpec{Key: "k6"})); err != nil {
		t.Errorf("distinct labels and none: %v", err)
	}
	if _, err := sb.AddSession(DemoAgentID, SessionSpec{Key: "k7", Label: new("Main")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddSession with a label in use: %v", err)
	}
}

var (
	filenameRE   = regexp.MustCompile(`^[0-9a-f-]{36}\.jsonl\.deleted\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$`)
	archivedAtRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func TestArchiveAndRestore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
	const key = "agent:main:telegram:direct:123456789"
	setup := func(t *testing.T) (*env, Session, string) {
		e := start(t, Options{Clock: fixedClock(now)})
		before, _ := e.sb.Session(DemoAgentID, key)
		expect(t, e.api(t, "POST", "/sessions/archive", map[string]any{"key": key}), 200, "")
		name := before.SessionID + ".jsonl.deleted.2026-11-28T17-00-00.000Z"
		return e, before, name
	}

	t.Run("archive", func(t *testing.T) {
		t.Parallel()
		e, before, name := setup(t)
		if _, ok := listSessions(t, e)[key]; ok {
			t.Fatal("archived session still listed")
		}
		var found *Archive
		for _, a := range listArchives(t, e) {
			if a.SessionID == before.SessionID {
				found = &a
			}
		}
		if found == nil {
			t.Fatal("no archive")
		}
		want := Archive{Filename: name, Label: new("Ana (Telegram)"), ArchivedAt: "2026-11-28T17:00:00.000Z", SessionID: before.SessionID}
		if found.Filename != want.Filename || *found.Label != *want.Label || found.ArchivedAt != want.ArchivedAt {
			t.Fatalf("archive %+v, want %+v", *found, want)
		}
		if !filenameRE.MatchString(found.Filename) || !archivedAtRE.MatchString(found.ArchivedAt) {
			t.Fatalf("archive format %+v", *found)
		}
		raw := e.api(t, "GET", "/archives", nil).body
		if strings.Contains(string(raw), key) {
			t.Fatal("the archive list shows the session key")
		}
		// Archiving an archived key is unknown now.
		expect(t, e.api(t, "POST", "/sessions/archive", map[string]any{"key": key}), 404, body404Session)
		// The label is free again.
		expect(t, e.api(t, "POST", "/sessions/rename", map[string]any{"key": "agent:main:main", "label": "Ana (Telegram)"}), 200, "")
	})

	restoreCases := []struct {
		name string
		body map[string]any
		want any
	}{
		{"label omitted keeps the archive's", map[string]any{}, "Ana (Telegram)"},
		{"label given", map[string]any{"label": "  Ana again "}, "Ana again"},
		{"label null clears", map[string]any{"label": nil}, nil},
		{"label empty clears", map[string]any{"label": ""}, nil},
	}
	for _, tc := range restoreCases {
		t.Run("restore "+tc.name, func(t *testing.T) {
			t.Parallel()
			e, before, name := setup(t)
			tc.body["filename"] = name
			expect(t, e.api(t, "POST", "/archives/restore", tc.body), 200, "")
			got, ok := listSessions(t, e)[key]
			if !ok {
				t.Fatal("not restored under its original key")
			}
			if got["sessionId"] != before.SessionID || got["label"] != tc.want ||
				got["sessionFile"] != before.SessionFile || got["chatType"] != "direct" || got["lastChannel"] != "telegram" {
				t.Fatalf("restored %v, before %+v", got, before)
			}
			if len(listArchives(t, e)) != 2 {
				t.Fatal("the archive did not leave the list")
			}
			r := e.api(t, "POST", "/sessions/history", map[string]any{"sessionKey": key})
			if msgs := decodeAs[[]Message](t, r.body); len(msgs) != 4 || msgs[3].ID == "" {
				t.Fatalf("transcript after restore: %s", r.body)
			}
		})
	}

	t.Run("restore label taken", func(t *testing.T) {
		t.Parallel()
		e, _, name := setup(t)
		expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": name, "label": "Main"}), 422,
			`{"message":"The given data was invalid.","errors":{"label":["label already in use: Main"]}}`)
		expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": name, "label": strings.Repeat("x", 256)}), 422, "")
	})

	t.Run("restore 409 when the key is taken", func(t *testing.T) {
		t.Parallel()
		e, _, name := setup(t)
		if _, err := e.sb.AddSession(DemoAgentID, SessionSpec{Key: key}); err != nil {
			t.Fatal(err)
		}
		expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": name}), 409, body409)
		if len(listArchives(t, e)) != 3 {
			t.Fatal("archive consumed by a failed restore")
		}
	})

	t.Run("restore missing filename", func(t *testing.T) {
		t.Parallel()
		e, _, _ := setup(t)
		expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"label": "x"}), 422,
			`{"message":"The given data was invalid.","errors":{"filename":["The filename field is required."]}}`)
	})

	t.Run("same millisecond gives distinct filenames", func(t *testing.T) {
		t.Parallel()
		e, _, name := setup(t)
		expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": name}), 200, "")
		expect(t, e.api(t, "POST", "/sessions/archive", map[string]any{"key": key}), 200, "")
		seen := map[string]bool{}
		for _, a := range listArchives(t, e) {
			if seen[a.Filename] || !filenameRE.MatchString(a.Filename) {
				t.Fatalf("bad or duplicate filename %s", a.Filename)
			}
			seen[a.Filename] = true
			if a.Filename == name {
				t.Fatal("filename reused")
			}
		}
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const key = "s-01hzx3k9q2"
	expect(t, e.api(t, "POST", "/sessions/delete", map[string]any{"key": key}), 200, "")
	if _, ok := listSessions(t, e)[key]; ok {
		t.Fatal("deleted session listed")
	}
	if e.sb.History(DemoAgentID, key) != nil || len(listArchives(t, e)) != 2 {
		t.Fatal("delete left a transcript or made an archive")
	}
	expect(t, e.api(t, "POST", "/sessions/history", map[string]any{"sessionKey": key}), 404, body404Session)
	expect(t, e.api(t, "POST", "/sessions/delete", map[string]any{"key": key}), 404, body404Session)
	expect(t, e.api(t, "POST", "/sessions/delete", map[string]any{}), 422,
		`{"message":"The given data was invalid.","errors":{"key":["The key field is required."]}}`)

	expect(t, e.api(t, "POST", "/archives/delete", map[string]any{"filename": demoArchive1}), 200, "")
	if len(listArchives(t, e)) != 1 {
		t.Fatal("archive still listed")
	}
	expect(t, e.api(t, "POST", "/archives/delete", map[string]any{"filename": demoArchive1}), 404, body404Archive)
	expect(t, e.api(t, "POST", "/archives/restore", map[string]any{"filename": demoArchive1}), 404, body404Archive)
	expect(t, e.api(t, "POST", "/archives/delete", map[string]any{"filename": ""}), 422,
		`{"message":"The given data was invalid.","errors":{"filename":["The filename field is required."]}}`)
}

func TestHistory(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const key = "agent:main:telegram:direct:123456789"
	hist := func(body map[string]any) []json.RawMessage {
		t.Helper()
		r := e.api(t, "POST", "/sessions/history", body)
		expect(t, r, 200, "")
		return decodeAs[[]json.RawMessage](t, r.body)
	}
	all := hist(map[string]any{"sessionKey": key})
	if len(all) != 4 {
		t.Fatalf("got %d messages", len(all))
	}
	first := decodeAs[map[string]any](t, all[0])
	if first["role"] != "user" || first["content"] != "Can you find me a flight to Lisbon on Friday?" {
		t.Fatalf("first message %s", all[0])
	}
	blocks := as[[]any](t, decodeAs[map[string]any](t, all[1])["content"])
	thinking, toolCall := as[map[string]any](t, blocks[0]), as[map[string]any](t, blocks[1])
	if thinking["type"] != "thinking" || toolCall["type"] != "toolCall" ||
		as[map[string]any](t, toolCall["arguments"])["query"] != "flights to Lisbon Friday" {
		t.Fatalf("blocks %v", blocks)
	}
	var prev float64
	for _, m := range all {
		ts := as[float64](t, decodeAs[map[string]any](t, m)["timestamp"])
		if ts < prev {
			t.Fatal("not oldest first")
		}
		prev = ts
	}
	last2 := hist(map[string]any{"sessionKey": key, "limit": 2})
	if string(last2[0]) != string(all[2]) || string(last2[1]) != string(all[3]) {
		t.Fatalf("limit 2 gave %s", last2)
	}
	if got := hist(map[string]any{"sessionKey": key, "limit": 1000}); len(got) != 4 {
		t.Fatal("limit 1000")
	}
	if got := hist(map[string]any{"sessionKey": key, "limit": "1"}); len(got) != 1 {
		t.Fatal("numeric string limit")
	}
	for _, bad := range []struct {
		limit any
		msg   string
	}{
		{0, "The limit field must be at least 1."},
		{-3, "The limit field must be at least 1."},
		{1001, "The limit field must not be greater than 1000."},
		{2.5, "The limit field must be an integer."},
		{"many", "The limit field must be an integer."},
	} {
		expect(t, e.api(t, "POST", "/sessions/history", map[string]any{"sessionKey": key, "limit": bad.limit}), 422,
			`{"message":"The given data was invalid.","errors":{"limit":["`+bad.msg+`"]}}`)
	}
	expect(t, e.api(t, "POST", "/sessions/history", map[string]any{"limit": 5}), 422,
		`{"message":"The given data was invalid.","errors":{"sessionKey":["The session key field is required."]}}`)
	expect(t, e.api(t, "POST", "/sessions/history", map[string]any{"sessionKey": "nope"}), 404, body404Session)

	// The default limit is DefaultHistoryLimit.
	var many []Message
	for i := 0; i < DefaultHistoryLimit+5; i++ {
		many = append(many, TextMessage("user", "m"))
	}
	if err := e.sb.AddMessages(DemoAgentID, key, many...); err != nil {
		t.Fatal(err)
	}
	if got := hist(map[string]any{"sessionKey": key}); len(got) != DefaultHistoryLimit {
		t.Fatalf("default limit gave %d", len(got))
	}
	// Empty transcript: [].
	if _, err := e.sb.ResetSession(DemoAgentID, key); err != nil {
		t.Fatal(err)
	}
	expect(t, e.api(t, "POST", "/sessions/history", map[string]any{"sessionKey": key}), 200, `[]`)
}

func TestUnknownKeyModes(t *testing.T) {
	t.Parallel()
	const ghost = "api:00000000-0000-4000-8000-000000000000"
	tests := []struct {
		route string
		path  string
		body  map[string]any
		r404  string
	}{
		{RouteSessionsHistory, "/sessions/history", map[string]any{"sessionKey": ghost}, body404Session},
		{RouteSessionsRename, "/sessions/rename", map[string]any{"key": ghost, "label": " Ghost "}, body404Session},
		{RouteSessionsArchive, "/sessions/archive", map[string]any{"key": ghost}, body404Session},
		{RouteSessionsDelete, "/sessions/delete", map[string]any{"key": ghost}, body404Session},
		{RouteArchivesRestore, "/archives/restore", map[string]any{"filename": "nope.jsonl.deleted.x"}, body404Archive},
		{RouteArchivesDelete, "/archives/delete", map[string]any{"filename": "nope.jsonl.deleted.x"}, body404Archive},
	}
	for _, mode := range []UnknownKeyMode{UnknownKey404, UnknownKeyLenient} {
		for _, tc := range tests {
			t.Run(string(mode)+"/"+tc.route, func(t *testing.T) {
				t.Parallel()
				e := start(t, Options{UnknownKeys: mode})
				before := e.sb.Snapshot()
				r := e.api(t, "POST", tc.path, tc.body)
				if mode == UnknownKey404 {
					expect(t, r, 404, tc.r404)
					return
				}
				expect(t, r, 200, "")
				after := e.sb.Snapshot()
				switch tc.route {
				case RouteSessionsHistory:
					if string(r.body) != "[]" {
						t.Fatalf("lenient history: %s", r.body)
					}
				case RouteSessionsRename:
					s, ok := e.sb.Session(DemoAgentID, ghost)
					if !ok || s.Label == nil || *s.Label != "Ghost" || s.ChatType != "direct" || s.LastChannel != "api" || s.SessionID == "" {
						t.Fatalf("rename did not create the session: %+v", s)
					}
					if len(after.Agents[0].Sessions) != len(before.Agents[0].Sessions)+1 {
						t.Fatal("session count")
					}
					return
				}
				if !jsonEqual(mustJSON(t, before), mustJSON(t, after)) {
					t.Fatal("lenient no-op changed the state")
				}
			})
		}
	}
	t.Run("lenient rename still checks the label", func(t *testing.T) {
		t.Parallel()
		e := start(t, Options{UnknownKeys: UnknownKeyLenient})
		expect(t, e.api(t, "POST", "/sessions/rename", map[string]any{"key": ghost, "label": "Main"}), 422,
			`{"message":"The given data was invalid.","errors":{"label":["label already in use: Main"]}}`)
		if _, ok := e.sb.Session(DemoAgentID, ghost); ok {
			t.Fatal("created despite the 422")
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSuccessBodyModes(t *testing.T) {
	t.Parallel()
	calls := []struct {
		path string
		body map[string]any
		msg  string
	}{
		{"/sessions/rename", map[string]any{"key": "agent:main:main", "label": "New"}, "Session renamed"},
		{"/sessions/archive", map[string]any{"key": "agent:main:main"}, "Session archived"},
		{"/sessions/delete", map[string]any{"key": "s-01hzx3k9q2"}, "Session deleted"},
		{"/archives/restore", map[string]any{"filename": demoArchive1}, "Archive restored"},
		{"/archives/delete", map[string]any{"filename": "9e0f1a2b-3c4d-4e5f-8a7b-8c9d0e1f2a3b.jsonl.deleted.2026-11-28T10-20-00.000Z"}, "Archive deleted"},
	}
	for _, mode := range []SuccessBodyMode{"", SuccessEmpty, SuccessObject, SuccessMessage} {
		t.Run("mode="+string(mode), func(t *testing.T) {
			t.Parallel()
			e := start(t, Options{SuccessBody: mode})
			for _, c := range calls {
				r := e.api(t, "POST", c.path, c.body)
				switch mode {
				case "", SuccessEmpty:
					if r.status != 200 || len(r.body) != 0 {
						t.Fatalf("%s: %d %q", c.path, r.status, r.body)
					}
				case SuccessObject:
					if r.status != 200 || string(r.body) != "{}" {
						t.Fatalf("%s: %d %q", c.path, r.status, r.body)
					}
				case SuccessMessage:
					expect(t, r, 200, `{"success":true,"message":"`+c.msg+`"}`)
				}
			}
		})
	}
}

func TestOmitNullLabel(t *testing.T) {
	t.Parallel()
	for _, omit := range []bool{false, true} {
		e := start(t, Options{OmitNullLabel: omit})
		s := listSessions(t, e)["s-01hzx3k9q2"]
		_, present := s["label"]
		if present == omit {
			t.Fatalf("omit=%v: session %v", omit, s)
		}
		archives := decodeAs[[]map[string]any](t, e.api(t, "GET", "/archives", nil).body)
		for _, a := range archives {
			if a["sessionId"] == "9e0f1a2b-3c4d-4e5f-8a7b-8c9d0e1f2a3b" {
				if _, present := a["label"]; present == omit {
					t.Fatalf("omit=%v: archive %v", omit, a)
				}
			}
		}
		if listSessions(t, e)["agent:main:main"]["label"] != "Main" {
			t.Fatal("a set label must always be sent")
		}
	}
}

func TestShuffleLists(t *testing.T) {
	t.Parallel()
	order := func(e *env) string {
		var keys []string
		for _, s := range decodeAs[[]Session](t, e.api(t, "GET", "/sessions", nil).body) {
			keys = append(keys, s.Key)
		}
		return strings.Join(keys, "|")
	}
	plain := start(t, Options{})
	if first, second := order(plain), order(plain); first != second {
		t.Fatal("unshuffled lists must be stable")
	}
	e := start(t, Options{ShuffleLists: true})
	first := order(e)
	for i := 0; i < 50; i++ {
		if order(e) != first {
			return
		}
	}
	t.Fatal("50 shuffled lists all in the same order")
}
