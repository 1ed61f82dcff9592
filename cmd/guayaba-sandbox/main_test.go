package main

import (
	"bytes"
	"io"
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
		if err := run(args, io.Discard); err == nil {
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
