package sandbox

import "net/http"

func newCounters() Counters {
	return Counters{ByRoute: map[string]int{}, ByRouteStatus: map[string]map[int]int{}}
}

// Counters returns a copy of the request counters.
func (s *Sandbox) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newCounters()
	c.RateLimited, c.Total = s.counters.RateLimited, s.counters.Total
	for r, n := range s.counters.ByRoute {
		c.ByRoute[r] = n
	}
	for r, m := range s.counters.ByRouteStatus {
		c.ByRouteStatus[r] = map[int]int{}
		for st, n := range m {
			c.ByRouteStatus[r][st] = n
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

// Counters counts API requests. ByRouteStatus uses status 0 for requests
// that got no response (dropped connection, client gone during a delay).
type Counters struct {
	ByRoute       map[string]int         `json:"byRoute"`
	ByRouteStatus map[string]map[int]int `json:"byRouteStatus"`
	// RateLimited counts every 429 answered, by the limiter or by a fault.
	RateLimited int `json:"rateLimited"`
	Total       int `json:"total"`
}
