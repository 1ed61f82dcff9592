package sandbox

import (
	"net/http"
	"strconv"
)

// refuseForeignHost answers an API request addressed to a Host that is not
// loopback, unless Options.AllowRemote: a web page that rebinds its own name
// to 127.0.0.1 reaches this server with that name in Host, and the demo keys
// are public, so without this check any page could list, read and change
// the data. The request is refused before anything else (no fault is
// consumed, nothing is counted or rate limited). It reports whether it
// answered.
func (s *Sandbox) refuseForeignHost(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	allow := s.opts.AllowRemote
	s.mu.Unlock()
	if allow || isLoopbackHost(r.Host) {
		return false
	}
	writeResponse(w, errorResponse(http.StatusForbidden, "Forbidden",
		"This sandbox answers requests addressed to a loopback host only (127.0.0.1, [::1] or localhost), not "+
			strconv.Quote(r.Host)+"; start it with --allow-remote to serve other host names"))
	return true
}
