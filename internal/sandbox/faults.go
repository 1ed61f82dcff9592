package sandbox

import (
	"sort"
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
