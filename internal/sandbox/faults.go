package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"
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

// takeFault consumes one use of the route's first fault, if it applies.
func (s *Sandbox) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
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
