package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssSampler polls /proc for processes running one executable and records
// the largest peak resident set size (VmHWM) any of them reached. Terraform
// may start the provider several times per command (schema, plan, apply),
// so the result is the maximum over every process seen.
type rssSampler struct {
	exe  string // absolute path of the executable to watch
	comm string // its name as /proc/<pid>/comm shows it (15 bytes at most)

	mu    sync.Mutex
	peak  map[int]int64 // pid -> largest VmHWM seen, in KiB
	stop  chan struct{}
	done  chan struct{}
	every time.Duration
}

// newRSSSampler returns a sampler of the processes running exe; call Start
// and then Stop around the command to measure.
func newRSSSampler(exe string, every time.Duration) *rssSampler {
	comm := filepath.Base(exe)
	if len(comm) > 15 {
		comm = comm[:15]
	}
	return &rssSampler{exe: exe, comm: comm, every: every}
}

// Start begins polling in the background.
func (s *rssSampler) Start() {
	s.peak = map[int]int64{}
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			s.poll()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends polling and returns the largest VmHWM seen, in bytes, and the
// number of distinct processes seen.
func (s *rssSampler) Stop() (peakBytes int64, procs int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, kib := range s.peak {
		peakBytes = max(peakBytes, kib*1024)
	}
	return peakBytes, len(s.peak)
}

func (s *rssSampler) poll() {
	if runtime.GOOS != "linux" {
		return
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + e.Name()
		comm, err := os.ReadFile(dir + "/comm")
		if err != nil || string(bytes.TrimSpace(comm)) != s.comm {
			continue
		}
		// Only our own build: other provider binaries (tests run by others
		// on the same machine) are not counted.
		if exe, err := os.Readlink(dir + "/exe"); err != nil || exe != s.exe {
			continue
		}
		if kib, ok := readVmHWM(dir + "/status"); ok {
			s.mu.Lock()
			s.peak[pid] = max(s.peak[pid], kib)
			s.mu.Unlock()
		}
	}
}

// readVmHWM returns the VmHWM line of a /proc/<pid>/status file, in KiB.
func readVmHWM(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kib, err == nil
		}
	}
	return 0, false
}

// memTotal returns MemTotal from /proc/meminfo in bytes, or 0.
func memTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kib * 1024
		}
	}
	return 0
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or "".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAvg returns the three load averages of /proc/loadavg, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
