package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// callHost sends a request of route rc to the demo agent with the master
// key over TCP to the sandbox's loopback address, with host in the Host
// header: what a page whose name was rebound to 127.0.0.1 sends.
func callHost(t *testing.T, e *env, rc routeCall, host string) result {
	t.Helper()
	var body io.Reader
	if rc.body != nil {
		b, err := json.Marshal(rc.body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(rc.method, e.base+"/agents/"+DemoAgentID+rc.path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Authorization", "Bearer "+DemoMasterKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rc.method, rc.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

// A request addressed to a foreign Host changes nothing and reads nothing on
// every API route, and leaves no trace: no fault consumed, nothing counted.
// With AllowRemote the same requests are served.
func TestAPIRefusesForeignHosts(t *testing.T) {
	t.Parallel()
	foreign := []string{"attacker.example", "attacker.example:8787", "localhost.attacker.example", "192.0.2.7:8787", "[2001:db8::1]:8787"}
	e := start(t, Options{})
	// A fault queued on every route: a refused request must not consume it.
	for _, name := range Routes() {
		e.sb.InjectFault(Fault{Route: name, Status: http.StatusBadGateway, Skip: 1})
	}
	before, faults := e.sb.Snapshot(), e.sb.Faults()
	for _, rc := range append(allRoutes(), routeCall{"unknown path", "GET", "/nothing", nil}) {
		for _, host := range foreign {
			r := callHost(t, e, rc, host)
			if r.status != http.StatusForbidden {
				t.Errorf("%s with Host %s: %d %s, want 403", rc.name, host, r.status, r.body)
				continue
			}
			var got map[string]string
			if err := json.Unmarshal(r.body, &got); err != nil || got["error"] != "Forbidden" ||
				!strings.Contains(got["message"], "loopback host only") || !strings.Contains(got["message"], "--allow-remote") {
				t.Errorf("%s with Host %s: body %s", rc.name, host, r.body)
			}
			if bytes.Contains(r.body, []byte("agent:main")) || bytes.Contains(r.body, []byte(DemoAgentID)) {
				t.Errorf("%s with Host %s: the refusal leaks data: %s", rc.name, host, r.body)
			}
		}
	}
	if after := e.sb.Snapshot(); !reflect.DeepEqual(before, after) {
		t.Error("requests to a foreign Host changed the sandbox's data")
	}
	if got := e.sb.Faults(); !reflect.DeepEqual(faults, got) {
		t.Errorf("requests to a foreign Host consumed faults: %+v, want %+v", got, faults)
	}
	if c := e.sb.Counters(); c.Total != 0 {
		t.Errorf("requests to a foreign Host were counted: %+v", c)
	}

	// Loopback names are served, with or without a port.
	e.sb.ClearFaults()
	list := allRoutes()[0]
	for _, host := range []string{"127.0.0.1", "127.0.0.1:8787", "localhost:8787", "LOCALHOST", "[::1]:8787", "127.1.2.3:80"} {
		if r := callHost(t, e, list, host); r.status != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", host, r.status, r.body)
		}
	}

	// AllowRemote serves every route under any name; the control API still
	// refuses a foreign Host.
	var remote *env
	for _, rc := range allRoutes() {
		remote = start(t, Options{AllowRemote: true}) // each route on the demo data
		if r := callHost(t, remote, rc, "sandbox.lan:8787"); r.status != http.StatusOK {
			t.Errorf("AllowRemote: %s with Host sandbox.lan: %d %s, want 200", rc.name, r.status, r.body)
		}
	}
	req, err := http.NewRequest("GET", remote.ctl+"/state", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "sandbox.lan:8787"
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("AllowRemote: the control API answered a foreign Host with %d, want 403", resp.StatusCode)
	}
}
