// Package sandbox is an in-memory emulator of the Guayaba Sessions API: a real
// HTTP server that behaves as BEHAVIOUR.md (in this package's directory)
// describes, for offline demos, the provider's acceptance tests and the
// client's tests.
//
// The API is served under /api/v1 (the eight Sessions endpoints, with master
// and agent keys, scopes, subscriptions and the documented error bodies), a
// control API under /_sandbox/ (fixtures, out-of-band changes, faults, rate
// limits, counters and a state dump) and a dashboard at / (a web page that
// makes the same out-of-band changes), the last two answered to loopback
// clients only.
//
// Every [assumed] point of BEHAVIOUR.md has a switch in Options. All methods
// are safe for concurrent use.
package sandbox

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sandbox is the emulator. Create it with New.
type Sandbox struct {
	mu        sync.Mutex
	opts      Options
	owners    map[string]bool // owner id → subscription active
	agents    map[string]*agent
	keys      map[string]*Key
	faults    map[string][]*Fault
	random    *randomFaults // nil: off
	buckets   map[string]*bucket
	counters  Counters
	seq       uint64
	lastArchv time.Time

	handler http.Handler

	srvMu    sync.Mutex
	server   *http.Server
	listener net.Listener
}

type agent struct {
	id       string
	owner    string
	name     string // shown by the dashboard only
	running  bool
	sessions map[string]*session // by key
	archives map[string]*archive // by filename
}

type session struct {
	Session
	seq      uint64
	messages []Message
}

type archive struct {
	Archive
	seq         uint64
	key         string
	sessionFile string
	chatType    string
	lastChannel string
	origin      map[string]any
	updatedAt   int64
	messages    []Message
}

// New returns a sandbox with no data. Add owners, agents, keys and sessions
// with the fixture methods or Load, then serve it with Start or Handler.
func New(opts Options) *Sandbox {
	s := &Sandbox{
		owners:  map[string]bool{},
		agents:  map[string]*agent{},
		keys:    map[string]*Key{},
		faults:  map[string][]*Fault{},
		buckets: map[string]*bucket{},
	}
	s.setOptionsLocked(opts)
	s.counters = newCounters()
	s.handler = s.buildHandler()
	return s
}

func (s *Sandbox) setOptionsLocked(o Options) {
	if o.UnknownKeys == "" {
		o.UnknownKeys = UnknownKey404
	}
	if o.SuccessBody == "" {
		o.SuccessBody = SuccessEmpty
	}
	if o.RateLimitPerMinute != s.opts.RateLimitPerMinute || o.RateLimitBurst != s.opts.RateLimitBurst {
		s.buckets = map[string]*bucket{}
	}
	s.opts = o
}

// Options returns the current options.
func (s *Sandbox) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

// SetOptions replaces the options at run time. A nil Clock keeps the
// current one.
func (s *Sandbox) SetOptions(o Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.Clock == nil {
		o.Clock = s.opts.Clock
	}
	s.setOptionsLocked(o)
}

// Handler returns the HTTP handler: the API under /api/v1, the control API
// under /_sandbox/, the dashboard at /.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Start listens on addr ("" means 127.0.0.1:0) and serves in the background.
func (s *Sandbox) Start(addr string) error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.server != nil {
		return errors.New("sandbox: already started")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen: %w", err)
	}
	s.listener = ln
	s.server = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.server)
	return nil
}

// URL returns the API base URL, e.g. http://127.0.0.1:40123/api/v1, or ""
// before Start.
func (s *Sandbox) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.listener == nil {
		return ""
	}
	return "http://" + s.listener.Addr().String() + "/api/v1"
}

// ControlURL returns the control base URL, e.g. http://127.0.0.1:40123/_sandbox.
func (s *Sandbox) ControlURL() string {
	u := s.URL()
	if u == "" {
		return ""
	}
	return strings.TrimSuffix(u, "/api/v1") + "/_sandbox"
}

// DashboardURL returns the dashboard's URL, e.g. http://127.0.0.1:40123/.
func (s *Sandbox) DashboardURL() string {
	u := s.URL()
	if u == "" {
		return ""
	}
	return strings.TrimSuffix(u, "api/v1")
}

// Close stops the server started by Start.
func (s *Sandbox) Close() error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.server == nil {
		return nil
	}
	err := s.server.Close()
	s.server, s.listener = nil, nil
	return err
}
