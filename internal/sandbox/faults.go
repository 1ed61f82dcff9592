package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// InjectFault queues a fault for its route.
func (s *Sandbox) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count <= 0 {
		f.Count = 1
	}
	s.faults[f.Route] = append(s.faults[f.Route], &f)
}

// ClearFaults removes every queued fault.
func (s *Sandbox) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*Fault{}
}

// Faults returns the queued faults (with their remaining Count and Skip),
// routes sorted by name.
func (s *Sandbox) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultsLocked()
}

func (s *Sandbox) faultsLocked() []Fault {
	out := []Fault{}
	routes := make([]string, 0, len(s.faults))
	for r := range s.faults {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		for _, f := range s.faults[r] {
			out = append(out, *f)
		}
	}
	return out
}

// takeFault returns the fault of a request on route, if any, and counts
// it: the route's first queued fault (consuming one use) when it applies,
// else a draw of the random-fault mode when it runs.
func (s *Sandbox) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.takeQueuedLocked(route)
	if f == nil && s.random != nil {
		f = s.random.draw(route)
	}
	if f != nil {
		s.countInjectedLocked(route, f)
	}
	return f
}

// takeQueuedLocked consumes one use of the route's first queued fault, if
// it applies. The caller holds s.mu.
func (s *Sandbox) takeQueuedLocked(route string) *Fault {
	q := s.faults[route]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if f.Skip > 0 {
		f.Skip--
		return nil
	}
	f.Count--
	if f.Count <= 0 {
		s.faults[route] = q[1:]
	}
	c := *f
	return &c
}

// Fault is an injected failure for one route. Faults of a route are consumed
// first in, first out. A fault runs before rate limiting and authentication,
// like a proxy in front of the API: Delay first, then Drop, or a response
// with Status, or (ApplyThenDrop) the real handling with the connection
// dropped instead of the response.
type Fault struct {
	// Route is a route name such as "sessions.rename".
	Route string `json:"route"`
	// Status, when non-zero, is answered instead of handling the request.
	Status int `json:"status,omitempty"`
	// Body replaces the documented body of Status; a body starting with '<'
	// is sent as text/html.
	Body string `json:"body,omitempty"`
	// ContentType overrides the body's content type.
	ContentType string `json:"contentType,omitempty"`
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string `json:"retryAfter,omitempty"`
	// Count is how many requests the fault affects; 0 means 1.
	Count int `json:"count,omitempty"`
	// Skip lets that many matching requests through before the fault applies.
	Skip int `json:"skip,omitempty"`
	// Delay is slept before anything else; a request whose context ends
	// during the delay is abandoned.
	Delay time.Duration `json:"delay,omitempty"`
	// Drop closes the connection without any response.
	Drop bool `json:"drop,omitempty"`
	// ApplyThenDrop handles the request for real, then closes the
	// connection without sending the response.
	ApplyThenDrop bool `json:"applyThenDrop,omitempty"`
}

// UnmarshalJSON accepts delay as a Go duration string ("1.5s") or a number
// of milliseconds.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var aux struct {
		plain
		Delay json.RawMessage `json:"delay,omitempty"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*f = Fault(aux.plain)
	f.Delay = 0
	if len(aux.Delay) == 0 || string(aux.Delay) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(aux.Delay, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("fault delay: %w", err)
		}
		f.Delay = d
		return nil
	}
	var ms float64
	if err := json.Unmarshal(aux.Delay, &ms); err != nil {
		return fmt.Errorf("fault delay: want a duration string or milliseconds")
	}
	f.Delay = time.Duration(ms * float64(time.Millisecond))
	return nil
}

// MarshalJSON writes delay as a Go duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	aux := struct {
		plain
		Delay string `json:"delay,omitempty"`
	}{plain: plain(f)}
	if f.Delay > 0 {
		aux.Delay = f.Delay.String()
	}
	return json.Marshal(aux)
}

// RandomFaults injects faults at random into API requests, like a flaky
// network and gateway in front of the platform. It comes on top of the
// queued faults: a request that takes a queued fault draws nothing.
//
// Each request of a selected route draws once whether it gets a fault
// (Probability), then what fault: a lost answer (Lost), a dropped
// connection (Drop), or else an answer with one of Statuses. The draws
// come from a generator seeded with Seed, in the order requests arrive:
// the same seed and the same sequence of requests give the same faults.
// Concurrent clients make that order, and so the faults, differ from one
// run to the next; a client that sends one request at a time replays
// exactly.
type RandomFaults struct {
	// Probability is the chance, 0 to 1, that a request gets a fault.
	Probability float64 `json:"probability"`
	// Statuses are the statuses a fault answers with (400 to 599), drawn
	// uniformly: repeat one to make it more frequent. Empty means
	// DefaultRandomStatuses. A 429 carries Retry-After: 0 or 1; a 503 the
	// generic RandomUnavailableBody (never "Agent container is not
	// running", which the client does not retry); the others the body
	// DefaultFaultBody gives.
	Statuses []int `json:"statuses,omitempty"`
	// Lost is the share, 0 to 1, of the faults that handle the request for
	// real and then drop the connection instead of the answer
	// (ApplyThenDrop): a write is done, its answer never arrives.
	Lost float64 `json:"lost,omitempty"`
	// Drop is the share, 0 to 1, of the faults that close the connection
	// before the request is handled (Drop). Lost plus Drop is at most 1;
	// the rest of the faults answer with a status.
	Drop float64 `json:"drop,omitempty"`
	// Routes limits the faults to these route names; "reads" stands for
	// the three reads (sessions.list, sessions.history, archives.list),
	// "writes" for the five writes. Empty means every route.
	Routes []string `json:"routes,omitempty"`
	// Seed seeds the draws.
	Seed uint64 `json:"seed"`
}

// DefaultRandomStatuses are the statuses of random faults when
// RandomFaults.Statuses is empty: throttling and the transient server
// errors.
func DefaultRandomStatuses() []int {
	return []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout}
}

// RandomUnavailableBody is the body of a random 503: a transient outage,
// not a stopped agent.
const RandomUnavailableBody = `{"error":"Service Unavailable","message":"Service temporarily unavailable"}`

// Outcomes of an injected fault in Counters.Injected, besides a status.
const (
	// InjectedDrop is a connection closed before the request was handled.
	InjectedDrop = "drop"
	// InjectedLost is a request handled whose answer was dropped.
	InjectedLost = "lost"
	// InjectedDelay is a queued fault that only delayed the request.
	InjectedDelay = "delay"
)

// routeGroups are the names RandomFaults.Routes accepts besides routes.
var routeGroups = map[string][]string{
	"reads":  {RouteSessionsList, RouteSessionsHistory, RouteArchivesList},
	"writes": {RouteSessionsRename, RouteSessionsArchive, RouteSessionsDelete, RouteArchivesRestore, RouteArchivesDelete},
}

// randomFaults is the running random-fault mode.
type randomFaults struct {
	cfg    RandomFaults
	routes map[string]bool // nil: every route
	rng    *rand.Rand
}

// SetRandomFaults starts the random-fault mode with rf (replacing one
// already running, whose draws start over from rf.Seed) and returns it
// as applied, Statuses filled in. It fails, changing nothing, with a
// *ValidationError naming the first invalid field.
func (s *Sandbox) SetRandomFaults(rf RandomFaults) (RandomFaults, error) {
	rf, routes, err := rf.normalize()
	if err != nil {
		return RandomFaults{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = &randomFaults{cfg: rf, routes: routes, rng: rand.New(rand.NewPCG(rf.Seed, randomStream))}
	return rf, nil
}

// randomStream is the second word of the generator's seed: fixed, so that
// Seed alone decides the draws.
const randomStream = 0x6775617961626121

// StopRandomFaults ends the random-fault mode; queued faults stay.
func (s *Sandbox) StopRandomFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = nil
}

// RandomFaults returns the running random-fault mode, if any.
func (s *Sandbox) RandomFaults() (RandomFaults, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random == nil {
		return RandomFaults{}, false
	}
	return s.random.cfg.clone(), true
}

func (rf RandomFaults) clone() RandomFaults {
	rf.Statuses = append([]int(nil), rf.Statuses...)
	rf.Routes = append([]string(nil), rf.Routes...)
	if len(rf.Routes) == 0 {
		rf.Routes = nil
	}
	return rf
}

// normalize validates rf, fills in the default statuses and resolves the
// routes (nil: every route).
func (rf RandomFaults) normalize() (RandomFaults, map[string]bool, error) {
	rf = rf.clone()
	share := func(field string, v float64) error {
		if !(v >= 0 && v <= 1) { // also refuses NaN
			return &ValidationError{Field: field, Message: fmt.Sprintf("want a number from 0 to 1, got %v", v)}
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"probability", rf.Probability}, {"lost", rf.Lost}, {"drop", rf.Drop}} {
		if err := share(f.name, f.v); err != nil {
			return rf, nil, err
		}
	}
	if rf.Lost+rf.Drop > 1 {
		return rf, nil, &ValidationError{Field: "lost", Message: fmt.Sprintf("lost (%v) plus drop (%v) is more than 1", rf.Lost, rf.Drop)}
	}
	if len(rf.Statuses) == 0 {
		rf.Statuses = DefaultRandomStatuses()
	}
	for _, st := range rf.Statuses {
		if st < 400 || st > 599 {
			return rf, nil, &ValidationError{Field: "statuses", Message: fmt.Sprintf("want statuses from 400 to 599, got %d", st)}
		}
	}
	if len(rf.Routes) == 0 {
		return rf, nil, nil
	}
	known := map[string]bool{}
	for _, r := range Routes() {
		known[r] = true
	}
	routes := map[string]bool{}
	for _, r := range rf.Routes {
		switch {
		case routeGroups[r] != nil:
			for _, g := range routeGroups[r] {
				routes[g] = true
			}
		case known[r]:
			routes[r] = true
		default:
			return rf, nil, &ValidationError{Field: "routes", Message: fmt.Sprintf("unknown route %q (want reads, writes or one of %s)",
				r, strings.Join(Routes(), ", "))}
		}
	}
	return rf, routes, nil
}

// draw decides the random fault of one request on route, if any. The
// caller holds s.mu.
func (r *randomFaults) draw(route string) *Fault {
	if r.routes != nil && !r.routes[route] {
		return nil
	}
	if r.rng.Float64() >= r.cfg.Probability {
		return nil
	}
	f := &Fault{Route: route}
	switch k := r.rng.Float64(); {
	case k < r.cfg.Lost:
		f.ApplyThenDrop = true
	case k < r.cfg.Lost+r.cfg.Drop:
		f.Drop = true
	default:
		f.Status = r.cfg.Statuses[r.rng.IntN(len(r.cfg.Statuses))]
		switch f.Status {
		case http.StatusTooManyRequests:
			f.RetryAfter = strconv.Itoa(r.rng.IntN(2))
		case http.StatusServiceUnavailable:
			f.Body = RandomUnavailableBody
		}
	}
	return f
}

// String gives rf in the syntax ParseRandomFaults reads.
func (rf RandomFaults) String() string {
	parts := []string{"p=" + strconv.FormatFloat(rf.Probability, 'g', -1, 64)}
	if len(rf.Statuses) > 0 {
		st := make([]string, len(rf.Statuses))
		for i, s := range rf.Statuses {
			st[i] = strconv.Itoa(s)
		}
		parts = append(parts, "statuses="+strings.Join(st, "+"))
	}
	if rf.Lost > 0 {
		parts = append(parts, "lost="+strconv.FormatFloat(rf.Lost, 'g', -1, 64))
	}
	if rf.Drop > 0 {
		parts = append(parts, "drop="+strconv.FormatFloat(rf.Drop, 'g', -1, 64))
	}
	if len(rf.Routes) > 0 {
		parts = append(parts, "routes="+strings.Join(rf.Routes, "+"))
	}
	parts = append(parts, "seed="+strconv.FormatUint(rf.Seed, 10))
	return strings.Join(parts, ",")
}

// ParseRandomFaults reads the random-fault mode from name=value fields
// separated by commas, lists joined by "+":
//
//	p=0.17,statuses=429+500+502+503+504,lost=0.3,drop=0.1,routes=writes,seed=42
//
// p (or probability) is required; the others default as in RandomFaults.
// The result is validated as SetRandomFaults does.
func ParseRandomFaults(spec string) (RandomFaults, error) {
	var rf RandomFaults
	fields, err := splitSpec("random faults", spec)
	if err != nil {
		return rf, err
	}
	seenP := false
	for _, f := range fields {
		name, val := f.name, f.value
		num := func() (float64, error) {
			v, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return 0, fmt.Errorf("random faults: %s wants a number from 0 to 1, got %q", name, val)
			}
			return v, nil
		}
		switch name {
		case "p", "probability":
			rf.Probability, err = num()
			seenP = true
		case "lost":
			rf.Lost, err = num()
		case "drop":
			rf.Drop, err = num()
		case "seed":
			rf.Seed, err = strconv.ParseUint(val, 10, 64)
			if err != nil {
				err = fmt.Errorf("random faults: seed wants a non-negative integer, got %q", val)
			}
		case "statuses":
			rf.Statuses = nil
			for _, v := range strings.Split(val, "+") {
				st, perr := strconv.Atoi(strings.TrimSpace(v))
				if perr != nil {
					return rf, fmt.Errorf("random faults: statuses wants HTTP statuses joined by +, such as 429+500+502, got %q", val)
				}
				rf.Statuses = append(rf.Statuses, st)
			}
		case "routes":
			rf.Routes = nil
			for _, v := range strings.Split(val, "+") {
				rf.Routes = append(rf.Routes, strings.TrimSpace(v))
			}
		default:
			return rf, fmt.Errorf("random faults: unknown field %q (want p, statuses, lost, drop, routes, seed)", name)
		}
		if err != nil {
			return rf, err
		}
	}
	if !seenP {
		return rf, errors.New("random faults: p (the probability of a fault per request, from 0 to 1) is required")
	}
	rf, _, err = rf.normalize()
	var ve *ValidationError
	if errors.As(err, &ve) {
		name := ve.Field
		if name == "probability" {
			name = "p"
		}
		return rf, fmt.Errorf("random faults: %s: %s", name, ve.Message)
	}
	return rf, err
}
