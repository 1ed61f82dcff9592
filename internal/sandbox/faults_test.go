package sandbox

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := start(t, Options{RateLimitPerMinute: 60, RateLimitBurst: 2})
	for i, remaining := range []string{"1", "0"} {
		r := e.api(t, "GET", "/sessions", nil)
		expect(t, r, 200, "")
		if r.header.Get("X-RateLimit-Limit") != "60" || r.header.Get("X-RateLimit-Remaining") != remaining {
			t.Fatalf("request %d headers %v", i, r.header)
		}
	}
	r := e.api(t, "GET", "/sessions", nil)
	expect(t, r, 429, body429)
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 2 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if r.header.Get("X-RateLimit-Limit") != "60" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers %v", r.header)
	}
	// Buckets are per key: another key still passes.
	expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoAgentKey, nil), 200, "")
	// Throttling comes before authentication, as Laravel's throttle does.
	call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", "bogus", nil)
	call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", "bogus", nil)
	expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", "bogus", nil), 429, body429)

	c := e.sb.Counters()
	if c.RateLimited != 2 || c.ByRouteStatus[RouteSessionsList][429] != 2 {
		t.Fatalf("counters %+v", c)
	}
	// The bucket refills: one token a second.
	time.Sleep(time.Duration(ra) * time.Second)
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	// Turned off: no headers, no limit.
	e.sb.SetRateLimit(0, 0)
	for i := 0; i < 5; i++ {
		r := e.api(t, "GET", "/sessions", nil)
		expect(t, r, 200, "")
		if r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatal("rate-limit headers while off")
		}
	}
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Status: 502, Count: 2})
	for i := 0; i < 2; i++ {
		expect(t, e.api(t, "GET", "/sessions", nil), 502, `{"error":"Bad Gateway","message":"Failed to communicate with the agent container"}`)
	}
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	// Other routes are unaffected.
	e.sb.InjectFault(Fault{Route: RouteArchivesList, Status: 503, RetryAfter: "1"})
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	r := e.api(t, "GET", "/archives", nil)
	expect(t, r, 503, body503)
	if r.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// A fault answers before authentication.
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Status: 429, RetryAfter: "3"})
	r = call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", "", nil)
	expect(t, r, 429, body429)
	if r.header.Get("Retry-After") != "3" {
		t.Fatal("429 fault without Retry-After")
	}
	// An HTML proxy page.
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"})
	r = e.api(t, "GET", "/sessions", nil)
	if r.status != 502 || string(r.body) != "<html><body>502 Bad Gateway</body></html>" || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("html fault: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
}

func TestFaultFIFOAndSkip(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	e.sb.InjectFault(Fault{Route: RouteSessionsRename, Status: 500, Skip: 1})
	e.sb.InjectFault(Fault{Route: RouteSessionsRename, Status: 504})
	body := map[string]any{"key": "agent:main:main", "label": "A"}
	expect(t, e.api(t, "POST", "/sessions/rename", body), 200, "")
	expect(t, e.api(t, "POST", "/sessions/rename", body), 500, `{"error":"Internal Server Error","message":"Server Error"}`)
	if r := e.api(t, "POST", "/sessions/rename", body); r.status != 504 {
		t.Fatalf("second fault: %d", r.status)
	}
	expect(t, e.api(t, "POST", "/sessions/rename", body), 200, "")
	if len(e.sb.Faults()) != 0 {
		t.Fatal("faults left")
	}
	e.sb.InjectFault(Fault{Route: RouteSessionsRename, Status: 500, Count: 10})
	e.sb.ClearFaults()
	expect(t, e.api(t, "POST", "/sessions/rename", body), 200, "")
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	const d = 300 * time.Millisecond
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Delay: d})
	t0 := time.Now()
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	if el := time.Since(t0); el < d {
		t.Fatalf("answered after %v, before the %v delay", el, d)
	}
	// Delay then status.
	e.sb.InjectFault(Fault{Route: RouteSessionsList, Delay: 50 * time.Millisecond, Status: 503})
	expect(t, e.api(t, "GET", "/sessions", nil), 503, body503)

	// A client that gives up ends the delay; the request is counted as 0.
	e.sb.InjectFault(Fault{Route: RouteArchivesList, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/agents/"+DemoAgentID+"/archives", nil)
	req.Header.Set("Authorization", "Bearer "+DemoMasterKey)
	t0 = time.Now()
	if _, err := noKeepAlive.Do(req); err == nil {
		t.Fatal("no error from a cancelled request")
	}
	deadline := time.Now().Add(2 * time.Second)
	for e.sb.Counters().ByRouteStatus[RouteArchivesList][0] != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the server kept sleeping: %+v", e.sb.Counters())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if time.Since(t0) > 3*time.Second {
		t.Fatal("delay not cut short")
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	e.sb.InjectFault(Fault{Route: RouteSessionsRename, Drop: true})
	_, err := try("POST", e.base+"/agents/"+DemoAgentID+"/sessions/rename", DemoMasterKey, map[string]any{"key": "agent:main:main", "label": "Dropped"})
	if err == nil {
		t.Fatal("a dropped connection gave no client error")
	}
	if s, _ := e.sb.Session(DemoAgentID, "agent:main:main"); *s.Label != "Main" {
		t.Fatal("Drop applied the change")
	}
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	if c := e.sb.Counters(); c.ByRouteStatus[RouteSessionsRename][0] != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestFaultApplyThenDrop(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	e.sb.InjectFault(Fault{Route: RouteSessionsArchive, ApplyThenDrop: true})
	_, err := try("POST", e.base+"/agents/"+DemoAgentID+"/sessions/archive", DemoMasterKey, map[string]any{"key": "agent:main:main"})
	if err == nil {
		t.Fatal("no client error")
	}
	if _, ok := e.sb.Session(DemoAgentID, "agent:main:main"); ok {
		t.Fatal("the change was not applied")
	}
	if len(e.sb.Archives(DemoAgentID)) != 3 {
		t.Fatal("no archive made")
	}
	// The retry finds the key gone.
	expect(t, e.api(t, "POST", "/sessions/archive", map[string]any{"key": "agent:main:main"}), 404, body404Session)
}

func TestCounters(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	for _, rc := range allRoutes() {
		e.api(t, rc.method, rc.path, rc.body)
	}
	e.api(t, "POST", "/sessions/rename", map[string]any{})
	call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", "", nil)
	e.control(t, "GET", "/state", nil)
	e.control(t, "GET", "/counters", nil)
	c := e.sb.Counters()
	if c.Total != 10 {
		t.Fatalf("total %d: %+v", c.Total, c)
	}
	for _, r := range Routes() {
		if c.ByRoute[r] < 1 {
			t.Errorf("route %s not counted", r)
		}
	}
	if c.ByRouteStatus[RouteSessionsRename][422] != 1 || c.ByRouteStatus[RouteSessionsRename][200] != 1 ||
		c.ByRouteStatus[RouteSessionsList][401] != 1 || c.ByRoute[RouteSessionsList] != 2 {
		t.Fatalf("by status %+v", c.ByRouteStatus)
	}
	// Over the control API too.
	got := decodeAs[Counters](t, e.control(t, "GET", "/counters", nil).body)
	if got.Total != 10 || got.ByRouteStatus[RouteSessionsRename][422] != 1 {
		t.Fatalf("control counters %+v", got)
	}
	e.sb.ResetCounters()
	if c := e.sb.Counters(); c.Total != 0 || len(c.ByRoute) != 0 {
		t.Fatalf("after reset %+v", c)
	}
}
