package main

import (
	"io"
	"strings"
	"testing"
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
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%s: accepted", strings.Join(args, " "))
		}
	}
}
