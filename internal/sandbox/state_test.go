package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestSnapshotDeterministic(t *testing.T) {
	t.Parallel()
	load := func() *Sandbox {
		sb := New(Options{})
		if err := sb.Load(DemoFixture()); err != nil {
			t.Fatal(err)
		}
		if err := sb.Load(Generate(GenerateOptions{Agents: 2, SessionsPerAgent: 30, ArchivesPerAgent: 3, MessagesPerSession: 3, Seed: 7})); err != nil {
			t.Fatal(err)
		}
		return sb
	}
	a, b := load().Snapshot(), load().Snapshot()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two loads of the same fixtures differ")
	}
	// JSON round trip keeps it equal.
	var back State
	if err := json.Unmarshal(mustJSON(t, a), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, back) {
		t.Fatal("snapshot does not survive a JSON round trip")
	}
	// The archive remembers the key and the transcript.
	var demo AgentState
	for _, ag := range a.Agents {
		if ag.ID == DemoAgentID {
			demo = ag
		}
	}
	if len(demo.Sessions) != 8 || len(demo.Archives) != 2 || demo.Archives[0].Key == "" || len(demo.Archives[0].Messages) == 0 {
		t.Fatalf("demo agent %+v", demo)
	}
	for i := 1; i < len(demo.Sessions); i++ {
		if demo.Sessions[i-1].Key >= demo.Sessions[i].Key {
			t.Fatal("sessions not sorted by key")
		}
	}
}

func TestOutOfBand(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	sb := New(Options{Clock: fixedClock(now)})
	if err := sb.Load(DemoFixture()); err != nil {
		t.Fatal(err)
	}
	const key = "agent:main:telegram:direct:123456789"
	before, _ := sb.Session(DemoAgentID, key)

	if err := sb.Rename(DemoAgentID, key, new("  Renamed  ")); err != nil {
		t.Fatal(err)
	}
	if s, _ := sb.Session(DemoAgentID, key); *s.Label != "Renamed" {
		t.Fatalf("label %q", *s.Label)
	}
	if err := sb.Rename(DemoAgentID, key, new("Main")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("taken label: %v", err)
	}
	if err := sb.Rename(DemoAgentID, "nope", nil); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("unknown key: %v", err)
	}
	if err := sb.Rename("nope", key, nil); !errors.Is(err, ErrUnknownAgent) {
		t.Fatalf("unknown agent: %v", err)
	}

	if err := sb.AddMessages(DemoAgentID, key, TextMessage("user", "more"), BlocksMessage("assistant", TextBlock("ok"))); err != nil {
		t.Fatal(err)
	}
	h := sb.History(DemoAgentID, key)
	if len(h) != 6 || h[5].Timestamp != now.UnixMilli() || h[5].ID == "" {
		t.Fatalf("history %+v", h[4:])
	}
	if s, _ := sb.Session(DemoAgentID, key); s.UpdatedAt != now.UnixMilli() {
		t.Fatalf("updatedAt %d", s.UpdatedAt)
	}

	newID, err := sb.ResetSession(DemoAgentID, key)
	if err != nil || newID == before.SessionID {
		t.Fatalf("reset: %v %s", err, newID)
	}
	if s, _ := sb.Session(DemoAgentID, key); s.SessionID != newID || s.SessionFile == before.SessionFile || len(sb.History(DemoAgentID, key)) != 0 || *s.Label != "Renamed" {
		t.Fatalf("after reset %+v", s)
	}

	name, err := sb.ArchiveSession(DemoAgentID, key)
	if err != nil || name != ArchiveFilename(newID, now) {
		t.Fatalf("archive: %v %s", err, name)
	}
	if _, err := sb.AddSession(DemoAgentID, SessionSpec{Key: key}); err != nil {
		t.Fatal(err)
	}
	if err := sb.RestoreArchive(DemoAgentID, name, nil, true); !errors.Is(err, ErrSessionExists) {
		t.Fatalf("restore onto a taken key: %v", err)
	}
	if err := sb.DeleteSession(DemoAgentID, key); err != nil {
		t.Fatal(err)
	}
	if err := sb.RestoreArchive(DemoAgentID, name, new("Back"), false); err != nil {
		t.Fatal(err)
	}
	if s, _ := sb.Session(DemoAgentID, key); s.SessionID != newID || *s.Label != "Back" {
		t.Fatalf("restored %+v", s)
	}
	if err := sb.DeleteArchive(DemoAgentID, demoArchive1); err != nil {
		t.Fatal(err)
	}
	if err := sb.DeleteArchive(DemoAgentID, demoArchive1); !errors.Is(err, ErrUnknownArchive) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := sb.AddSession(DemoAgentID, SessionSpec{Key: "agent:main:main"}); !errors.Is(err, ErrSessionExists) {
		t.Fatalf("duplicate key: %v", err)
	}
	if _, err := sb.AddArchive(DemoAgentID, ArchiveSpec{SessionID: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("archive without key: %v", err)
	}
	if _, err := sb.AddSession(DemoAgentID, SessionSpec{Key: "k", Messages: []Message{{Role: "system", Content: json.RawMessage(`"x"`)}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad role: %v", err)
	}
}

// TestConcurrency renames, archives, lists and restores different sessions
// from many goroutines at once; run it with -race.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const n = 40
	for i := 0; i < n; i++ {
		if _, err := e.sb.AddSession(DemoAgentID2, SessionSpec{Key: fmt.Sprintf("api:c-%02d", i), Messages: []Message{TextMessage("user", "hi")}}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := fmt.Sprintf("api:c-%02d", i)
			url := e.base + "/agents/" + DemoAgentID2
			steps := []struct {
				path string
				body map[string]any
			}{
				{"/sessions/rename", map[string]any{"key": key, "label": fmt.Sprintf("Label %d", i)}},
				{"/sessions/history", map[string]any{"sessionKey": key, "limit": 1}},
			}
			if i%2 == 0 {
				steps = append(steps, struct {
					path string
					body map[string]any
				}{"/sessions/archive", map[string]any{"key": key}})
			}
			for _, st := range steps {
				r, err := try("POST", url+st.path, DemoMasterKey, st.body)
				if err != nil || r.status != 200 {
					errs <- fmt.Errorf("%s %s: %v %d %s", key, st.path, err, r.status, r.body)
				}
			}
			if r, err := try("GET", url+"/sessions", DemoMasterKey, nil); err != nil || r.status != 200 {
				errs <- fmt.Errorf("list: %v", err)
			}
			e.sb.Snapshot()
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := e.sb.Snapshot()
	var ag AgentState
	for _, a := range st.Agents {
		if a.ID == DemoAgentID2 {
			ag = a
		}
	}
	if len(ag.Sessions) != 2+n/2 || len(ag.Archives) != n/2 {
		t.Fatalf("%d sessions, %d archives", len(ag.Sessions), len(ag.Archives))
	}
	names := map[string]bool{}
	for _, a := range ag.Archives {
		if names[a.Filename] {
			t.Fatalf("duplicate archive filename %s", a.Filename)
		}
		names[a.Filename] = true
		if a.Label == nil || len(a.Messages) != 1 {
			t.Fatalf("archive %+v", a)
		}
	}
	for _, s := range ag.Sessions {
		if len(s.Key) > 5 && s.Key[:5] == "api:c" && s.Label == nil {
			t.Fatalf("session %s lost its label", s.Key)
		}
	}
	if c := e.sb.Counters(); c.ByRoute[RouteSessionsRename] != n || c.ByRouteStatus[RouteSessionsArchive][200] != n/2 {
		t.Fatalf("counters %+v", c)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	g := GenerateOptions{Agents: 2, SessionsPerAgent: 200, ArchivesPerAgent: 10, MessagesPerSession: 5, Seed: 42}
	a, b := Generate(g), Generate(g)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different fixtures")
	}
	g.Seed = 43
	if reflect.DeepEqual(a, Generate(g)) {
		t.Fatal("different seeds, same fixture")
	}
	sb := New(Options{})
	if err := sb.Load(a); err != nil {
		t.Fatal(err)
	}
	st := sb.Snapshot()
	if len(st.Agents) != 2 || len(st.Agents[0].Sessions) != 200 || len(st.Agents[0].Archives) != 10 {
		t.Fatalf("generated %d agents", len(st.Agents))
	}
	shapes := map[string]int{}
	chatTypes := map[string]int{}
	noLabel, blocks, strs := 0, 0, 0
	for _, s := range st.Agents[0].Sessions {
		switch {
		case len(s.Key) > 4 && s.Key[:4] == "api:":
			shapes["api"]++
		case len(s.Key) > 2 && s.Key[:2] == "s-":
			shapes["s-"]++
		case s.Key == "agent:main:main":
			shapes["main"]++
		case len(s.Key) > 25 && s.Key[:25] == "agent:main:telegram:group":
			shapes["group"]++
		case len(s.Key) > 26 && s.Key[:26] == "agent:main:telegram:direct":
			shapes["direct"]++
		}
		chatTypes[s.ChatType]++
		if s.Label == nil {
			noLabel++
		}
		if len(s.Messages) != 5 {
			t.Fatalf("%d messages", len(s.Messages))
		}
		for _, m := range s.Messages {
			if m.Content[0] == '[' {
				blocks++
			} else {
				strs++
			}
		}
	}
	if len(shapes) != 5 || shapes["main"] != 1 || len(chatTypes) != 3 || noLabel == 0 || noLabel == 200 || blocks == 0 || strs == 0 {
		t.Fatalf("shapes %v chat types %v no label %d blocks %d strings %d", shapes, chatTypes, noLabel, blocks, strs)
	}
	// The keys work over HTTP.
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	r := call(t, "GET", sb.URL()+"/agents/"+a.Agents[1].ID+"/sessions", a.Keys[2].Token, nil)
	if r.status != 200 || len(decodeAs[[]Session](t, r.body)) != 200 {
		t.Fatalf("agent key of agent 2: %d", r.status)
	}

	p, err := ParseGenerateOptions("agents=3, sessions=1000,archives=10,messages=5,seed=9")
	if err != nil || p != (GenerateOptions{Agents: 3, SessionsPerAgent: 1000, ArchivesPerAgent: 10, MessagesPerSession: 5, Seed: 9}) {
		t.Fatalf("parse: %+v %v", p, err)
	}
	for _, bad := range []string{"agents", "agents=x", "colour=3", "sessions=-1"} {
		if _, err := ParseGenerateOptions(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestDemoFixture(t *testing.T) {
	t.Parallel()
	if !reflect.DeepEqual(DemoFixture(), DemoFixture()) {
		t.Fatal("demo fixture not deterministic")
	}
	sb := New(Options{})
	if err := sb.Load(DemoFixture()); err != nil {
		t.Fatal(err)
	}
	if err := sb.Load(DemoFixture()); !errors.Is(err, ErrAgentExists) {
		t.Fatalf("loading twice: %v", err)
	}
	// A fixture survives JSON.
	var f Fixture
	if err := json.Unmarshal(mustJSON(t, DemoFixture()), &f); err != nil {
		t.Fatal(err)
	}
	sb2 := New(Options{})
	if err := sb2.Load(f); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sb.Snapshot(), sb2.Snapshot()) {
		t.Fatal("fixture changed through JSON")
	}
}
