package sandbox

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The dashboard is a web page at / that plays the Guayaba dashboard: the
// agents, their sessions and archives, the request counters and the fault
// switches, rendered on the server from the embedded dashboard/ folder
// (page.html, style.css, app.js, icon.svg; no build step, nothing fetched
// from elsewhere). It reads the sandbox directly and changes nothing
// itself: the page's buttons send the control API's own requests
// (control.go) with fetch, as JSON, under its rules. The page is answered
// under the same rules (controlRefusal), so a page that rebinds its name to
// 127.0.0.1 cannot read it, and it may not be framed by another page.

//go:embed dashboard
var dashboardFS embed.FS

var dashboardTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"num": formatCount,
}).ParseFS(dashboardFS, "dashboard/page.html"))

// dashboardAssets are the files of dashboard/ served under /dashboard/.
var dashboardAssets = map[string]string{
	"style.css": "text/css; charset=utf-8",
	"app.js":    "text/javascript; charset=utf-8",
	"icon.svg":  "image/svg+xml",
}

// dashboardPageSize is the number of rows per page of each table.
const dashboardPageSize = 50

// dashboardCSP lets the page load its own files only, send requests to
// its own origin only, and be framed by no one.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (s *Sandbox) registerDashboard(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.serveDashboard)
	mux.HandleFunc("GET /dashboard/{file}", serveDashboardAsset)
}

func dashboardHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// refuseDashboard answers a request the dashboard must not serve; it
// reports whether it did.
func refuseDashboard(w http.ResponseWriter, r *http.Request) bool {
	status, msg := controlRefusal(r)
	if status == 0 {
		return false
	}
	dashboardHeaders(w, "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("guayaba-sandbox: " + msg + "\n"))
	return true
}

func serveDashboardAsset(w http.ResponseWriter, r *http.Request) {
	if refuseDashboard(w, r) {
		return
	}
	name := r.PathValue("file")
	ctype, ok := dashboardAssets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := dashboardFS.ReadFile(path.Join("dashboard", name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	dashboardHeaders(w, ctype)
	_, _ = w.Write(b)
}

func (s *Sandbox) serveDashboard(w http.ResponseWriter, r *http.Request) {
	if refuseDashboard(w, r) {
		return
	}
	q := r.URL.Query()
	v := s.dashboardView(dashboardQuery{
		agent:  q.Get("agent"),
		filter: strings.TrimSpace(q.Get("q")),
		page:   atoiOr(q.Get("page"), 1),
		apage:  atoiOr(q.Get("apage"), 1),
	})
	v.BaseURL = "http://" + r.Host + "/api/v1"
	var buf bytes.Buffer
	if err := dashboardTemplate.Execute(&buf, v); err != nil {
		http.Error(w, "guayaba-sandbox: cannot render the dashboard: "+err.Error(), http.StatusInternalServerError)
		return
	}
	dashboardHeaders(w, "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// dashboardQuery is what the page's URL selects.
type dashboardQuery struct {
	agent, filter string
	page, apage   int
}

// url returns the page's URL with q's selection; fragment, when not empty,
// is the part of the page to scroll to.
func (q dashboardQuery) url(fragment string) string {
	v := url.Values{}
	if q.agent != "" {
		v.Set("agent", q.agent)
	}
	if q.filter != "" {
		v.Set("q", q.filter)
	}
	if q.page > 1 {
		v.Set("page", strconv.Itoa(q.page))
	}
	if q.apage > 1 {
		v.Set("apage", strconv.Itoa(q.apage))
	}
	u := "/"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	if fragment != "" {
		u += "#" + fragment
	}
	return u
}

// dashView is what page.html renders.
type dashView struct {
	BaseURL  string
	Agents   []dashAgent
	Agent    *dashAgent // the selected agent; nil when there is none
	Query    string
	ClearURL string // the page without the filter
	SelfURL  string
	Sessions dashList[dashSession]
	Archives dashList[dashArchive]

	// ConnectKey is a key that manages the selected agent, for the
	// "connect Terraform" lines; ConnectKeyNote says which.
	ConnectKey, ConnectKeyNote string

	Traffic   []dashRoute
	Total     int
	Limited   int
	Faults    []dashFault
	Routes    []string
	Statuses  []dashStatus
	PerMinute int
	Burst     int
}

type dashAgent struct {
	ID, Name, Owner    string
	Running            bool
	Sessions, Archives int
	URL                string
	Selected           bool
}

// Title is the agent's name, or its id when it has none.
func (a dashAgent) Title() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func agentTitle(a *agent) string { return dashAgent{ID: a.id, Name: a.name}.Title() }

type dashSession struct {
	Key, SessionID, Label, ChatType, Channel string
	HasLabel                                 bool
	Updated                                  dashTime
}

type dashArchive struct {
	Filename, Key, SessionID, Label string
	HasLabel                        bool
	Archived                        dashTime
}

// dashTime is a time shown in UTC, with its ISO form for <time>.
type dashTime struct{ ISO, Text string }

func newDashTime(t time.Time) dashTime {
	t = t.UTC()
	return dashTime{ISO: t.Format(time.RFC3339), Text: t.Format("2006-01-02 15:04")}
}

// dashList is one page of a table.
type dashList[T any] struct {
	Rows                   []T
	Total, From, To        int
	Page, Pages            int
	PrevURL, NextURL, What string
}

type dashRoute struct {
	Route   string
	Calls   int
	Answers string
}

type dashFault struct {
	Route, Effect string
	Left          int
}

type dashStatus struct {
	Code int
	Text string
}

// faultStatuses are the answers the page offers to inject.
var faultStatuses = []int{429, 500, 502, 503, 504, 401, 403, 404, 409, 422}

// dashboardView gathers the page's data in one hold of the lock: the rows
// of the selected agent that match the filter, sorted (sessions by last
// update, archives by archive time, newest first), then one page of each.
func (s *Sandbox) dashboardView(q dashboardQuery) dashView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := dashView{Query: q.filter, Routes: Routes(), PerMinute: s.opts.RateLimitPerMinute, Burst: s.opts.RateLimitBurst}
	for _, code := range faultStatuses {
		v.Statuses = append(v.Statuses, dashStatus{code, http.StatusText(code)})
	}

	agents := make([]*agent, 0, len(s.agents))
	for _, a := range s.agents {
		agents = append(agents, a)
	}
	slices.SortFunc(agents, func(x, y *agent) int {
		if c := strings.Compare(agentTitle(x), agentTitle(y)); c != 0 {
			return c
		}
		return strings.Compare(x.id, y.id)
	})
	var sel *agent
	for _, a := range agents {
		if a.id == q.agent || (sel == nil && q.agent == "") {
			sel = a
		}
	}
	if sel != nil {
		q.agent = sel.id
	}
	for _, a := range agents {
		da := dashAgent{ID: a.id, Name: a.name, Owner: a.owner, Running: a.running,
			Sessions: len(a.sessions), Archives: len(a.archives),
			URL: dashboardQuery{agent: a.id}.url(""), Selected: a == sel}
		v.Agents = append(v.Agents, da)
	}
	if sel != nil {
		for i := range v.Agents {
			if v.Agents[i].Selected {
				v.Agent = &v.Agents[i]
			}
		}
		v.Sessions = s.dashSessions(sel, q)
		v.Archives = s.dashArchives(sel, q)
		v.ConnectKey, v.ConnectKeyNote = s.connectKeyLocked(sel)
	}
	v.ClearURL = dashboardQuery{agent: q.agent}.url("sessions")
	v.SelfURL = q.url("")

	for _, route := range Routes() {
		dr := dashRoute{Route: route, Calls: s.counters.ByRoute[route]}
		byStatus := s.counters.ByRouteStatus[route]
		codes := make([]int, 0, len(byStatus))
		for c := range byStatus {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		parts := make([]string, 0, len(codes))
		for _, c := range codes {
			name := strconv.Itoa(c)
			if c == 0 {
				name = "no answer"
			}
			parts = append(parts, name+" × "+formatCount(byStatus[c]))
		}
		dr.Answers = strings.Join(parts, ", ")
		v.Traffic = append(v.Traffic, dr)
	}
	v.Total, v.Limited = s.counters.Total, s.counters.RateLimited

	for _, f := range s.faultsLocked() {
		v.Faults = append(v.Faults, dashFault{Route: f.Route, Effect: faultEffect(f), Left: f.Count})
	}
	return v
}

func (s *Sandbox) dashSessions(a *agent, q dashboardQuery) dashList[dashSession] {
	m := newMatcher(q.filter)
	matched := make([]*session, 0, len(a.sessions))
	for _, sess := range a.sessions {
		if q.filter == "" || m.in(sess.Key) || (sess.Label != nil && m.in(*sess.Label)) {
			matched = append(matched, sess)
		}
	}
	newestFirst := func(x, y *session) int {
		if x.UpdatedAt != y.UpdatedAt {
			if x.UpdatedAt > y.UpdatedAt {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Key, y.Key)
	}
	list, from, to := paginate[dashSession](len(matched), q.page, "sessions")
	for _, sess := range sortedRange(matched, newestFirst, from, to) {
		row := dashSession{Key: sess.Key, SessionID: sess.SessionID, ChatType: sess.ChatType, Channel: sess.LastChannel,
			Updated: newDashTime(time.UnixMilli(sess.UpdatedAt))}
		row.Label, row.HasLabel = labelText(sess.Label)
		list.Rows = append(list.Rows, row)
	}
	q.page = list.Page
	list.links(q, func(q *dashboardQuery, p int) { q.page = p })
	return list
}

func (s *Sandbox) dashArchives(a *agent, q dashboardQuery) dashList[dashArchive] {
	m := newMatcher(q.filter)
	matched := make([]*archive, 0, len(a.archives))
	for _, arc := range a.archives {
		if q.filter == "" || m.in(arc.key) || m.in(arc.Filename) || (arc.Label != nil && m.in(*arc.Label)) {
			matched = append(matched, arc)
		}
	}
	newestFirst := func(x, y *archive) int {
		if c := strings.Compare(y.ArchivedAt, x.ArchivedAt); c != 0 {
			return c
		}
		return strings.Compare(x.Filename, y.Filename)
	}
	list, from, to := paginate[dashArchive](len(matched), q.apage, "archives")
	for _, arc := range sortedRange(matched, newestFirst, from, to) {
		row := dashArchive{Filename: arc.Filename, Key: arc.key, SessionID: arc.SessionID}
		if t, err := time.Parse(ArchiveTimeFormat, arc.ArchivedAt); err == nil {
			row.Archived = newDashTime(t)
		} else {
			row.Archived = dashTime{Text: arc.ArchivedAt}
		}
		row.Label, row.HasLabel = labelText(arc.Label)
		list.Rows = append(list.Rows, row)
	}
	q.apage = list.Page
	list.links(q, func(q *dashboardQuery, p int) { q.apage = p })
	return list
}

// labelText is a label as a form field shows it: "" for none.
func labelText(l *string) (string, bool) {
	if l == nil {
		return "", false
	}
	return *l, true
}

// paginate returns page (clamped to the pages there are) of n rows, and the
// bounds of its rows.
func paginate[T any](n, page int, what string) (l dashList[T], from, to int) {
	l.Total, l.What = n, what
	l.Pages = max(1, (n+dashboardPageSize-1)/dashboardPageSize)
	l.Page = min(max(page, 1), l.Pages)
	from = min((l.Page-1)*dashboardPageSize, n)
	to = min(from+dashboardPageSize, n)
	if to > from {
		l.From, l.To = from+1, to
	}
	return l, from, to
}

// links sets the previous and next page URLs; set selects a page in a query.
func (l *dashList[T]) links(q dashboardQuery, set func(*dashboardQuery, int)) {
	if l.Page > 1 {
		p := q
		set(&p, l.Page-1)
		l.PrevURL = p.url(l.What)
	}
	if l.Page < l.Pages {
		n := q
		set(&n, l.Page+1)
		l.NextURL = n.url(l.What)
	}
}

// connectKeyLocked picks a key that manages a: an agent key of a with
// agent:manage, else a master key of its owner (the smallest token, so that
// the page is stable).
func (s *Sandbox) connectKeyLocked(a *agent) (token, note string) {
	var agentKey, masterKey string
	now := s.now()
	for tok, k := range s.keys {
		if k.Revoked || (!k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)) || k.OwnerID != a.owner {
			continue
		}
		switch {
		case k.AgentID == a.id && k.HasScope(ScopeManage):
			if agentKey == "" || tok < agentKey {
				agentKey = tok
			}
		case k.IsMaster():
			if masterKey == "" || tok < masterKey {
				masterKey = tok
			}
		}
	}
	switch {
	case agentKey != "":
		return agentKey, "an agent key of this agent, with agent:manage"
	case masterKey != "":
		return masterKey, "a master key of the agent's owner"
	default:
		return "", "No key manages this agent: add one with POST /_sandbox/keys."
	}
}

func faultEffect(f Fault) string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "wait "+f.Delay.String())
	}
	switch {
	case f.Drop:
		parts = append(parts, "drop the connection")
	case f.ApplyThenDrop:
		parts = append(parts, "apply, then drop the connection")
	case f.Status != 0:
		p := "answer " + strconv.Itoa(f.Status)
		if t := http.StatusText(f.Status); t != "" {
			p += " " + t
		}
		if f.RetryAfter != "" {
			p += ", Retry-After " + f.RetryAfter
		}
		parts = append(parts, p)
	}
	if f.Skip > 0 {
		parts = append(parts, "after "+formatCount(f.Skip)+" more")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// matcher finds a filter in keys and labels, ignoring case. The filter
// runs over every row of an agent that may have 100,000, so an ASCII filter
// (the usual) is found without allocating: with strings.Contains, and byte
// by byte only in a text that has capitals.
type matcher struct {
	lower string
	ascii bool
}

func newMatcher(filter string) matcher {
	m := matcher{lower: strings.ToLower(filter), ascii: true}
	for i := 0; i < len(filter); i++ {
		if filter[i] >= utf8.RuneSelf {
			m.ascii = false
		}
	}
	return m
}

func (m matcher) in(s string) bool {
	if !m.ascii {
		return strings.Contains(strings.ToLower(s), m.lower)
	}
	if strings.Contains(s, m.lower) {
		return true
	}
	capitals := false
	for i := 0; i < len(s) && !capitals; i++ {
		capitals = 'A' <= s[i] && s[i] <= 'Z'
	}
	if !capitals {
		return false
	}
	n := len(m.lower)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && asciiLower(s[i+j]) == m.lower[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// sortedRange returns rows from..to of items in cmp order (a total order),
// sorting only what it must: for an early page it keeps the first `to`
// items in a sorted slice as it goes, for a late one it sorts them all.
func sortedRange[T any](items []T, cmp func(a, b T) int, from, to int) []T {
	if to <= from {
		return nil
	}
	if to*4 > len(items) {
		slices.SortFunc(items, cmp)
		return items[from:to]
	}
	top := make([]T, 0, to+1)
	for _, it := range items {
		if len(top) == to && cmp(it, top[to-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, it, cmp)
		top = slices.Insert(top, i, it)
		if len(top) > to {
			top = top[:to]
		}
	}
	return top[from:]
}

// formatCount writes n with thousands separators: 100,000.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
