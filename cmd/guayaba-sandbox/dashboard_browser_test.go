package main

// Browser tests of the dashboard: guayaba-sandbox is started as users start
// it (run, with flags), headless Chromium opens its page, and the test uses
// the page as a person would: typing, pressing Enter, clicking, answering
// the confirmation dialogs. Then it checks what the sandbox holds, through
// the API and the control API, and (TestAccDashboard_dashboardChangesAreDrift)
// what a real `terraform plan` of the provider built from this repository
// shows. TestAccDashboard_firstScreenAt100000Sessions prints how long the
// first screen of an agent with 100,000 sessions takes.
//
// They run an external program (Chromium, and terraform), so they are
// acceptance tests: named TestAcc…, run only with TF_ACC set (make test,
// make browser-test). Chromium is looked up on PATH (chromium on Debian);
// without it they skip, saying so, unless CI=true, where a missing Chromium
// is a failure (.ci/run installs it).
//
// TestAccDashboard_dashboardChangesAreDrift takes the screenshot of the
// sandbox guide; GUAYABA_UPDATE_SCREENSHOT=1 writes it over
// assets/screenshots/sandbox-dashboard.png (outside docs/, which the
// registry takes Markdown only from; the guide links to it on GitHub),
// otherwise it goes to a temp dir.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// skipUnlessAcc gates the tests that run external programs, as
// terraform-plugin-testing gates resource.Test.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
}

// chromiumPath finds Chromium. Without it the test skips, or fails in CI.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	why := "Chromium is not installed (Debian: apt-get install chromium; or CHROMIUM=/path/to/chrome): the dashboard's browser tests need it"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + "; CI=true, so this is a failure (.ci/run installs it)")
	}
	t.Skip(why)
	return ""
}

// lockedBuffer is the sandbox's output, written by its goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSandbox runs guayaba-sandbox with args on a free loopback port and
// returns its dashboard URL (http://127.0.0.1:PORT/) and its output.
func startSandbox(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--url-file", urlFile}, args...), out)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("guayaba-sandbox: %v", err)
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 && strings.Contains(out.String(), "Ctrl-C to stop") {
			base := strings.TrimSpace(string(b))
			return strings.TrimSuffix(base, "api/v1"), out
		}
		select {
		case err := <-done:
			t.Fatalf("guayaba-sandbox ended: %v\n%s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("guayaba-sandbox did not start within a minute:\n%s", out)
		}
	}
}

// browser is a headless Chromium tab with a fresh profile, closed at the
// end of the test; JavaScript exceptions on the page fail the test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these Chromium reaches for the network, which this
		// machine refuses.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", exe, err)
	}
	b := &browser{t: t, ctx: ctx}

	var mu sync.Mutex
	var thrown []string
	exceptions := chromedp.Events(ctx, cdpruntime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			mu.Lock()
			thrown = append(thrown, ev.ExceptionDetails.Text+" "+exceptionDescription(ev.ExceptionDetails))
			mu.Unlock()
		}
	}()
	// The page asks before anything it cannot undo: say yes.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range thrown {
			t.Errorf("JavaScript exception on the page: %s", e)
		}
	})
	return b
}

func exceptionDescription(d *cdpruntime.ExceptionDetails) string {
	if d == nil || d.Exception == nil {
		return ""
	}
	return d.Exception.Description
}

// timeout bounds every step: generous, the machine may be loaded.
const timeout = 90 * time.Second

// do runs actions, failing the test on an error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(expr string) (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[string](expr))
}

// act runs what a person does for one change, then waits for the page to
// say it is done (after the reload a change makes) and returns what it
// said. wantKind is "ok" or "error".
func (b *browser) act(wantKind, wantText string, actions ...chromedp.Action[chromedp.Void]) string {
	b.t.Helper()
	// Forget the message of the change before, so that it cannot be taken
	// for this one's.
	b.do("clear the message", chromedp.Evaluate[chromedp.Void](`(f => { f.hidden = true; f.textContent = ""; delete f.dataset.kind; })(document.getElementById("flash"))`))
	b.do("act", actions...)
	deadline := time.Now().Add(timeout)
	for {
		// Errors while the page reloads are expected: try again.
		state, err := b.eval(`(f => document.readyState === "complete" && f && !f.hidden && f.textContent ? f.dataset.kind + "|" + f.textContent : "")(document.getElementById("flash"))`)
		if err == nil && state != "" {
			kind, text, _ := strings.Cut(state, "|")
			if kind != wantKind || !strings.Contains(text, wantText) {
				b.t.Fatalf("the page says %s %q, want %s containing %q", kind, text, wantKind, wantText)
			}
			return text
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the page said nothing within %v (want %s %q)", timeout, wantKind, wantText)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rowKeys returns the session keys of the rows the page shows, in order.
func (b *browser) rowKeys() []string {
	b.t.Helper()
	s, err := b.eval(`JSON.stringify(Array.from(document.querySelectorAll("#sessions tbody tr")).map(tr => tr.dataset.key))`)
	if err != nil {
		b.t.Fatal(err)
	}
	var keys []string
	if err := json.Unmarshal([]byte(s), &keys); err != nil {
		b.t.Fatal(err)
	}
	return keys
}

func row(key string) string { return `#sessions tr[data-key="` + key + `"] ` }

func archiveRow(key string) string { return `#archives tr:has(form[data-key="` + key + `"]) ` }

// getJSON GETs url (with a bearer token when not empty) into out.
func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", url, resp.StatusCode, b, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// control reads the sandbox's control API.
func control(t *testing.T, dashboard, path string, out any) {
	t.Helper()
	getJSON(t, dashboard+"_sandbox"+path, "", out)
}

// api reads an API route of the demo agent with the demo agent key.
func api(t *testing.T, dashboard, path string, out any) {
	t.Helper()
	getJSON(t, dashboard+"api/v1/agents/"+sandbox.DemoAgentID+path, sandbox.DemoAgentKey, out)
}

func demoAgent(t *testing.T, dashboard string) sandbox.AgentState {
	t.Helper()
	var st sandbox.State
	control(t, dashboard, "/state", &st)
	for _, a := range st.Agents {
		if a.ID == sandbox.DemoAgentID {
			return a
		}
	}
	t.Fatal("no demo agent in the state")
	return sandbox.AgentState{}
}

func findSession(a sandbox.AgentState, key string) (sandbox.SessionState, bool) {
	for _, s := range a.Sessions {
		if s.Key == key {
			return s, true
		}
	}
	return sandbox.SessionState{}, false
}

// terraformCLI is the CLI of the acceptance tests: TF_ACC_TERRAFORM_PATH
// (scripts/tf-env.sh sets it), else terraform on PATH.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("TF_ACC is set but terraform is not on PATH (or set TF_ACC_TERRAFORM_PATH)")
	}
	return p
}

// buildProvider builds the provider of this repository into a temp dir.
func buildProvider(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-guayaba"), ".")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the provider: %v\n%s", err, out)
	}
	return dir
}

// The guide's story: a session renamed and another archived on the page
// show up, in the API's listings and in `terraform plan`, as drift.
func TestAccDashboard_dashboardChangesAreDrift(t *testing.T) {
	skipUnlessAcc(t)
	b := newBrowser(t)
	tf := terraformCLI(t)
	providerDir := buildProvider(t)
	dashboard, _ := startSandbox(t, "--demo")

	// Terraform manages two sessions, with the labels they have.
	const (
		support  = "agent:main:telegram:group:-1001234567890:topic:42"
		visitor  = "agent:main:webchat:direct:visitor-7f3a"
		newLabel = "Support (renamed by hand)"
	)
	work := t.TempDir()
	config := fmt.Sprintf(`terraform {
  required_providers {
    guayaba = { source = "guayabadotrun/guayaba" }
  }
}

provider "guayaba" {}

resource "guayaba_session" "support" {
  key   = %q
  label = "Support group: topic 42"
}

resource "guayaba_session" "visitor" {
  key   = %q
  label = "Website visitor"
}
`, support, visitor)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(work, "dev.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"guayabadotrun/guayaba", providerDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	terraform := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
			"GUAYABA_BASE_URL="+dashboard+"api/v1", "GUAYABA_API_KEY="+sandbox.DemoAgentKey, "GUAYABA_AGENT_ID="+sandbox.DemoAgentID)
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("terraform %s: %v", args[0], err)
			}
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := terraform("apply", "-auto-approve", "-no-color"); code != 0 || !strings.Contains(out, "2 added, 0 changed, 0 destroyed") {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	}
	if out, code := terraform("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Fatalf("terraform plan before the dashboard: exit %d, want 0 (no changes)\n%s", code, out)
	}

	// On the page: rename with the keyboard (type, Enter), archive with a
	// click.
	b.do("open the dashboard", chromedp.EmulateViewport(1280, 960), chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.CSS("#sessions")))
	if keys := b.rowKeys(); !slices.Contains(keys, support) || !slices.Contains(keys, visitor) {
		t.Fatalf("the page lists %q", keys)
	}
	label := chromedp.CSS(row(support) + `input[name="label"]`)
	said := b.act("ok", "Renamed "+support, chromedp.Clear(label), chromedp.SendKeys(label, newLabel+kb.Enter))
	if !strings.Contains(said, "terraform plan") {
		t.Errorf("the page does not point at terraform plan: %q", said)
	}
	if v, err := b.eval(`document.querySelector('` + row(support) + `input[name="label"]').value`); err != nil || v != newLabel {
		t.Errorf("after the reload the label field shows %q (%v), want %q", v, err, newLabel)
	}
	if changed, err := b.eval(`Array.from(document.querySelectorAll("tr.changed")).map(tr => tr.dataset.key).join()`); err != nil || changed != support {
		t.Errorf("the rows marked changed: %q (%v), want %s", changed, err, support)
	}
	// The top of the page (typing scrolled to the row, and a reload keeps
	// the scroll position).
	b.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, shot)
	b.act("ok", "Archived "+visitor, chromedp.Click(chromedp.CSS(row(visitor)+`button[data-action="archive"]`)))
	if keys := b.rowKeys(); slices.Contains(keys, visitor) {
		t.Errorf("the archived session is still listed: %q", keys)
	}

	// The API lists both changes.
	var sessions []sandbox.Session
	api(t, dashboard, "/sessions", &sessions)
	var archives []sandbox.Archive
	api(t, dashboard, "/archives", &archives)
	var gotSupport *sandbox.Session
	for i, s := range sessions {
		switch s.Key {
		case support:
			gotSupport = &sessions[i]
		case visitor:
			t.Errorf("the API still lists %s as active", visitor)
		}
	}
	if gotSupport == nil || gotSupport.Label == nil || *gotSupport.Label != newLabel {
		t.Errorf("the API lists %s as %+v, want label %q", support, gotSupport, newLabel)
	}
	const visitorSessionID = "4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c"
	if !slices.ContainsFunc(archives, func(a sandbox.Archive) bool {
		return a.SessionID == visitorSessionID && a.Label != nil && *a.Label == "Website visitor"
	}) {
		t.Errorf("no archive of %s in %+v", visitor, archives)
	}

	// terraform plan shows both as drift, to be put back.
	out, code := terraform("plan", "-detailed-exitcode", "-no-color")
	if code != 2 {
		t.Fatalf("terraform plan after the dashboard: exit %d, want 2 (changes)\n%s", code, out)
	}
	for _, re := range []string{
		`# guayaba_session\.support will be updated in-place`,
		`~ label\s+= "` + regexp.QuoteMeta(newLabel) + `" -> "Support group: topic 42"`,
		`# guayaba_session\.visitor will be updated in-place`,
		`~ archived\s+= true -> false`,
		`Plan: 0 to add, 2 to change, 0 to destroy\.`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("terraform plan does not show %s:\n%s", re, out)
		}
	}
}

// saveScreenshot keeps the guide's screenshot: over the committed one with
// GUAYABA_UPDATE_SCREENSHOT=1, in a temp dir otherwise.
func saveScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || cfg.Width != 1280 || cfg.Height != 960 {
		t.Fatalf("the screenshot is not a 1280×960 PNG: %+v %v", cfg, err)
	}
	path := filepath.Join(t.TempDir(), "sandbox-dashboard.png")
	if os.Getenv("GUAYABA_UPDATE_SCREENSHOT") == "1" {
		_, file, _, _ := runtime.Caller(0)
		path = filepath.Join(filepath.Dir(file), "..", "..", "assets", "screenshots", "sandbox-dashboard.png")
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}

// Every other button of the page, each checked in the sandbox's state.
func TestAccDashboard_everyAction(t *testing.T) {
	skipUnlessAcc(t)
	b := newBrowser(t)
	dashboard, _ := startSandbox(t, "--demo")
	b.do("open the dashboard", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.CSS("#sessions")))

	// New chat: a key, a label, a first message.
	const chat = "agent:main:telegram:direct:555000111"
	b.do("open the new chat form", chromedp.Click(chromedp.CSS("#new-chat summary")))
	b.act("ok", "Started the chat "+chat,
		chromedp.SendKeys(chromedp.CSS(`#new-chat input[name="key"]`), chat),
		chromedp.SendKeys(chromedp.CSS(`#new-chat input[name="label"]`), "Made on the page"),
		chromedp.SetValue(chromedp.CSS(`#new-chat textarea[name="message"]`), "Hi from the dashboard"),
		chromedp.Click(chromedp.CSS(`#new-chat button[type="submit"]`)))
	s, ok := findSession(demoAgent(t, dashboard), chat)
	if !ok || s.Label == nil || *s.Label != "Made on the page" || s.ChatType != "direct" || s.LastChannel != "webchat" ||
		len(s.Messages) != 1 || s.Messages[0].Role != "user" || string(s.Messages[0].Content) != `"Hi from the dashboard"` {
		t.Fatalf("new chat: %+v", s)
	}
	if keys := b.rowKeys(); !slices.Equal(keys, []string{chat}) {
		t.Errorf("after a new chat the page shows %q, want the new chat alone", keys)
	}

	// A label another session holds: the page says why, nothing changes.
	label := chromedp.CSS(row(chat) + `input[name="label"]`)
	said := b.act("error", "label already in use: Main", chromedp.Clear(label), chromedp.SendKeys(label, "Main"+kb.Enter))
	if !strings.HasPrefix(said, "Not done:") {
		t.Errorf("error message %q", said)
	}
	if s, _ := findSession(demoAgent(t, dashboard), chat); s.Label == nil || *s.Label != "Made on the page" {
		t.Errorf("a refused rename changed the label: %+v", s.Label)
	}

	// Clear the label, then reset the conversation (confirmed).
	b.do("reload", chromedp.Reload())
	b.act("ok", "Cleared the label of "+chat, chromedp.Click(chromedp.CSS(row(chat)+`button[data-action="clear"]`)))
	if s, _ := findSession(demoAgent(t, dashboard), chat); s.Label != nil {
		t.Errorf("clear: label %q", *s.Label)
	}
	before, _ := findSession(demoAgent(t, dashboard), chat)
	b.act("ok", "New conversation in "+chat, chromedp.Click(chromedp.CSS(row(chat)+`button[data-action="reset"]`)))
	if s, _ := findSession(demoAgent(t, dashboard), chat); s.SessionID == before.SessionID || len(s.Messages) != 0 {
		t.Errorf("reset: session id %s (was %s), %d messages", s.SessionID, before.SessionID, len(s.Messages))
	}

	// The filter (an ordinary GET form): Enter in the search field.
	b.do("filter", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.CSS("#q")))
	b.do("type a filter", chromedp.SendKeys(chromedp.CSS("#q"), "TELEGRAM"+kb.Enter))
	deadline := time.Now().Add(timeout)
	for {
		keys := b.rowKeys()
		if len(keys) == 4 && !slices.ContainsFunc(keys, func(k string) bool { return !strings.Contains(k, "telegram") }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("filter telegram: the page shows %q", keys)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Delete a session (confirmed).
	b.do("all sessions", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.CSS("#sessions")))
	b.act("ok", "Deleted s-01hzx3k9q2", chromedp.Click(chromedp.CSS(row("s-01hzx3k9q2")+`button[data-action="delete"]`)))
	if _, ok := findSession(demoAgent(t, dashboard), "s-01hzx3k9q2"); ok {
		t.Error("delete: the session is still there")
	}

	// Restore an archive with another label; delete the other archive.
	const oldAPI = "api:0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"
	restoreLabel := chromedp.CSS(archiveRow(oldAPI) + `input[name="label"]`)
	b.act("ok", "Restored "+oldAPI+" as “Back from the archive”",
		chromedp.Clear(restoreLabel), chromedp.SendKeys(restoreLabel, "Back from the archive"),
		chromedp.Click(chromedp.CSS(archiveRow(oldAPI)+`button[type="submit"]:not([data-action])`)))
	a := demoAgent(t, dashboard)
	if s, ok := findSession(a, oldAPI); !ok || s.Label == nil || *s.Label != "Back from the archive" || len(a.Archives) != 1 {
		t.Errorf("restore: %+v, %d archives", s, len(a.Archives))
	}
	const whatsapp = "agent:main:whatsapp:direct:+34600111222"
	b.act("ok", "Deleted the archive of "+whatsapp, chromedp.Click(chromedp.CSS(archiveRow(whatsapp)+`button[data-action="delete-archive"]`)))
	if a := demoAgent(t, dashboard); len(a.Archives) != 0 {
		t.Errorf("delete archive: %d archives left", len(a.Archives))
	}

	// Stop and start the agent.
	b.act("ok", "Stopped the agent", chromedp.Click(chromedp.CSS(`.agent form[data-action="stop"] button`)))
	if demoAgent(t, dashboard).Running {
		t.Error("stop: the agent runs")
	}
	b.act("ok", "Started the agent", chromedp.Click(chromedp.CSS(`.agent form[data-action="start"] button`)))
	if !demoAgent(t, dashboard).Running {
		t.Error("start: the agent is stopped")
	}

	// Faults: a status for the next N calls of one route, then of every
	// route with a Retry-After; then clear them.
	b.act("ok", "The next 2 calls to sessions.list will answer 503",
		chromedp.SetValue(chromedp.CSS(`#faults select[name="route"]`), sandbox.RouteSessionsList),
		chromedp.SetValue(chromedp.CSS(`#faults select[name="status"]`), "503"),
		chromedp.SetValue(chromedp.CSS(`#faults input[name="count"]`), "2"),
		chromedp.Click(chromedp.CSS(`#faults form[data-action="fault"] button`)))
	var faults []sandbox.Fault
	control(t, dashboard, "/faults", &faults)
	if len(faults) != 1 || faults[0].Route != sandbox.RouteSessionsList || faults[0].Status != 503 || faults[0].Count != 2 {
		t.Errorf("faults %+v", faults)
	}
	b.act("ok", "The next 1 call to each route will answer 429",
		chromedp.SetValue(chromedp.CSS(`#faults select[name="route"]`), "*"),
		chromedp.SetValue(chromedp.CSS(`#faults select[name="status"]`), "429"),
		chromedp.SendKeys(chromedp.CSS(`#faults input[name="retryAfter"]`), "3"),
		chromedp.Click(chromedp.CSS(`#faults form[data-action="fault"] button`)))
	control(t, dashboard, "/faults", &faults)
	if len(faults) != 1+len(sandbox.Routes()) || !slices.ContainsFunc(faults, func(f sandbox.Fault) bool {
		return f.Route == sandbox.RouteArchivesDelete && f.Status == 429 && f.RetryAfter == "3"
	}) {
		t.Errorf("faults on every route: %+v", faults)
	}
	if text, err := b.eval(`document.getElementById("faults").textContent`); err != nil || !strings.Contains(text, "answer 429 Too Many Requests, Retry-After 3") {
		t.Errorf("the page does not list the queued faults: %q %v", text, err)
	}
	b.act("ok", "Cleared the faults", chromedp.Click(chromedp.CSS(`#faults form[data-action="clear-faults"] button`)))
	control(t, dashboard, "/faults", &faults)
	if len(faults) != 0 {
		t.Errorf("faults after clearing: %+v", faults)
	}

	// Rate limit.
	b.act("ok", "Rate limit: 30 requests a minute",
		chromedp.SetValue(chromedp.CSS(`#faults input[name="perMinute"]`), "30"),
		chromedp.SetValue(chromedp.CSS(`#faults input[name="burst"]`), "5"),
		chromedp.Click(chromedp.CSS(`#faults form[data-action="ratelimit"] button`)))
	var opts sandbox.Options
	control(t, dashboard, "/options", &opts)
	if opts.RateLimitPerMinute != 30 || opts.RateLimitBurst != 5 {
		t.Errorf("rate limit: %+v", opts)
	}

	// The counters count the API calls; reset them.
	var sessions []sandbox.Session
	api(t, dashboard, "/sessions", &sessions)
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#traffic")))
	if text, err := b.eval(`document.getElementById("traffic").textContent`); err != nil || !strings.Contains(text, "200 × 1") {
		t.Errorf("the traffic table does not show the listing: %q %v", text, err)
	}
	b.act("ok", "Counters reset", chromedp.Click(chromedp.CSS(`#traffic form[data-action="reset-counters"] button`)))
	var counters sandbox.Counters
	control(t, dashboard, "/counters", &counters)
	if counters.Total != 0 {
		t.Errorf("counters after reset: %+v", counters)
	}
	if text, err := b.eval(`document.querySelector("#traffic .hint").textContent`); err != nil || !strings.HasPrefix(text, "0 calls") {
		t.Errorf("traffic after reset: %q %v", text, err)
	}
}

// The first screen of an agent with 100,000 sessions, as a browser gets it:
// the times are printed (-v), not asserted (a loaded machine is slower).
func TestAccDashboard_firstScreenAt100000Sessions(t *testing.T) {
	skipUnlessAcc(t)
	b := newBrowser(t)
	started := time.Now()
	dashboard, _ := startSandbox(t, "--generate", "agents=1,sessions=100000")
	t.Logf("guayaba-sandbox --generate agents=1,sessions=100000 started in %v", time.Since(started).Round(time.Millisecond))
	for _, target := range []string{"", "?q=telegram", "?page=2000"} {
		start := time.Now()
		b.do("open "+target, chromedp.Navigate(dashboard+target), chromedp.WaitVisible(chromedp.CSS("#sessions tbody tr")))
		wall := time.Since(start)
		timing, err := b.eval(`(n => JSON.stringify({response: n.responseEnd - n.startTime, dom: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime,
			paint: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime || 0, bytes: n.transferSize}))(performance.getEntriesByType("navigation")[0])`)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]float64
		if err := json.Unmarshal([]byte(timing), &m); err != nil {
			t.Fatal(err)
		}
		count, err := b.eval(`document.querySelector("#sessions .count").textContent`)
		if err != nil || (target != "?q=telegram" && !strings.HasSuffix(count, "of 100,000 sessions")) {
			t.Fatalf("%s: the page counts %q (%v)", target, count, err)
		}
		t.Logf("GET /%s (%s): response %.0f ms, first contentful paint %.0f ms, DOM ready %.0f ms, load %.0f ms, %.0f kB; navigation to visible rows %v",
			target, count, m["response"], m["paint"], m["dom"], m["load"], m["bytes"]/1000, wall.Round(time.Millisecond))
	}
}
