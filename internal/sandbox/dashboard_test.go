package sandbox

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// local serves one request through the handler as a loopback client of
// 127.0.0.1:8787 would send it; edit changes it first (Host, Origin,
// client address, headers).
func local(sb *Sandbox, method, target, contentType, body string, edit func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr, req.Host = "127.0.0.1:50000", "127.0.0.1:8787"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if edit != nil {
		edit(req)
	}
	w := httptest.NewRecorder()
	sb.Handler().ServeHTTP(w, req)
	return w
}

func page(t *testing.T, sb *Sandbox, target string) string {
	t.Helper()
	w := local(sb, "GET", target, "", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
	}
	return w.Body.String()
}

var rowKeyRE = regexp.MustCompile(`<tr data-key="([^"]*)"`)

// rowKeys returns the session keys of the rows of a page, in order.
func rowKeys(body string) []string {
	var keys []string
	for _, m := range rowKeyRE.FindAllStringSubmatch(body, -1) {
		keys = append(keys, html.UnescapeString(m[1]))
	}
	return keys
}

func TestDashboard_showsAgentsSessionsArchivesTrafficAndFaults(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	expect(t, e.api(t, "GET", "/sessions", nil), 200, "")
	e.sb.InjectFault(Fault{Route: RouteSessionsRename, Status: 502, Count: 2})
	e.sb.SetRateLimit(60, 10)

	w := local(e.sb, "GET", "/", "", "", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	body := w.Body.String()

	// The first agent by name is selected; its sessions are listed newest
	// first, with their labels; its archives with the key they restore to.
	want := []string{
		"agent:main:discord:channel:112233445566778899", "s-01hzx3k9q2", "api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f",
		"agent:main:webchat:direct:visitor-7f3a", "agent:main:telegram:group:-1009876543210",
		"agent:main:telegram:group:-1001234567890:topic:42", "agent:main:telegram:direct:123456789", "agent:main:main",
	}
	if got := rowKeys(body); !slices.Equal(got, want) {
		t.Errorf("session rows %q, want %q", got, want)
	}
	for _, s := range []string{
		`data-agent="` + DemoAgentID + `"`, "Demo agent", "Second agent", "1–8 of 8 sessions", "1–2 of 2 archives",
		`value="Support group: topic 42"`, `value="Discord #general"`,
		demoArchive1, "api:0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", `value="Old API session"`,
		"export GUAYABA_BASE_URL=http://127.0.0.1:8787/api/v1", "export GUAYABA_API_KEY=" + DemoAgentKey,
		"<code>sessions.list</code></th><td class=\"num\">1</td><td>200 × 1</td>",
		"answer 502 Bad Gateway", "Now 60 a minute, bursts of 10.", "Stop agent",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(body, "agent:main:telegram:direct:987654321") {
		t.Error("the page lists a session of the agent that is not selected")
	}

	// Another agent, stopped.
	e.sb.SetAgentRunning(DemoAgentID2, false)
	body = page(t, e.sb, "/?agent="+DemoAgentID2)
	if got := rowKeys(body); !slices.Equal(got, []string{"agent:main:telegram:direct:987654321", "agent:main:main"}) {
		t.Errorf("agent 2's rows: %q", got)
	}
	for _, s := range []string{"Start agent", "answers 503", "No archives", "export GUAYABA_API_KEY=" + DemoMasterKey} {
		if !strings.Contains(body, s) {
			t.Errorf("agent 2's page lacks %q", s)
		}
	}

	// The page's own files, and nothing else of the folder.
	for name, ctype := range map[string]string{"style.css": "text/css", "app.js": "text/javascript", "icon.svg": "image/svg+xml"} {
		w := local(e.sb, "GET", "/dashboard/"+name, "", "", nil)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) || w.Body.Len() == 0 {
			t.Errorf("/dashboard/%s: %d %s", name, w.Code, w.Header().Get("Content-Type"))
		}
	}
	if w := local(e.sb, "GET", "/dashboard/page.html", "", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("/dashboard/page.html: %d, want 404", w.Code)
	}
}

func TestDashboard_filterAndPages(t *testing.T) {
	t.Parallel()
	sb := New(Options{})
	f := Generate(GenerateOptions{Agents: 1, SessionsPerAgent: 120, ArchivesPerAgent: 55, Seed: 7})
	if err := sb.Load(f); err != nil {
		t.Fatal(err)
	}
	agentID := f.Agents[0].ID
	all := sb.Sessions(agentID)
	slices.SortFunc(all, func(x, y Session) int {
		if x.UpdatedAt != y.UpdatedAt {
			return int(y.UpdatedAt - x.UpdatedAt)
		}
		return strings.Compare(x.Key, y.Key)
	})
	keys := make([]string, len(all))
	for i, s := range all {
		keys[i] = s.Key
	}

	first := page(t, sb, "/")
	if got := rowKeys(first); !slices.Equal(got, keys[:50]) {
		t.Errorf("page 1: %d rows, not the 50 newest", len(got))
	}
	for _, s := range []string{"1–50 of 120 sessions", "Page 1 of 3", `href="/?agent=` + agentID + `&amp;page=2#sessions"`, "1–50 of 55 archives", "apage=2#archives"} {
		if !strings.Contains(first, s) {
			t.Errorf("page 1 lacks %q", s)
		}
	}
	last := page(t, sb, "/?page=3")
	if got := rowKeys(last); !slices.Equal(got, keys[100:]) || !strings.Contains(last, "101–120 of 120 sessions") {
		t.Errorf("page 3: %d rows", len(got))
	}
	if beyond := page(t, sb, "/?page=99"); !slices.Equal(rowKeys(beyond), keys[100:]) {
		t.Error("a page past the end does not show the last page")
	}
	if second := page(t, sb, "/?apage=2"); !strings.Contains(second, "51–55 of 55 archives") || !slices.Equal(rowKeys(second), keys[:50]) {
		t.Error("archive page 2")
	}

	// The filter matches keys and labels, ignoring case.
	var match []string
	for _, s := range all {
		if strings.Contains(s.Key, "telegram") || (s.Label != nil && strings.Contains(strings.ToLower(*s.Label), "telegram")) {
			match = append(match, s.Key)
		}
	}
	filtered := page(t, sb, "/?q=TeleGram")
	if got := rowKeys(filtered); len(match) == 0 || !slices.Equal(got, match[:min(50, len(match))]) {
		t.Errorf("filter telegram: %q, want %q", got, match)
	}
	if !strings.Contains(filtered, fmt.Sprintf("of %d sessions", len(match))) || !strings.Contains(filtered, `value="TeleGram"`) {
		t.Error("the filtered page does not say what it filtered")
	}
	label := *all[7].Label
	if got := rowKeys(page(t, sb, "/?q="+strings.ReplaceAll(label, " ", "+"))); !slices.Contains(got, all[7].Key) {
		t.Errorf("filter by label %q: %q", label, got)
	}
	if none := page(t, sb, "/?q=nothing-matches-this"); len(rowKeys(none)) != 0 || !strings.Contains(none, "No sessions") {
		t.Error("a filter that matches nothing")
	}
}

// fingerprint is everything a request could change: the data, the keys,
// the faults, the counters and the options.
func fingerprint(sb *Sandbox) string {
	sb.mu.Lock()
	keys := make([]Key, 0, len(sb.keys))
	for _, k := range sb.keys {
		keys = append(keys, *k)
	}
	sb.mu.Unlock()
	slices.SortFunc(keys, func(a, b Key) int { return strings.Compare(a.Token, b.Token) })
	b, err := json.Marshal(map[string]any{"state": sb.Snapshot(), "keys": keys, "faults": sb.Faults(),
		"counters": sb.Counters(), "options": sb.Options()})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Everything the dashboard's buttons send (and every other control change)
// is refused, changing nothing, when it comes from a foreign Host (DNS
// rebinding), from a cross-site form (form-encoded, multipart or text/plain
// body), from a page of another origin, or from another machine; and the
// same requests as the page sends them do change the sandbox.
func TestDashboard_hostileRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	type change struct{ method, path, body string }
	changes := []change{
		{"POST", "/_sandbox/sessions/rename", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main","label":"Pwned"}`},
		{"POST", "/_sandbox/sessions/rename", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main","label":null}`},
		{"POST", "/_sandbox/sessions/archive", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main"}`},
		{"POST", "/_sandbox/sessions/delete", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main"}`},
		{"POST", "/_sandbox/sessions/reset", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main"}`},
		{"POST", "/_sandbox/sessions/add", `{"agentId":"` + DemoAgentID + `","session":{"key":"api:x","messages":[{"role":"user","content":"hi"}]}}`},
		{"POST", "/_sandbox/sessions/messages", `{"agentId":"` + DemoAgentID + `","key":"agent:main:main","messages":[{"role":"user","content":"hi"}]}`},
		{"POST", "/_sandbox/archives/restore", `{"agentId":"` + DemoAgentID + `","filename":"` + demoArchive1 + `","label":"Back"}`},
		{"POST", "/_sandbox/sessions/restore", `{"agentId":"` + DemoAgentID + `","filename":"` + demoArchive1 + `"}`},
		{"POST", "/_sandbox/archives/delete", `{"agentId":"` + DemoAgentID + `","filename":"` + demoArchive1 + `"}`},
		{"POST", "/_sandbox/agents/" + DemoAgentID + "/stop", ``},
		{"POST", "/_sandbox/faults", `[{"route":"sessions.list","status":429,"count":3}]`},
		{"DELETE", "/_sandbox/faults", ``},
		{"POST", "/_sandbox/ratelimit", `{"perMinute":5,"burst":1}`},
		{"POST", "/_sandbox/counters/reset", ``},
		{"POST", "/_sandbox/options", `{"unknownKeys":"lenient"}`},
		{"POST", "/_sandbox/reset", ``},
		{"POST", "/_sandbox/load", `{"owners":[{"id":"o2","subscriptionActive":true}]}`},
		{"POST", "/_sandbox/generate", `{"agents":1,"sessions":1}`},
		{"POST", "/_sandbox/keys", `{"ownerId":"` + DemoOwnerID + `"}`},
		{"POST", "/_sandbox/subscription", `{"ownerId":"` + DemoOwnerID + `","active":false}`},
	}
	// newSandbox has something for every change to change: a queued fault, a
	// counted call.
	newSandbox := func(t *testing.T) *Sandbox {
		sb := New(Options{})
		if err := sb.Load(DemoFixture()); err != nil {
			t.Fatal(err)
		}
		sb.InjectFault(Fault{Route: RouteArchivesList, Status: 502})
		auth := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+DemoMasterKey) }
		if w := local(sb, "GET", "/api/v1/agents/"+DemoAgentID+"/sessions", "", "", auth); w.Code != http.StatusOK {
			t.Fatalf("listing: %d", w.Code)
		}
		return sb
	}
	const pageOrigin = "http://127.0.0.1:8787"
	hostile := []struct {
		name        string
		contentType string
		edit        func(*http.Request)
		status      int
	}{
		{"rebound Host", "application/json", func(r *http.Request) {
			r.Host = "attacker.example:8787"
			r.Header.Set("Origin", "http://attacker.example:8787")
		}, 403},
		{"rebound Host without Origin", "application/json", func(r *http.Request) { r.Host = "attacker.example" }, 403},
		{"cross-site form", "application/x-www-form-urlencoded", func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") }, 403},
		{"form-encoded", "application/x-www-form-urlencoded", nil, 415},
		{"multipart form", "multipart/form-data; boundary=x", nil, 415},
		{"text/plain", "text/plain", nil, 415},
		{"text/plain from the page's origin", "text/plain;charset=UTF-8", func(r *http.Request) { r.Header.Set("Origin", pageOrigin) }, 415},
		{"no content type", "", nil, 415},
		{"JSON from another origin", "application/json", func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") }, 403},
		{"JSON from another local port", "application/json", func(r *http.Request) { r.Header.Set("Origin", "http://127.0.0.1:9999") }, 403},
		{"JSON from a sandboxed frame", "application/json", func(r *http.Request) { r.Header.Set("Origin", "null") }, 403},
		{"JSON from another machine", "application/json", func(r *http.Request) { r.RemoteAddr = "192.0.2.7:50000" }, 403},
	}
	for _, c := range changes {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			before := fingerprint(sb)
			for _, h := range hostile {
				w := local(sb, c.method, c.path, h.contentType, c.body, h.edit)
				if w.Code != h.status {
					t.Errorf("%s: %d %s, want %d", h.name, w.Code, w.Body, h.status)
				}
				if after := fingerprint(sb); after != before {
					t.Fatalf("%s changed the sandbox", h.name)
				}
			}
			// As the page sends it: JSON from its own origin.
			w := local(sb, c.method, c.path, "application/json", c.body, func(r *http.Request) { r.Header.Set("Origin", pageOrigin) })
			if w.Code != http.StatusOK {
				t.Fatalf("as the page sends it: %d %s", w.Code, w.Body)
			}
			if fingerprint(sb) == before {
				t.Error("as the page sends it, the request changed nothing: the refusals above prove nothing")
			}
		})
	}
}

// The page and its files are answered under the control API's rules: a
// page that rebinds its name to 127.0.0.1 cannot read them (the page
// holds every label and a key), nor a page of another origin, nor another
// machine.
func TestDashboard_readOnlyFromLoopback(t *testing.T) {
	t.Parallel()
	sb := New(Options{AllowRemote: true}) // lifts the API's check, not the dashboard's
	if err := sb.Load(DemoFixture()); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/", "/?agent=" + DemoAgentID, "/dashboard/app.js"} {
		for name, edit := range map[string]func(*http.Request){
			"rebound Host":  func(r *http.Request) { r.Host = "attacker.example:8787" },
			"other origin":  func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") },
			"other machine": func(r *http.Request) { r.RemoteAddr = "192.0.2.7:50000" },
		} {
			w := local(sb, "GET", target, "", "", edit)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", name, target, w.Code)
			}
			if b := w.Body.String(); strings.Contains(b, "agent:main") || strings.Contains(b, DemoAgentKey) || strings.Contains(b, "Main") {
				t.Errorf("%s %s: the refusal shows data: %s", name, target, b)
			}
		}
	}
	for _, host := range []string{"localhost:8787", "[::1]:8787", "127.0.0.1"} {
		if w := local(sb, "GET", "/", "", "", func(r *http.Request) { r.Host = host }); w.Code != http.StatusOK {
			t.Errorf("Host %s: %d, want 200", host, w.Code)
		}
	}
}

func TestFormatCountMatcherAndSortedRange(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		s, filter string
		want      bool
	}{
		{"agent:main:Telegram:direct", "telegram", true}, {"agent:main:telegram", "TELE", true}, {"Support 42", "PORT", true},
		{"abc", "", true}, {"abc", "abcd", false}, {"Équipe", "éQUIPE", true}, {"Ana (Telegram)", "ana (t", true},
		{"main", "mian", false}, {"Main", "mian", false}, {"MAIN", "ain", true},
	} {
		if got := newMatcher(c.filter).in(c.s); got != c.want {
			t.Errorf("filter %q in %q: %t", c.filter, c.s, got)
		}
	}
	// Every page of sortedRange is the same slice of a full sort.
	items := make([]int, 1000)
	for i := range items {
		items[i] = (i * 7919) % 1000
	}
	for _, r := range [][2]int{{0, 50}, {50, 100}, {200, 250}, {900, 1000}, {0, 0}, {10, 10}} {
		got := sortedRange(slices.Clone(items), func(a, b int) int { return a - b }, r[0], r[1])
		want := make([]int, 0, r[1]-r[0])
		for i := r[0]; i < r[1]; i++ {
			want = append(want, i)
		}
		if !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
			t.Errorf("sortedRange %v: %v", r, got)
		}
	}
}

// BenchmarkDashboard_firstScreen renders the page of an agent with 100,000
// sessions (what `guayaba-sandbox --generate agents=1,sessions=100000`
// serves): the first page, a filtered one and the last one.
func BenchmarkDashboard_firstScreen(b *testing.B) {
	sb := New(Options{})
	if err := sb.Load(Generate(GenerateOptions{Agents: 1, SessionsPerAgent: 100_000, ArchivesPerAgent: 2, MessagesPerSession: 4, Seed: 1})); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, target string }{
		{"first", "/"}, {"filtered", "/?q=telegram"}, {"last", "/?page=2000"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				w := local(sb, "GET", bc.target, "", "", nil)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "of 100,000 sessions") && bc.name != "filtered" {
					b.Fatalf("%d", w.Code)
				}
			}
		})
	}
}
