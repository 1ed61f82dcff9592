package sandbox

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// bucket is a per-key token bucket, refilled in real time.
type bucket struct {
	tokens float64
	last   time.Time
}

// SetRateLimit sets the per-key limit: perMinute tokens a minute, burst the
// bucket size (0 means perMinute). perMinute 0 turns limiting off.
func (s *Sandbox) SetRateLimit(perMinute, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.opts
	o.RateLimitPerMinute, o.RateLimitBurst = perMinute, burst
	s.setOptionsLocked(o)
	s.buckets = map[string]*bucket{}
}

// rateLimit takes a token for the request's key (or its client address
// when it has none). It returns the X-RateLimit-* headers (nil when
// limiting is off) and whether the request is refused.
func (s *Sandbox) rateLimit(r *http.Request) (http.Header, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	per := s.opts.RateLimitPerMinute
	if per <= 0 {
		return nil, false
	}
	burst := s.opts.RateLimitBurst
	if burst <= 0 {
		burst = per
	}
	id, ok := bearer(r)
	if !ok {
		id = "addr:" + hostOf(r.RemoteAddr)
	}
	now := time.Now()
	rate := float64(per) / 60 // tokens per second
	b := s.buckets[id]
	if b == nil {
		b = &bucket{tokens: float64(burst), last: now}
		s.buckets[id] = b
	}
	b.tokens = math.Min(float64(burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(per))
	if b.tokens < 1 {
		wait := int(math.Ceil((1 - b.tokens) / rate))
		h.Set("Retry-After", strconv.Itoa(max(wait, 1)))
		h.Set("X-RateLimit-Remaining", "0")
		return h, true
	}
	b.tokens--
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Floor(b.tokens))))
	return h, false
}
