package sandbox

import (
	"net/http"
	"strconv"
)

func newCounters() Counters {
	return Counters{ByRoute: map[string]int{}, ByRouteStatus: map[string]map[int]int{}, Injected: map[string]map[string]int{}}
}

// Counters returns a copy of the request counters.
func (s *Sandbox) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newCounters()
	c.RateLimited, c.Total, c.Lost = s.counters.RateLimited, s.counters.Total, s.counters.Lost
	for r, n := range s.counters.ByRoute {
		c.ByRoute[r] = n
	}
	for r, m := range s.counters.ByRouteStatus {
		c.ByRouteStatus[r] = map[int]int{}
		for st, n := range m {
			c.ByRouteStatus[r][st] = n
		}
	}
	for r, m := range s.counters.Injected {
		c.Injected[r] = map[string]int{}
		for o, n := range m {
			c.Injected[r][o] = n
		}
	}
	return c
}

// ResetCounters zeroes the request counters.
func (s *Sandbox) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = newCounters()
}

func (s *Sandbox) count(route string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters.Total++
	s.counters.ByRoute[route]++
	m := s.counters.ByRouteStatus[route]
	if m == nil {
		m = map[int]int{}
		s.counters.ByRouteStatus[route] = m
	}
	m[status]++
	if status == http.StatusTooManyRequests {
		s.counters.RateLimited++
	}
}

// countInjectedLocked counts a fault taken for a request on route. The
// caller holds s.mu.
func (s *Sandbox) countInjectedLocked(route string, f *Fault) {
	outcome := InjectedDelay
	switch {
	case f.Drop:
		outcome = InjectedDrop
	case f.ApplyThenDrop:
		outcome = InjectedLost
		s.counters.Lost++
	case f.Status != 0:
		outcome = strconv.Itoa(f.Status)
	}
	m := s.counters.Injected[route]
	if m == nil {
		m = map[string]int{}
		s.counters.Injected[route] = m
	}
	m[outcome]++
}

// Counters counts API requests. ByRouteStatus uses status 0 for requests
// that got no response (dropped connection, client gone during a delay).
type Counters struct {
	ByRoute       map[string]int         `json:"byRoute"`
	ByRouteStatus map[string]map[int]int `json:"byRouteStatus"`
	// RateLimited counts every 429 answered, by the limiter or by a fault.
	RateLimited int `json:"rateLimited"`
	Total       int `json:"total"`
	// Injected counts the faults taken, queued or random, by route and
	// outcome: the status answered ("500"), InjectedDrop, InjectedLost or
	// InjectedDelay. A fault counts when its request arrives, before any
	// delay it has.
	Injected map[string]map[string]int `json:"injected"`
	// Lost counts the requests handled whose answer was dropped
	// (ApplyThenDrop faults).
	Lost int `json:"lost"`
}

// InjectedCount sums Injected over the routes for one outcome ("500",
// InjectedLost, ...).
func (c Counters) InjectedCount(outcome string) int {
	n := 0
	for _, m := range c.Injected {
		n += m[outcome]
	}
	return n
}
