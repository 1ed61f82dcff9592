package provider

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The provider's memory stays bounded while it reads hostile answers: each
// listing and history is read within the client's bounds (an element's
// size, the number of elements, the nesting) and fails at the first byte
// past one, and only one answer at a time is read past its first 256 KiB, so
// ten calls at once cost one bound, not ten. The peak resident memory of
// the provider process is read from /proc while terraform plans thirty
// reads at -parallelism=10 against a server whose every listing and history
// is hostile: an endless list of small valid elements, a 500 MB string in
// the first element, or 100,000 levels of nesting, in turn by agent.

// maxProviderRSS is the most the provider process may reach.
const maxProviderRSS = 200 << 20

func TestAccMemory_hostileAnswers(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads the provider's peak memory from /proc, which only Linux has")
	}
	srv := httptest.NewServer(http.HandlerFunc(hostileAnswers))
	t.Cleanup(srv.Close)
	var agents []string
	for i := range 20 {
		agents = append(agents, fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	}
	cfg := fmt.Sprintf(`
provider "guayaba" {
  base_url    = %q
  api_key     = "g_master_%s"
  agent_id    = %q
  max_retries = 0
  # The answers past their first 256 KiB are read one at a time: on a loaded
  # machine the last of thirty waits longer than the default 30 s.
  request_timeout = "10m"
}

locals {
  # The listings of the first ten agents are hostile; the last ten list
  # one session, whose history is hostile (a history is read only after
  # the listing shows its session).
  listed  = %s
  history = %s
}

data "guayaba_sessions" "all" {
  for_each = toset(local.listed)
  agent_id = each.key
}

data "guayaba_archives" "all" {
  for_each = toset(local.listed)
  agent_id = each.key
}

data "guayaba_session_history" "all" {
  for_each = toset(local.history)
  agent_id = each.key
  key      = "agent:main:main"
  limit    = 1000
}
`, srv.URL, strings.Repeat("ab", 24), agents[0], hclList(agents[:10]), hclList(agents[10:]))
	w := newTFWorkdir(t, cfg)

	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "plan", "-no-color", "-parallelism=10")
	cmd.Dir = w.dir
	cmd.Env = append(filteredEnv(), w.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchChildrenPeakRSS(cmd.Process.Pid, filepath.Join(providerBinaryDir(t), "terraform-provider-guayaba"))
	err := cmd.Wait()
	rss, procs := peak()

	text := flat(out.String())
	// Every kind of bound is met, and every read ends in an explanation
	// of the provider's bound, none in a wrong base_url.
	for _, want := range []string{"the answer lists more sessions than the provider reads",
		"the answer lists more messages than the provider reads", "one session of the answer is larger than the provider reads",
		"one message of the answer is larger than the provider reads", "the answer nests deeper than the provider reads"} {
		if !strings.Contains(text, want) {
			t.Errorf("no read says %q", want)
		}
	}
	if n := strings.Count(text, "than the provider reads"); err == nil || n < 30 || strings.Contains(text, "Check `base_url`") {
		t.Fatalf("want thirty reads stopped at a bound, got %d: %v\n%s", n, err, lastLines(out.String(), 60))
	}
	if procs == 0 {
		t.Fatal("never saw the provider process")
	}
	t.Logf("provider peak RSS with every answer hostile, -parallelism=10: %.1f MiB (%d provider processes)", float64(rss)/(1<<20), procs)
	if rss > maxProviderRSS {
		t.Errorf("provider peak RSS %.1f MiB, want under %d MiB", float64(rss)/(1<<20), maxProviderRSS>>20)
	}
}

func hclList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// hostileAnswers answers the listings of agents …-1 to …-10, and the
// histories of agents …-11 to …-20 (whose listings show one session), with
// one kind of hostile answer, by N: an endless list of small valid elements
// (distinct keys and filenames, so only the count stops it), a 500 MB
// string in the first element, or 100,000 levels of nesting in it; every
// one written as fast as the client reads it, and never built in memory.
func hostileAnswers(w http.ResponseWriter, r *http.Request) {
	var first string            // the start of the first element, before a value
	var next func(i int) string // a small element
	switch {
	case strings.HasSuffix(r.URL.Path, "/sessions"):
		first = `{"key":"agent:main:main","origin":`
		next = func(i int) string { return fmt.Sprintf(`{"key":"agent:main:telegram:direct:%09d"}`, i) }
	case strings.HasSuffix(r.URL.Path, "/archives"):
		first = `{"filename":"s.jsonl.deleted.2026-11-28T17-00-00.000Z","label":`
		next = func(i int) string {
			return fmt.Sprintf(`{"filename":"s-%09d.jsonl.deleted.2026-11-28T17-00-00.000Z"}`, i)
		}
	case strings.HasSuffix(r.URL.Path, "/sessions/history"):
		first = `{"id":"m","role":"assistant","content":`
		next = func(i int) string { return fmt.Sprintf(`{"id":"m-%d","role":"user","content":"hi"}`, i) }
	default:
		http.NotFound(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	defer func() { _ = bw.Flush() }()
	agent := strings.Split(strings.TrimPrefix(r.URL.Path, "/agents/"), "/")[0]
	n, _ := strconv.Atoi(agent[len(agent)-2:])
	write := func(s string) bool { _, err := bw.WriteString(s); return err == nil }
	if history := strings.HasSuffix(r.URL.Path, "/sessions/history"); n > 10 != history {
		// A listing of an agent whose history is hostile.
		if strings.HasSuffix(r.URL.Path, "/sessions") {
			write(`[{"key":"agent:main:main","sessionId":"s"}]`)
		} else {
			write(`[]`)
		}
		return
	}
	switch n % 3 {
	case 0: // endless list
		ok := write("[" + next(0))
		for i := 1; ok; i++ {
			ok = write("," + next(i))
		}
	case 1: // a 500 MB string
		chunk := strings.Repeat("x", 64<<10)
		ok := write("[" + first + `"`)
		for i := 0; ok && i < 500_000_000/len(chunk); i++ {
			ok = write(chunk)
		}
		_ = ok && write(`"}]`)
	case 2: // 100,000 levels of nesting
		_ = write("["+first+strings.Repeat("[", 100_000)) && write(strings.Repeat("]", 100_000)+"}]")
	}
}

// watchChildrenPeakRSS polls /proc every 20 ms for children of parent
// running exe and records the largest peak resident set size (VmHWM) any of
// them reached. The returned function stops polling and returns it, in
// bytes, with the number of such processes seen.
func watchChildrenPeakRSS(parent int, exe string) func() (int64, int) {
	var mu sync.Mutex
	peaks := map[int]int64{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				pid, err := strconv.Atoi(e.Name())
				if err != nil {
					continue
				}
				if p, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); p != exe {
					continue
				}
				status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
				if err != nil || procStatusField(status, "PPid") != int64(parent) {
					continue
				}
				mu.Lock()
				peaks[pid] = max(peaks[pid], procStatusField(status, "VmHWM")<<10)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int64, int) {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		var peak int64
		for _, v := range peaks {
			peak = max(peak, v)
		}
		return peak, len(peaks)
	}
}

// procStatusField returns the first number of a /proc/<pid>/status line
// ("VmHWM:   12345 kB" gives 12345), or -1.
func procStatusField(status []byte, name string) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}
