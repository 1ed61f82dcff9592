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

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// The provider's memory stays bounded when every answer is oversized: each
// call reads at most its limit (client.MaxListingBytes,
// client.MaxHistoryBytes) and fails, so ten calls at once cost ten limits,
// not ten answers. The peak resident memory of the provider process is read
// from /proc while terraform plans thirty reads at -parallelism=10 against a
// server whose every listing and history streams 64 MiB of valid JSON.

// maxProviderRSS is the most the provider process may reach.
const maxProviderRSS = 150 << 20

func TestAccMemory_oversizedAnswers(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads the provider's peak memory from /proc, which only Linux has")
	}
	srv := httptest.NewServer(http.HandlerFunc(oversizedAnswers))
	t.Cleanup(srv.Close)
	var agents []string
	for i := range 10 {
		agents = append(agents, fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	}
	cfg := fmt.Sprintf(`
provider "guayaba" {
  base_url    = %q
  api_key     = "g_master_%s"
  agent_id    = %q
  max_retries = 0
  # The answers past their first MiB are read one at a time: on a loaded
  # machine the last of thirty waits longer than the default 30 s.
  request_timeout = "10m"
}

locals {
  agents = %s
}

data "guayaba_sessions" "all" {
  for_each = toset(local.agents)
  agent_id = each.key
}

data "guayaba_archives" "all" {
  for_each = toset(local.agents)
  agent_id = each.key
}

data "guayaba_session_history" "all" {
  for_each = toset(local.agents)
  agent_id = each.key
  key      = "agent:main:main"
  limit    = 1000
}
`, srv.URL, strings.Repeat("ab", 24), agents[0], hclList(agents))
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
	tooLarge := fmt.Sprintf("larger than the %d MiB the client reads", client.MaxEntryBytes>>20)
	if err == nil || strings.Count(text, tooLarge) < 30 {
		t.Fatalf("want thirty reads refused as too large, got %d: %v\n%s", strings.Count(text, tooLarge), err, lastLines(out.String(), 60))
	}
	if procs == 0 {
		t.Fatal("never saw the provider process")
	}
	t.Logf("provider peak RSS with every answer oversized, -parallelism=10: %.1f MiB (%d provider processes)", float64(rss)/(1<<20), procs)
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

// oversizedAnswers answers every listing and history with 64 MiB of valid
// JSON (distinct keys and filenames, so nothing fails early), written as
// fast as the client reads it.
func oversizedAnswers(w http.ResponseWriter, r *http.Request) {
	var element func(i int) string
	switch {
	case strings.HasSuffix(r.URL.Path, "/sessions"):
		element = func(i int) string {
			return fmt.Sprintf(`{"key":"agent:main:telegram:group:-100%d","sessionId":"s-%d","label":"Group %d","updatedAt":1700000000000,`+
				`"chatType":"group","lastChannel":"telegram","origin":{"provider":"telegram","from":{"id":%d,"name":"Ana"}}}`, i, i, i, i)
		}
	case strings.HasSuffix(r.URL.Path, "/archives"):
		element = func(i int) string {
			return fmt.Sprintf(`{"filename":"s-%d.jsonl.deleted.2026-11-28T17-00-00.000Z","label":"Old %d","archivedAt":"2026-11-28T17:00:00.000Z","sessionId":"s-%d"}`, i, i, i)
		}
	case strings.HasSuffix(r.URL.Path, "/sessions/history"):
		text := strings.Repeat("lorem ipsum ", 80)
		element = func(i int) string {
			return fmt.Sprintf(`{"id":"m-%d","role":"assistant","content":[{"type":"text","text":%q}],"timestamp":1700000000000}`, i, text)
		}
	default:
		http.NotFound(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	written, _ := bw.WriteString("[")
	for i := 0; written < 64<<20; i++ {
		sep := ","
		if i == 0 {
			sep = ""
		}
		n, err := bw.WriteString(sep + element(i))
		if err != nil {
			return
		}
		written += n
	}
	_, _ = bw.WriteString("]")
	_ = bw.Flush()
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
