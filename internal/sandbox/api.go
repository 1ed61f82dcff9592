package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// response is a computed API answer, written (or dropped) after counting.
type response struct {
	status      int
	contentType string
	body        []byte
	header      http.Header
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "Internal Server Error", "Server Error")
	}
	return response{status: status, contentType: "application/json", body: b}
}

func errorResponse(status int, category, message string) response {
	return jsonResponse(status, map[string]string{"error": category, "message": message})
}

// validationResponse is Laravel's 422: no "error" key.
func validationResponse(errs map[string][]string) response {
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
		"message": "The given data was invalid.",
		"errors":  errs,
	})
}

func fieldError(field, msg string) response {
	return validationResponse(map[string][]string{field: {msg}})
}

// Documented bodies.
var (
	respUnauthorized = func() response {
		return errorResponse(http.StatusUnauthorized, "Unauthorized", "Invalid or revoked API key")
	}
	respNoSubscription = func() response {
		return errorResponse(http.StatusForbidden, "Forbidden", "An active subscription is required to use the API")
	}
	respNoScope = func(scope string) response {
		return errorResponse(http.StatusForbidden, "Forbidden", "This API key lacks the required scope: "+scope)
	}
	respOtherAgent = func() response {
		return errorResponse(http.StatusForbidden, "Forbidden", "This API key does not have access to this agent")
	}
	respAgentNotFound = func() response {
		return errorResponse(http.StatusNotFound, "Not Found", "Agent not found")
	}
	respNotRunning = func() response {
		return errorResponse(http.StatusServiceUnavailable, "Service Unavailable", "Agent container is not running")
	}
	respSessionNotFound = func() response {
		return errorResponse(http.StatusNotFound, "Not Found", "Session not found")
	}
	respArchiveNotFound = func() response {
		return errorResponse(http.StatusNotFound, "Not Found", "Archive not found")
	}
	respKeyConflict = func() response {
		return errorResponse(http.StatusConflict, "Conflict", "A session with this key already exists")
	}
	respTooMany = func() response {
		return jsonResponse(http.StatusTooManyRequests, map[string]string{"message": "Too Many Attempts."})
	}
)

// DefaultFaultBody returns the body a fault with status sends when it has
// no Body of its own: the documented body where there is one.
func DefaultFaultBody(status int) string {
	var r response
	switch status {
	case http.StatusUnauthorized:
		r = respUnauthorized()
	case http.StatusForbidden:
		r = respNoScope(ScopeManage)
	case http.StatusNotFound:
		r = respSessionNotFound()
	case http.StatusConflict:
		r = respKeyConflict()
	case http.StatusUnprocessableEntity:
		r = fieldError("label", "The label field is invalid.")
	case http.StatusTooManyRequests:
		r = respTooMany()
	case http.StatusBadGateway:
		r = errorResponse(status, "Bad Gateway", "Failed to communicate with the agent container")
	case http.StatusServiceUnavailable:
		r = respNotRunning()
	case http.StatusGatewayTimeout:
		r = errorResponse(status, "Gateway Timeout", "The agent container did not answer in time")
	case http.StatusInternalServerError:
		r = errorResponse(status, "Internal Server Error", "Server Error")
	default:
		text := http.StatusText(status)
		if text == "" {
			text = "Error"
		}
		r = errorResponse(status, text, text)
	}
	return string(r.body)
}

func faultResponse(f *Fault) response {
	body := f.Body
	if body == "" {
		body = DefaultFaultBody(f.Status)
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
		if strings.HasPrefix(strings.TrimSpace(body), "<") {
			ct = "text/html; charset=utf-8"
		}
	}
	r := response{status: f.Status, contentType: ct, body: []byte(body), header: http.Header{}}
	if f.RetryAfter != "" {
		r.header.Set("Retry-After", f.RetryAfter)
	}
	return r
}

// input is a decoded JSON request body. Malformed JSON reads as empty, as
// Laravel's request input does, so it fails validation.
type input map[string]json.RawMessage

func readInput(r *http.Request) input {
	in := input{}
	if r.Body == nil {
		return in
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return in
	}
	_ = json.Unmarshal(b, &in)
	if in == nil {
		in = input{}
	}
	return in
}

// displayName is Laravel's attribute name in messages: sessionKey → "session key".
func displayName(field string) string {
	var b strings.Builder
	for _, r := range field {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// requiredString validates a required string field (trimmed, as Laravel's
// TrimStrings middleware does).
func (in input) requiredString(field string, errs map[string][]string) string {
	raw, ok := in[field]
	if !ok || string(raw) == "null" {
		errs[field] = append(errs[field], "The "+displayName(field)+" field is required.")
		return ""
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		errs[field] = append(errs[field], "The "+displayName(field)+" field must be a string.")
		return ""
	}
	if strings.TrimSpace(v) == "" {
		errs[field] = append(errs[field], "The "+displayName(field)+" field is required.")
		return ""
	}
	return strings.TrimSpace(v)
}

// label validates the optional label field: present reports whether the
// field was sent; the label is trimmed, empty means none.
func (in input) label(errs map[string][]string) (label *string, present bool) {
	raw, ok := in["label"]
	if !ok {
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		errs["label"] = append(errs["label"], "The label field must be a string.")
		return nil, true
	}
	l, err := normalizeLabel(&v)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			errs["label"] = append(errs["label"], ve.Message)
		}
		return nil, true
	}
	return l, true
}

// limit validates the optional history limit.
func (in input) limit(errs map[string][]string) int {
	raw, ok := in["limit"]
	if !ok || string(raw) == "null" {
		return DefaultHistoryLimit
	}
	f, ok := jsonNumber(raw)
	if !ok {
		errs["limit"] = append(errs["limit"], "The limit field must be an integer.")
		return 0
	}
	if f != math.Trunc(f) {
		errs["limit"] = append(errs["limit"], "The limit field must be an integer.")
		return 0
	}
	if f < 1 {
		errs["limit"] = append(errs["limit"], "The limit field must be at least 1.")
		return 0
	}
	if f > 1000 {
		errs["limit"] = append(errs["limit"], "The limit field must not be greater than 1000.")
		return 0
	}
	return int(f)
}

// jsonNumber reads a JSON number or a numeric string, as Laravel's integer
// rule accepts both.
func jsonNumber(raw json.RawMessage) (float64, bool) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, true
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(str))
	return float64(n), err == nil
}

// apiFunc handles an authorised request for a running agent; it runs with
// s.mu held.
type apiFunc func(a *agent, in input) response

func (s *Sandbox) buildHandler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "GET", "/agents/{id}/sessions", RouteSessionsList, s.apiList)
	s.route(mux, "POST", "/agents/{id}/sessions/history", RouteSessionsHistory, s.apiHistory)
	s.route(mux, "POST", "/agents/{id}/sessions/rename", RouteSessionsRename, s.apiRename)
	s.route(mux, "POST", "/agents/{id}/sessions/archive", RouteSessionsArchive, s.apiArchive)
	s.route(mux, "POST", "/agents/{id}/sessions/delete", RouteSessionsDelete, s.apiDeleteSession)
	s.route(mux, "GET", "/agents/{id}/archives", RouteArchivesList, s.apiListArchives)
	s.route(mux, "POST", "/agents/{id}/archives/restore", RouteArchivesRestore, s.apiRestore)
	s.route(mux, "POST", "/agents/{id}/archives/delete", RouteArchivesDelete, s.apiDeleteArchive)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		if s.refuseForeignHost(w, r) {
			return
		}
		writeResponse(w, jsonResponse(http.StatusNotFound, map[string]string{"message": "The route " + strings.TrimPrefix(r.URL.Path, "/") + " could not be found."}))
	})
	s.registerControl(mux)
	s.registerDashboard(mux)
	return mux
}

func (s *Sandbox) route(mux *http.ServeMux, method, path, name string, h apiFunc) {
	mux.HandleFunc(method+" /api/v1"+path, func(w http.ResponseWriter, r *http.Request) {
		if s.refuseForeignHost(w, r) {
			return
		}
		s.serveAPI(w, r, name, h)
	})
}

// serveAPI runs one API request: fault, rate limit, authentication and
// authorisation, then the handler; the request is counted before the
// response is written or the connection dropped.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, name string, h apiFunc) {
	f := s.takeFault(name)
	// Read the body first: only then does net/http watch the connection,
	// so that a client that gives up during a Delay abandons the request
	// (instead of it being applied when the delay ends).
	in := readInput(r)
	if f != nil && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			s.count(name, 0)
			return
		}
	}
	if f != nil && f.Drop {
		s.count(name, 0)
		dropConnection(w)
		return
	}
	if f != nil && f.Status != 0 && !f.ApplyThenDrop {
		resp := faultResponse(f)
		s.count(name, resp.status)
		writeResponse(w, resp)
		return
	}

	rl, limited := s.rateLimit(r)
	var resp response
	if limited {
		resp = respTooMany()
	} else {
		resp = s.authorizedCall(r, in, h)
	}
	if rl != nil {
		if resp.header == nil {
			resp.header = http.Header{}
		}
		for k, v := range rl {
			resp.header[k] = v
		}
	}
	if f != nil && f.ApplyThenDrop {
		s.count(name, 0)
		dropConnection(w)
		return
	}
	s.count(name, resp.status)
	writeResponse(w, resp)
}

// authorizedCall checks key → subscription → route authorisation → agent
// → running, then calls h, all under one lock.
func (s *Sandbox) authorizedCall(r *http.Request, in input, h apiFunc) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	token, ok := bearer(r)
	if !ok {
		return respUnauthorized()
	}
	key, ok := s.keys[token]
	if !ok || key.Revoked || (!key.ExpiresAt.IsZero() && !s.now().Before(key.ExpiresAt)) {
		return respUnauthorized()
	}
	if !s.owners[key.OwnerID] {
		return respNoSubscription()
	}
	agentID := r.PathValue("id")
	if !key.IsMaster() {
		if key.AgentID != agentID {
			return respOtherAgent()
		}
		if !key.HasScope(ScopeManage) {
			return respNoScope(ScopeManage)
		}
	}
	a, ok := s.agents[agentID]
	if !ok || a.owner != key.OwnerID {
		return respAgentNotFound()
	}
	if !a.running {
		return respNotRunning()
	}
	return h(a, in)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func writeResponse(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.contentType != "" {
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// dropConnection closes the connection without a response. It hijacks the
// connection when it can; otherwise it aborts the handler, which makes the
// server reset the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// ---- success bodies, labels on the wire ----

func (s *Sandbox) success(message string) response {
	switch s.opts.SuccessBody {
	case SuccessObject:
		return response{status: http.StatusOK, contentType: "application/json", body: []byte("{}")}
	case SuccessMessage:
		return jsonResponse(http.StatusOK, map[string]any{"success": true, "message": message})
	default:
		return response{status: http.StatusOK}
	}
}

func (s *Sandbox) wireLabel(l *string) json.RawMessage {
	if l == nil {
		if s.opts.OmitNullLabel {
			return nil
		}
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(*l)
	return b
}

type wireSession struct {
	Key         string          `json:"key"`
	SessionID   string          `json:"sessionId"`
	SessionFile string          `json:"sessionFile"`
	Label       json.RawMessage `json:"label,omitempty"`
	UpdatedAt   int64           `json:"updatedAt"`
	ChatType    string          `json:"chatType"`
	LastChannel string          `json:"lastChannel"`
	Origin      map[string]any  `json:"origin"`
}

type wireArchive struct {
	Filename   string          `json:"filename"`
	Label      json.RawMessage `json:"label,omitempty"`
	ArchivedAt string          `json:"archivedAt"`
	SessionID  string          `json:"sessionId"`
}

func (s *Sandbox) unknownLenient() bool { return s.opts.UnknownKeys == UnknownKeyLenient }

// ---- the eight routes ----

func (s *Sandbox) apiList(a *agent, _ input) response {
	list := make([]*session, 0, len(a.sessions))
	for _, sess := range a.sessions {
		list = append(list, sess)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	if s.opts.ShuffleLists {
		rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	out := make([]wireSession, len(list))
	for i, sess := range list {
		origin := sess.Origin
		if origin == nil {
			origin = map[string]any{}
		}
		out[i] = wireSession{Key: sess.Key, SessionID: sess.SessionID, SessionFile: sess.SessionFile,
			Label: s.wireLabel(sess.Label), UpdatedAt: sess.UpdatedAt, ChatType: sess.ChatType,
			LastChannel: sess.LastChannel, Origin: origin}
	}
	return jsonResponse(http.StatusOK, out)
}

func (s *Sandbox) apiListArchives(a *agent, _ input) response {
	list := make([]*archive, 0, len(a.archives))
	for _, arc := range a.archives {
		list = append(list, arc)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	if s.opts.ShuffleLists {
		rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	out := make([]wireArchive, len(list))
	for i, arc := range list {
		out[i] = wireArchive{Filename: arc.Filename, Label: s.wireLabel(arc.Label), ArchivedAt: arc.ArchivedAt, SessionID: arc.SessionID}
	}
	return jsonResponse(http.StatusOK, out)
}

func (s *Sandbox) apiHistory(a *agent, in input) response {
	errs := map[string][]string{}
	key := in.requiredString("sessionKey", errs)
	limit := in.limit(errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	sess, ok := a.sessions[key]
	if !ok {
		if s.unknownLenient() {
			return jsonResponse(http.StatusOK, []Message{})
		}
		return respSessionNotFound()
	}
	msgs := sess.messages
	if len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	if msgs == nil {
		msgs = []Message{}
	}
	return jsonResponse(http.StatusOK, msgs)
}

// mutationError maps an operation error to its API answer.
func mutationError(err error) response {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		return fieldError(ve.Field, ve.Message)
	case errors.Is(err, ErrUnknownSession):
		return respSessionNotFound()
	case errors.Is(err, ErrUnknownArchive):
		return respArchiveNotFound()
	case errors.Is(err, ErrSessionExists):
		return respKeyConflict()
	default:
		return errorResponse(http.StatusInternalServerError, "Internal Server Error", "Server Error")
	}
}

func (s *Sandbox) apiRename(a *agent, in input) response {
	errs := map[string][]string{}
	key := in.requiredString("key", errs)
	label, _ := in.label(errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	if err := s.renameLocked(a, key, label, s.unknownLenient()); err != nil {
		return mutationError(err)
	}
	return s.success("Session renamed")
}

func (s *Sandbox) apiArchive(a *agent, in input) response {
	errs := map[string][]string{}
	key := in.requiredString("key", errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	if _, err := s.archiveLocked(a, key); err != nil {
		if errors.Is(err, ErrUnknownSession) && s.unknownLenient() {
			return s.success("Session archived")
		}
		return mutationError(err)
	}
	return s.success("Session archived")
}

func (s *Sandbox) apiDeleteSession(a *agent, in input) response {
	errs := map[string][]string{}
	key := in.requiredString("key", errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	if err := s.deleteSessionLocked(a, key); err != nil {
		if errors.Is(err, ErrUnknownSession) && s.unknownLenient() {
			return s.success("Session deleted")
		}
		return mutationError(err)
	}
	return s.success("Session deleted")
}

func (s *Sandbox) apiRestore(a *agent, in input) response {
	errs := map[string][]string{}
	filename := in.requiredString("filename", errs)
	label, present := in.label(errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	if err := s.restoreLocked(a, filename, label, !present); err != nil {
		if errors.Is(err, ErrUnknownArchive) && s.unknownLenient() {
			return s.success("Archive restored")
		}
		return mutationError(err)
	}
	return s.success("Archive restored")
}

func (s *Sandbox) apiDeleteArchive(a *agent, in input) response {
	errs := map[string][]string{}
	filename := in.requiredString("filename", errs)
	if len(errs) > 0 {
		return validationResponse(errs)
	}
	if err := s.deleteArchiveLocked(a, filename); err != nil {
		if errors.Is(err, ErrUnknownArchive) && s.unknownLenient() {
			return s.success("Archive deleted")
		}
		return mutationError(err)
	}
	return s.success("Archive deleted")
}
