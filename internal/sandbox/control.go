package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The control API lives under /_sandbox/, apart from the API. It needs no
// key, is not counted, and speaks JSON: errors are {"error": "..."} with
// 400, 403, 404, 409, 415 or 422. It answers loopback clients only, and only
// requests addressed to a loopback Host (a web page that rebinds its own
// name to 127.0.0.1 still sends that name); a request whose Origin is
// another origin than the sandbox's own (a page elsewhere, a sandboxed
// frame's "null") is refused; every request that changes something must
// say Content-Type: application/json, which a cross-site form or a no-CORS
// fetch cannot send (a cross-origin fetch that sets it needs a CORS
// preflight, which the sandbox never grants). The dashboard (dashboard.go)
// makes its changes through these routes, under these rules.
//
//	POST   /_sandbox/load                 Fixture (?replace=true resets first)
//	POST   /_sandbox/reset                remove all data, faults and counters
//	POST   /_sandbox/generate             GenerateOptions (?replace=true resets first)
//	POST   /_sandbox/keys                 Key → the stored Key
//	POST   /_sandbox/subscription         {ownerId, active}
//	POST   /_sandbox/sessions/rename      {agentId, key, label}
//	POST   /_sandbox/sessions/archive     {agentId, key} → {filename}
//	POST   /_sandbox/sessions/restore     {agentId, filename, label?} (no label field: keep the archive's)
//	POST   /_sandbox/archives/restore     same as sessions/restore
//	POST   /_sandbox/sessions/delete      {agentId, key}
//	POST   /_sandbox/sessions/reset       {agentId, key} → {sessionId}
//	POST   /_sandbox/sessions/messages    {agentId, key, messages: [Message]}
//	POST   /_sandbox/sessions/add         {agentId, session: SessionSpec} → Session
//	POST   /_sandbox/archives/delete      {agentId, filename}
//	POST   /_sandbox/agents/{id}/stop     stop the agent's container
//	POST   /_sandbox/agents/{id}/start    start it again
//	POST   /_sandbox/faults               Fault, or [Fault]
//	GET    /_sandbox/faults               the queued faults
//	DELETE /_sandbox/faults               clear them
//	POST   /_sandbox/faults/random        RandomFaults: start (or restart) the random-fault mode → {active, ...}
//	GET    /_sandbox/faults/random        {active: false} or {active: true, ...the RandomFaults}
//	DELETE /_sandbox/faults/random        stop it (queued faults stay)
//	POST   /_sandbox/ratelimit            {perMinute, burst}
//	GET    /_sandbox/counters             Counters
//	POST   /_sandbox/counters/reset       zero them
//	GET    /_sandbox/state                State
//	GET    /_sandbox/options              the variant switches
//	POST   /_sandbox/options              change some of them: {unknownKeys, successBody, omitNullLabel, shuffleLists}
func (s *Sandbox) registerControl(mux *http.ServeMux) {
	h := func(pattern string, fn func(r *http.Request) (int, any)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if status, msg := controlRefusal(r); status != 0 {
				writeControl(w, status, map[string]string{"error": msg})
				return
			}
			status, v := fn(r)
			writeControl(w, status, v)
		})
	}
	h("POST /_sandbox/load", s.ctlLoad)
	h("POST /_sandbox/reset", func(*http.Request) (int, any) { s.Reset(); return ok() })
	h("POST /_sandbox/generate", s.ctlGenerate)
	h("POST /_sandbox/keys", s.ctlAddKey)
	h("POST /_sandbox/subscription", s.ctlSubscription)
	h("POST /_sandbox/sessions/rename", s.ctlRename)
	h("POST /_sandbox/sessions/archive", s.ctlArchive)
	h("POST /_sandbox/sessions/restore", s.ctlRestore)
	h("POST /_sandbox/archives/restore", s.ctlRestore)
	h("POST /_sandbox/sessions/delete", s.ctlDeleteSession)
	h("POST /_sandbox/sessions/reset", s.ctlResetSession)
	h("POST /_sandbox/sessions/messages", s.ctlMessages)
	h("POST /_sandbox/sessions/add", s.ctlAddSession)
	h("POST /_sandbox/archives/delete", s.ctlDeleteArchive)
	h("POST /_sandbox/agents/{id}/stop", func(r *http.Request) (int, any) { return s.ctlRunning(r, false) })
	h("POST /_sandbox/agents/{id}/start", func(r *http.Request) (int, any) { return s.ctlRunning(r, true) })
	h("POST /_sandbox/faults", s.ctlInjectFault)
	h("GET /_sandbox/faults", func(*http.Request) (int, any) { return http.StatusOK, s.Faults() })
	h("DELETE /_sandbox/faults", func(*http.Request) (int, any) { s.ClearFaults(); return ok() })
	h("POST /_sandbox/faults/random", s.ctlRandomFaults)
	h("GET /_sandbox/faults/random", func(*http.Request) (int, any) { return http.StatusOK, s.randomFaultsStatus() })
	h("DELETE /_sandbox/faults/random", func(*http.Request) (int, any) { s.StopRandomFaults(); return ok() })
	h("POST /_sandbox/ratelimit", s.ctlRateLimit)
	h("GET /_sandbox/counters", func(*http.Request) (int, any) { return http.StatusOK, s.Counters() })
	h("POST /_sandbox/counters/reset", func(*http.Request) (int, any) { s.ResetCounters(); return ok() })
	h("GET /_sandbox/state", func(*http.Request) (int, any) { return http.StatusOK, s.Snapshot() })
	h("GET /_sandbox/options", func(*http.Request) (int, any) { return http.StatusOK, s.Options() })
	h("POST /_sandbox/options", s.ctlOptions)
	h("/_sandbox/", func(*http.Request) (int, any) {
		return http.StatusNotFound, map[string]string{"error": "unknown control endpoint"}
	})
}

func ok() (int, any) { return http.StatusOK, map[string]bool{"ok": true} }

// controlRefusal says why a request to the control API or the dashboard is
// refused (status 0: it is not): a client that is not loopback, a Host that
// is not loopback, an Origin that is not the sandbox's own, or a change
// without a JSON content type.
func controlRefusal(r *http.Request) (int, string) {
	if !isLoopback(r.RemoteAddr) {
		return http.StatusForbidden, "the control API and the dashboard answer loopback clients only"
	}
	if !isLoopbackHost(r.Host) {
		return http.StatusForbidden, "the control API and the dashboard answer requests to a loopback host only (127.0.0.1, [::1] or localhost), not " +
			strconv.Quote(r.Host)
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return http.StatusForbidden, "the control API and the dashboard refuse requests from another origin: " +
			strconv.Quote(o) + " is not http://" + r.Host
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return http.StatusUnsupportedMediaType, "control requests that change something need Content-Type: application/json"
		}
	}
	return 0, ""
}

// isLoopbackHost accepts a Host header naming a loopback IP or localhost,
// with or without a port.
func isLoopbackHost(host string) bool {
	h := hostOf(host)
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether an Origin header names the sandbox itself,
// as reached with host.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "http" && u.User == nil && u.Path == "" && u.RawQuery == "" &&
		strings.EqualFold(u.Host, host)
}

func isLoopback(remoteAddr string) bool {
	ip := net.ParseIP(hostOf(remoteAddr))
	return ip != nil && ip.IsLoopback()
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func writeControl(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ctlError maps a Go API error to a control answer.
func ctlError(err error) (int, any) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrInvalid):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, ErrUnknownAgent), errors.Is(err, ErrUnknownSession),
		errors.Is(err, ErrUnknownArchive), errors.Is(err, ErrUnknownOwner):
		status = http.StatusNotFound
	case errors.Is(err, ErrSessionExists), errors.Is(err, ErrArchiveExists), errors.Is(err, ErrAgentExists):
		status = http.StatusConflict
	}
	return status, map[string]string{"error": err.Error()}
}

func decode(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("invalid JSON body: " + err.Error())
	}
	return nil
}

// ctlBody is the common body of the out-of-band mutations. Label is raw so
// that a missing field and null can be told apart.
type ctlBody struct {
	AgentID  string          `json:"agentId"`
	Key      string          `json:"key"`
	Filename string          `json:"filename"`
	Label    json.RawMessage `json:"label"`
	Messages []Message       `json:"messages"`
	Session  *SessionSpec    `json:"session"`
}

func (b ctlBody) label() (label *string, present bool, err error) {
	if len(b.Label) == 0 {
		return nil, false, nil
	}
	if string(b.Label) == "null" {
		return nil, true, nil
	}
	var v string
	if err := json.Unmarshal(b.Label, &v); err != nil {
		return nil, true, &ValidationError{Field: "label", Message: "The label field must be a string."}
	}
	return &v, true, nil
}

func (s *Sandbox) ctlLoad(r *http.Request) (int, any) {
	var f Fixture
	if err := decode(r, &f); err != nil {
		return ctlError(err)
	}
	if r.URL.Query().Get("replace") == "true" {
		s.Reset()
	}
	if err := s.Load(f); err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlGenerate(r *http.Request) (int, any) {
	var g GenerateOptions
	if err := decode(r, &g); err != nil {
		return ctlError(err)
	}
	if r.URL.Query().Get("replace") == "true" {
		s.Reset()
	}
	f := Generate(g)
	if err := s.Load(f); err != nil {
		return ctlError(err)
	}
	agents := make([]string, len(f.Agents))
	for i, a := range f.Agents {
		agents[i] = a.ID
	}
	return http.StatusOK, map[string]any{"agents": agents, "keys": f.Keys}
}

func (s *Sandbox) ctlAddKey(r *http.Request) (int, any) {
	var k Key
	if err := decode(r, &k); err != nil {
		return ctlError(err)
	}
	return http.StatusOK, s.AddKey(k)
}

func (s *Sandbox) ctlSubscription(r *http.Request) (int, any) {
	var b struct {
		OwnerID string `json:"ownerId"`
		Active  bool   `json:"active"`
	}
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	s.SetSubscription(b.OwnerID, b.Active)
	return ok()
}

func (s *Sandbox) ctlRename(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	label, _, err := b.label()
	if err == nil {
		err = s.Rename(b.AgentID, b.Key, label)
	}
	if err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlArchive(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	name, err := s.ArchiveSession(b.AgentID, b.Key)
	if err != nil {
		return ctlError(err)
	}
	return http.StatusOK, map[string]string{"filename": name}
}

func (s *Sandbox) ctlRestore(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	label, present, err := b.label()
	if err == nil {
		err = s.RestoreArchive(b.AgentID, b.Filename, label, !present)
	}
	if err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlDeleteSession(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	if err := s.DeleteSession(b.AgentID, b.Key); err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlDeleteArchive(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	if err := s.DeleteArchive(b.AgentID, b.Filename); err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlResetSession(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	id, err := s.ResetSession(b.AgentID, b.Key)
	if err != nil {
		return ctlError(err)
	}
	return http.StatusOK, map[string]string{"sessionId": id}
}

func (s *Sandbox) ctlMessages(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	if err := s.AddMessages(b.AgentID, b.Key, b.Messages...); err != nil {
		return ctlError(err)
	}
	return ok()
}

func (s *Sandbox) ctlAddSession(r *http.Request) (int, any) {
	var b ctlBody
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	if b.Session == nil {
		return ctlError(&ValidationError{Field: "session", Message: "The session field is required."})
	}
	sess, err := s.AddSession(b.AgentID, *b.Session)
	if err != nil {
		return ctlError(err)
	}
	return http.StatusOK, sess
}

func (s *Sandbox) ctlRunning(r *http.Request, running bool) (int, any) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, known := s.agents[id]
	s.mu.Unlock()
	if !known {
		return ctlError(fmt.Errorf("%w: %s", ErrUnknownAgent, id))
	}
	s.SetAgentRunning(id, running)
	return ok()
}

func (s *Sandbox) ctlInjectFault(r *http.Request) (int, any) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return ctlError(err)
	}
	var faults []Fault
	if len(b) > 0 && b[0] == '[' {
		err = json.Unmarshal(b, &faults)
	} else {
		var f Fault
		err = json.Unmarshal(b, &f)
		faults = []Fault{f}
	}
	if err != nil {
		return ctlError(errors.New("invalid fault: " + err.Error()))
	}
	known := map[string]bool{}
	for _, r := range Routes() {
		known[r] = true
	}
	for _, f := range faults {
		if !known[f.Route] {
			return ctlError(&ValidationError{Field: "route", Message: "unknown route " + f.Route})
		}
	}
	for _, f := range faults {
		s.InjectFault(f)
	}
	return ok()
}

// randomFaultsState is the control API's view of the random-fault mode.
type randomFaultsState struct {
	Active bool `json:"active"`
	*RandomFaults
}

func (s *Sandbox) randomFaultsStatus() randomFaultsState {
	rf, on := s.RandomFaults()
	if !on {
		return randomFaultsState{}
	}
	return randomFaultsState{Active: true, RandomFaults: &rf}
}

// ctlRandomFaults starts the random-fault mode. probability is required
// and unknown fields are refused: a misspelt field must not start a mode
// that injects nothing.
func (s *Sandbox) ctlRandomFaults(r *http.Request) (int, any) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return ctlError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rf RandomFaults
	var fields map[string]json.RawMessage
	if err := dec.Decode(&rf); err != nil {
		return ctlError(errors.New("invalid random faults: " + err.Error()))
	}
	if json.Unmarshal(b, &fields) != nil || fields["probability"] == nil {
		return ctlError(&ValidationError{Field: "probability", Message: "required: the chance, from 0 to 1, that a request gets a fault"})
	}
	rf, err = s.SetRandomFaults(rf)
	if err != nil {
		return ctlError(err)
	}
	return http.StatusOK, randomFaultsState{Active: true, RandomFaults: &rf}
}

func (s *Sandbox) ctlRateLimit(r *http.Request) (int, any) {
	var b struct {
		PerMinute int `json:"perMinute"`
		Burst     int `json:"burst"`
	}
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	s.SetRateLimit(b.PerMinute, b.Burst)
	return ok()
}

func (s *Sandbox) ctlOptions(r *http.Request) (int, any) {
	var b struct {
		UnknownKeys   *UnknownKeyMode  `json:"unknownKeys"`
		SuccessBody   *SuccessBodyMode `json:"successBody"`
		OmitNullLabel *bool            `json:"omitNullLabel"`
		ShuffleLists  *bool            `json:"shuffleLists"`
	}
	if err := decode(r, &b); err != nil {
		return ctlError(err)
	}
	o := s.Options()
	if b.UnknownKeys != nil {
		if *b.UnknownKeys != UnknownKey404 && *b.UnknownKeys != UnknownKeyLenient {
			return ctlError(&ValidationError{Field: "unknownKeys", Message: "want 404 or lenient"})
		}
		o.UnknownKeys = *b.UnknownKeys
	}
	if b.SuccessBody != nil {
		switch *b.SuccessBody {
		case SuccessEmpty, SuccessObject, SuccessMessage:
		default:
			return ctlError(&ValidationError{Field: "successBody", Message: "want empty, object or message"})
		}
		o.SuccessBody = *b.SuccessBody
	}
	if b.OmitNullLabel != nil {
		o.OmitNullLabel = *b.OmitNullLabel
	}
	if b.ShuffleLists != nil {
		o.ShuffleLists = *b.ShuffleLists
	}
	s.SetOptions(o)
	return http.StatusOK, s.Options()
}
