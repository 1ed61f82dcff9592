package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

func TestRequireLoopback(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:8787": true, "localhost:0": true, "[::1]:9000": true,
		"0.0.0.0:8787": false, ":8787": false, "192.0.2.1:80": false, "nonsense": false,
	} {
		if err := requireLoopback(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},
		{"--addr", "127.0.0.1:0", "--unknown-keys", "maybe"},
		{"--addr", "127.0.0.1:0", "--success-body", "xml"},
		{"--addr", "127.0.0.1:0", "--generate", "agents=x"},
		{"--addr", "127.0.0.1:0", "--seed", "/nonexistent.json"},
		{"--addr", "127.0.0.1:0", "extra"},
		{"--addr", "127.0.0.1:0", "--random-faults", "p=2"},
		{"--addr", "127.0.0.1:0", "--random-faults", "statuses=500"},
		{"--addr", "127.0.0.1:0", "--random-faults", "p=0.1,routes=nowhere"},
	} {
		if err := run(t.Context(), args, io.Discard); err == nil {
			t.Errorf("%s: accepted", strings.Join(args, " "))
		}
	}
}

// The banner gives the random-fault mode in the flag's syntax, seed
// included, so that a failing run can be replayed.
func TestBannerNamesRandomFaults(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{})
	var out bytes.Buffer
	printBanner(&out, sb, nil)
	if strings.Contains(out.String(), "random faults") {
		t.Errorf("random faults in the banner while off:\n%s", out.String())
	}
	rf, err := sandbox.ParseRandomFaults("p=0.17,lost=0.3,seed=42")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.SetRandomFaults(rf); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	printBanner(&out, sb, nil)
	want := "--random-faults 'p=0.17,statuses=429+500+502+503+504,lost=0.3,seed=42'"
	if !strings.Contains(out.String(), want) {
		t.Errorf("the banner does not say %s:\n%s", want, out.String())
	}
}

// The banner names the dashboard; --allow-remote lets the API answer a
// request addressed to another host name, which it refuses otherwise.
func TestRunAllowRemote(t *testing.T) {
	t.Parallel()
	for flag, want := range map[string]int{"": http.StatusForbidden, "--allow-remote": http.StatusOK} {
		args := []string{"--demo"}
		if flag != "" {
			args = append(args, flag)
		}
		dashboard, out := startSandbox(t, args...)
		if !strings.Contains(out.String(), "dashboard: "+dashboard+"\n") {
			t.Errorf("the banner does not name the dashboard %s:\n%s", dashboard, out)
		}
		req, err := http.NewRequest("GET", dashboard+"api/v1/agents/"+sandbox.DemoAgentID+"/sessions", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "sandbox.lan"
		req.Header.Set("Authorization", "Bearer "+sandbox.DemoAgentKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%q: a request to Host sandbox.lan got %d, want %d", flag, resp.StatusCode, want)
		}
	}
}
