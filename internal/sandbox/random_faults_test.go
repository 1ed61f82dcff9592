package sandbox

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The random-fault mode: the probability asked, the mix asked, an exact
// replay from a seed, lost answers that did the write and status answers
// that did not.

// outcome is what a client saw of one request: its status, or "no answer".
func outcome(r result, err error) string {
	if err != nil {
		return "no answer"
	}
	return strconv.Itoa(r.status)
}

// injected returns how the counters changed from before to after: the
// fault outcome of one request ("" when it took none).
func injected(before, after Counters) string {
	for route, m := range after.Injected {
		for o, n := range m {
			if n != before.Injected[route][o] {
				return o
			}
		}
	}
	return ""
}

func TestRandomFaultsProbabilityAndMix(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	if _, err := e.sb.SetRandomFaults(RandomFaults{Probability: 0.2, Lost: 0.2, Drop: 0.1, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	faulted := 0
	for range n {
		r, err := try("GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoMasterKey, nil)
		switch o := outcome(r, err); o {
		case "200":
		case "429":
			faulted++
			if ra := r.header.Get("Retry-After"); ra != "0" && ra != "1" {
				t.Errorf("a random 429 says Retry-After %q, want 0 or 1", ra)
			}
		case "503":
			faulted++
			expect(t, r, 503, RandomUnavailableBody)
		default:
			faulted++
		}
	}
	// 200 faults expected; the bounds are 4 standard deviations wide.
	if faulted < 150 || faulted > 250 {
		t.Errorf("%d of %d requests faulted, want about 20%%", faulted, n)
	}
	c := e.sb.Counters()
	total := 0
	for _, o := range []string{"429", "500", "502", "503", "504", InjectedLost, InjectedDrop} {
		k := c.InjectedCount(o)
		total += k
		if k == 0 {
			t.Errorf("no %s among %d faults: %v", o, faulted, c.Injected)
		}
	}
	if total != faulted || c.Total != n {
		t.Errorf("counters: %d faults injected and %d requests, the client saw %d faults in %d: %v", total, c.Total, faulted, n, c.Injected)
	}
	// Lost answers: about 20% of the faults, all counted as lost.
	if lost := c.InjectedCount(InjectedLost); c.Lost != lost || lost < faulted/10 || lost > faulted*3/10 {
		t.Errorf("%d lost answers (Lost %d) among %d faults, want about 20%%", lost, c.Lost, faulted)
	}
	if c.Injected[RouteSessionsList]["503"] != c.ByRouteStatus[RouteSessionsList][503] {
		t.Errorf("every 503 is a fault here: %v vs %v", c.Injected, c.ByRouteStatus)
	}
	t.Logf("%d faults in %d requests: %v, lost %d", faulted, n, c.Injected[RouteSessionsList], c.Lost)
}

// requestSequence sends a fixed sequence of requests over every route, one
// at a time, and returns what the client saw of each.
func requestSequence(t *testing.T, e *env) []string {
	t.Helper()
	var seen []string
	for i := range 150 {
		var r result
		var err error
		switch i % 3 {
		case 0:
			r, err = try("GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoMasterKey, nil)
		case 1:
			r, err = try("POST", e.base+"/agents/"+DemoAgentID+"/sessions/rename", DemoMasterKey,
				map[string]any{"key": "agent:main:main", "label": fmt.Sprintf("Main %d", i)})
		default:
			r, err = try("GET", e.base+"/agents/"+DemoAgentID+"/archives", DemoMasterKey, nil)
		}
		seen = append(seen, outcome(r, err))
	}
	return seen
}

// The same seed and the same sequence of requests give the same faults; a
// new SetRandomFaults starts the draws over; another seed gives others.
func TestRandomFaultsReplay(t *testing.T) {
	t.Parallel()
	rf := RandomFaults{Probability: 0.3, Lost: 0.25, Drop: 0.15, Seed: 42}
	run := func(e *env, rf RandomFaults) ([]string, map[string]map[string]int) {
		e.sb.ResetCounters()
		if _, err := e.sb.SetRandomFaults(rf); err != nil {
			t.Fatal(err)
		}
		return requestSequence(t, e), e.sb.Counters().Injected
	}
	a, b := start(t, Options{}), start(t, Options{})
	seenA, injA := run(a, rf)
	seenB, injB := run(b, rf)
	if !slices.Equal(seenA, seenB) || !reflect.DeepEqual(injA, injB) {
		t.Fatalf("seed 42 twice gave\n%v %v\n%v %v", seenA, injA, seenB, injB)
	}
	if again, inj := run(a, rf); !slices.Equal(again, seenA) || !reflect.DeepEqual(inj, injA) {
		t.Errorf("setting the mode again did not start the draws over:\n%v\n%v", seenA, again)
	}
	other := rf
	other.Seed = 43
	if seenC, _ := run(b, other); slices.Equal(seenC, seenA) {
		t.Errorf("seeds 42 and 43 gave the same faults: %v", seenA)
	}
	if n := len(injA); n != 3 {
		t.Errorf("faults on %d routes, want the 3 of the sequence: %v", n, injA)
	}
	t.Logf("seed 42: %v", injA)
}

// Over many writes, each judged by what the counters say it got: a lost
// answer did the write, a status answer or a dropped connection did not,
// and no fault reached the reads when only writes are selected.
func TestRandomFaultsWritesApplyOnlyWhenLost(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const n = 120
	for i := range n {
		if _, err := e.sb.AddSession(DemoAgentID, SessionSpec{Key: fmt.Sprintf("agent:main:webchat:direct:%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.sb.SetRandomFaults(RandomFaults{Probability: 0.5, Lost: 0.3, Drop: 0.2, Routes: []string{"writes"}, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i := range n {
		key := fmt.Sprintf("agent:main:webchat:direct:%03d", i)
		label := "L" + strconv.Itoa(i)
		path, body := "/sessions/rename", map[string]any{"key": key, "label": label}
		if i%2 == 1 {
			path, body = "/sessions/archive", map[string]any{"key": key}
		}
		before := e.sb.Counters()
		r, err := try("POST", e.base+"/agents/"+DemoAgentID+path, DemoMasterKey, body)
		got := injected(before, e.sb.Counters())
		s, active := e.sb.Session(DemoAgentID, key)
		done := active && s.Label != nil && *s.Label == label
		if i%2 == 1 {
			done = !active
		}
		kind := got
		switch got {
		case "":
			kind = "none"
			if o := outcome(r, err); o != "200" || !done {
				t.Errorf("%s %s without a fault: %s, done %t", path, key, o, done)
			}
		case InjectedLost:
			if err == nil || !done {
				t.Errorf("%s %s with a lost answer: error %v, done %t, want no answer and done", path, key, err, done)
			}
		case InjectedDrop:
			if err == nil || done {
				t.Errorf("%s %s dropped before handling: error %v, done %t, want no answer and not done", path, key, err, done)
			}
		default:
			kind = "status"
			if outcome(r, err) != got || done {
				t.Errorf("%s %s answered %s by a fault: saw %s, done %t, want not done", path, key, got, outcome(r, err), done)
			}
		}
		kinds[kind]++
		if i%10 == 0 {
			expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
		}
	}
	for _, k := range []string{"none", "status", InjectedLost, InjectedDrop} {
		if kinds[k] == 0 {
			t.Errorf("no write of kind %s: %v", k, kinds)
		}
	}
	c := e.sb.Counters()
	if len(c.Injected[RouteSessionsList]) != 0 || c.ByRouteStatus[RouteSessionsList][200] != n/10 {
		t.Errorf("reads got faults with routes=writes: %v", c.Injected)
	}
	t.Logf("writes by fault: %v", kinds)
}

// Queued faults come first; a request a queued fault skips draws.
func TestRandomFaultsAfterQueued(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	if _, err := e.sb.SetRandomFaults(RandomFaults{Probability: 1, Statuses: []int{500}, Routes: []string{RouteSessionsList}}); err != nil {
		t.Fatal(err)
	}
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Status: 502, Skip: 1})
	expect(t, e.api(t, "GET", "/sessions", nil), 500, "")
	expect(t, e.api(t, "GET", "/sessions", nil), 502, "")
	expect(t, e.api(t, "GET", "/sessions", nil), 500, "")
	expect(t, e.api(t, "GET", "/archives", nil), 200, "")
	c := e.sb.Counters()
	if want := map[string]map[string]int{RouteSessionsList: {"500": 2, "502": 1}}; !reflect.DeepEqual(c.Injected, want) {
		t.Errorf("injected %v, want %v", c.Injected, want)
	}
	e.sb.StopRandomFaults()
	if _, on := e.sb.RandomFaults(); on {
		t.Error("still on after StopRandomFaults")
	}
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
}

func TestRandomFaultsControlAPI(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	expect(t, e.control(t, "GET", "/faults/random", nil), 200, `{"active":false}`)
	r := e.control(t, "POST", "/faults/random", map[string]any{"probability": 1, "lost": 0, "routes": []string{"reads"}, "seed": 9})
	expect(t, r, 200, `{"active":true,"probability":1,"statuses":[429,500,502,503,504],"routes":["reads"],"seed":9}`)
	expect(t, e.control(t, "GET", "/faults/random", nil), 200, string(r.body))
	if r := e.api(t, "GET", "/archives", nil); r.status == 200 {
		t.Errorf("a read with probability 1 was not faulted: %d", r.status)
	}
	expect(t, e.api(t, "POST", "/sessions/rename", map[string]any{"key": "agent:main:main", "label": "Main"}), 200, "")
	expect(t, e.control(t, "DELETE", "/faults/random", nil), 200, `{"ok":true}`)
	expect(t, e.control(t, "GET", "/faults/random", nil), 200, `{"active":false}`)
	expect(t, e.api(t, "GET", "/archives", nil), 200, "")

	for body, want := range map[string]string{
		`{"probability":2}`:                         "probability: want a number from 0 to 1",
		`{"probability":0.5,"lost":0.7,"drop":0.5}`: "plus drop",
		`{"probability":0.5,"statuses":[200]}`:      "statuses from 400 to 599",
		`{"probability":0.5,"routes":["sessions"]}`: `unknown route \"sessions\"`,
		`{"probabilty":0.5}`:                        `unknown field \"probabilty\"`,
		`{"seed":1}`:                                "probability: required",
		`[]`:                                        "invalid random faults",
	} {
		r := e.control(t, "POST", "/faults/random", body)
		if r.status != 422 && r.status != 400 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s, want 400 or 422 saying %q", body, r.status, r.body, want)
		}
	}
	if _, on := e.sb.RandomFaults(); on {
		t.Error("a refused request started the mode")
	}
	// The control API's rules hold: a change needs a JSON content type.
	rr, err := noKeepAlive.Post(e.ctl+"/faults/random", "text/plain", strings.NewReader(`{"probability":1}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = rr.Body.Close()
	if rr.StatusCode != 415 {
		t.Errorf("a text/plain request: %d, want 415", rr.StatusCode)
	}
	// Reset stops the mode with everything else.
	expect(t, e.control(t, "POST", "/faults/random", `{"probability":1}`), 200, "")
	expect(t, e.control(t, "POST", "/reset", nil), 200, "")
	expect(t, e.control(t, "GET", "/faults/random", nil), 200, `{"active":false}`)
}

func TestParseRandomFaults(t *testing.T) {
	t.Parallel()
	good := []struct {
		spec string
		want RandomFaults
	}{
		{"p=0.17,seed=42,statuses=429+500+502+503+504,lost=0.3", RandomFaults{
			Probability: 0.17, Seed: 42, Statuses: []int{429, 500, 502, 503, 504}, Lost: 0.3,
		}},
		{"p=1", RandomFaults{Probability: 1, Statuses: DefaultRandomStatuses()}},
		{" probability = 0.5 , drop=0.25, statuses=500+500+502, routes=writes+sessions.list ,", RandomFaults{
			Probability: 0.5, Drop: 0.25, Statuses: []int{500, 500, 502}, Routes: []string{"writes", "sessions.list"},
		}},
	}
	for _, tc := range good {
		spec, want := tc.spec, tc.want
		got, err := ParseRandomFaults(spec)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %+v %v, want %+v", spec, got, err, want)
			continue
		}
		// String gives the syntax back.
		again, err := ParseRandomFaults(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%q: String %q reads back as %+v %v", spec, got.String(), again, err)
		}
	}
	bad := map[string]string{
		"":                        "p (the probability of a fault per request, from 0 to 1) is required",
		"seed=1":                  "p (the probability",
		"p=1.5":                   "p: want a number from 0 to 1, got 1.5",
		"p=NaN":                   "p: want a number from 0 to 1",
		"p=half":                  `p wants a number from 0 to 1, got "half"`,
		"p=0.1,lost=0.6,drop=0.6": "lost (0.6) plus drop (0.6) is more than 1",
		"p=0.1,statuses=500+oops": "statuses wants HTTP statuses joined by +",
		"p=0.1,statuses=302":      "statuses: want statuses from 400 to 599, got 302",
		"p=0.1,routes=everything": `routes: unknown route "everything"`,
		"p=0.1,seed=-1":           `seed wants a non-negative integer, got "-1"`,
		"p=0.1,chance=2":          `unknown field "chance"`,
		"p=0.1,lost":              `"lost" is not name=value`,
	}
	for spec, want := range bad {
		_, err := ParseRandomFaults(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", spec, err, want)
		}
		var ve *ValidationError
		if errors.As(err, &ve) {
			t.Errorf("%q: the flag's error should not carry the Go field's form: %v", spec, err)
		}
	}
}
