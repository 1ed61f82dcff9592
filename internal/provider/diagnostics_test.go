package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// Each kind of failure gets its own explanation; only a write the listing
// did not confirm says "apply again" as the whole story.
func TestExplainAPIError(t *testing.T) {
	apiErr := func(status int, msg string) error {
		return &client.APIError{Op: "rename session", Method: "POST", Path: "/agents/a/sessions/rename",
			StatusCode: status, Category: "x", Message: msg, Attempts: 2}
	}
	cases := []struct {
		name      string
		err       error
		says      []string
		doesntSay []string
	}{
		{"non-JSON 200", &client.DecodeError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 200,
			Body: "<html>proxy</html>", Err: errors.New("want a JSON array")},
			[]string{"not the expected JSON", "base_url", "Nothing was changed"}, []string{"not confirmed"}},
		{"409", apiErr(409, "Session is busy"), []string{"409 Conflict", "Run terraform plan"}, nil},
		{"500", apiErr(500, "Server Error"), []string{"HTTP 500", "contact Guayaba support"}, nil},
		{"502", apiErr(502, "Failed to communicate with the agent container"), []string{"502 Bad Gateway", "running and healthy"}, nil},
		{"agent gone", apiErr(404, "Agent not found"), []string{"agent not found", "terraform state rm", "removed"}, nil},
		{"key held", fmt.Errorf("%w: the key is held", sessions.ErrKeyHeld),
			[]string{"another conversation holds", "archive or delete the other session"}, []string{"not confirmed"}},
		{"not confirmed", fmt.Errorf("%w: still active", sessions.ErrNotConfirmed), []string{"not confirmed", "apply again"}, nil},
		{"anything else", errors.New("boom"), []string{"unexpected error", "boom"}, []string{"not confirmed"}},
		{"redirect", &client.APIError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 301,
			Location: "https://elsewhere.example/api/v1/agents/a/sessions", Attempts: 1},
			[]string{"redirect", "never follows", "https://elsewhere.example/api/v1/agents/a/sessions", "base_url"}, nil},
		{"Retry-After too long", &client.APIError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 429,
			RetryAfter: time.Hour, RetryAfterMax: time.Minute, Attempts: 1},
			[]string{"longer than the provider waits", "wait 1h0m0s"}, []string{"after every retry"}},
	}
	for _, c := range cases {
		expectExplained(t, c.name, c.err, c.says, c.doesntSay)
	}
}

// expectExplained checks that the explanation of err says every phrase of
// says and none of doesntSay, and carries the error's own text.
func expectExplained(t *testing.T, name string, err error, says, doesntSay []string) {
	t.Helper()
	summary, detail := explainAPIError("agent-1", err)
	text := flat(summary + "\n" + detail)
	for _, s := range says {
		if !strings.Contains(text, s) {
			t.Errorf("%s: %q does not say %q", name, text, s)
		}
	}
	for _, s := range doesntSay {
		if strings.Contains(text, s) {
			t.Errorf("%s: %q says %q", name, text, s)
		}
	}
	if !strings.Contains(detail, err.Error()) {
		t.Errorf("%s: the detail does not carry the error itself", name)
	}
}

// The explanation states the attempts the call really made (max_retries may
// be 0, and a 501 is never retried), gives each piece of advice once (the
// client's text carries facts only), and explains a write the listing did
// not confirm as such, whatever operation made it.
func TestExplainAPIError_attemptsAndAdviceOnce(t *testing.T) {
	apiErr := func(status, attempts int) error {
		return &client.APIError{Op: "archive session", Method: "POST", Path: "/agents/a/sessions/archive",
			StatusCode: status, Category: "x", Message: "failed", Attempts: attempts}
	}
	cases := []struct {
		name      string
		err       error
		says      []string
		doesntSay []string
	}{
		{"502 retried", apiErr(502, 6), []string{"on all 6 attempts", "Raise `max_retries`"}, []string{"every attempt"}},
		{"502 without retries", apiErr(502, 1), []string{"on its only attempt"}, []string{"every attempt", "all 1"}},
		{"503 retried", apiErr(503, 3), []string{"on all 3 attempts", "raise `max_retries`"}, nil},
		{"500 retried", apiErr(500, 6), []string{"on all 6 attempts", "raise `max_retries`"}, []string{"does not retry"}},
		{"501 not retried", apiErr(501, 1), []string{"does not retry"}, []string{"every attempt", "max_retries"}},
		{"429", apiErr(429, 4), []string{"on all 4 attempts"}, []string{"every retry"}},
		{"no answer", &client.TransportError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", Attempts: 2,
			Err: errors.New("connection refused")}, []string{"no answer on all 2 attempts"}, nil},
		{"restore not confirmed", &sessions.NotConfirmedError{Change: "the restore of archive f",
			Instead: "no active session with session id s appeared"},
			[]string{"the change was not confirmed", "accepted the restore of archive f"}, []string{"failed before the platform answered"}},
	}
	for _, c := range cases {
		expectExplained(t, c.name, c.err, c.says, c.doesntSay)
	}
	redirect := &client.APIError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 302,
		Location: "https://elsewhere.example/login", Attempts: 1}
	summary, detail := explainAPIError("agent-1", redirect)
	for _, advice := range []string{"base_url", "never follows"} {
		if n := strings.Count(summary+detail, advice); n != 1 {
			t.Errorf("the redirect's explanation says %q %d times, want once:\n%s\n%s", advice, n, summary, detail)
		}
	}
}

// An answer that is the API's JSON but past one of the client's bounds is
// explained as the provider's bound, with what the user can do about that
// bound and that call, never as a wrong base_url; an answer that is not the
// API's JSON (another shape) is, and a list of the right shape with an entry
// the provider cannot take is neither.
func TestExplainAPIError_boundsAndShapes(t *testing.T) {
	listing := func(element string, bound client.Bound, limit, seen int64) error {
		op, path := "list sessions", "/agents/a/sessions"
		switch element {
		case "archive":
			op, path = "list archives", "/agents/a/archives"
		case "message":
			op, path = "read session history", "/agents/a/sessions/history"
		}
		return &client.LimitError{Op: op, Method: "GET", Path: path, StatusCode: 200, Bound: bound, Limit: limit, Seen: seen,
			Element: element, Index: 3, Read: 40 << 20}
	}
	notBaseURL := []string{"Check `base_url`", "points at something other than the API"}
	cases := []struct {
		name      string
		err       error
		says      []string
		doesntSay []string
	}{
		{"too many sessions", listing("session", client.BoundElements, client.MaxListingElements, client.MaxListingElements+1),
			[]string{"more sessions than the provider reads", "agent-1 has more than 200000 sessions", "no filter",
				"Archive or delete sessions", "guayaba_archive_session", "a bound of the provider", "nothing was changed",
				"list sessions: GET /agents/a/sessions", "the list has more than 200000 sessions"}, notBaseURL},
		{"too many archives", listing("archive", client.BoundElements, client.MaxListingElements, client.MaxListingElements+1),
			[]string{"more archives than the provider reads", "Delete archives", "guayaba_delete_archive"}, append(notBaseURL, "Archive or delete sessions")},
		{"too many messages", listing("message", client.BoundElements, client.MaxHistoryMessages, client.MaxHistoryMessages+1),
			[]string{"more than 10000 messages", "smaller `limit`", "Guayaba support"}, append(notBaseURL, "Archive or delete")},
		{"listing over 1 GiB", listing("session", client.BoundAnswerBytes, client.MaxAnswerBytes, client.MaxAnswerBytes+1),
			[]string{"larger than the provider reads", "larger than 1 GiB", "no filter", "Archive or delete sessions",
				"the answer is larger than the 1 GiB"}, notBaseURL},
		{"history over 1 GiB", listing("message", client.BoundAnswerBytes, client.MaxAnswerBytes, client.MaxAnswerBytes+1),
			[]string{"The history answer is larger than 1 GiB", "smaller `limit`"}, append(notBaseURL, "Archive or delete")},
		{"one huge session entry", listing("session", client.BoundElementBytes, client.MaxEntryBytes, client.MaxEntryBytes+1),
			[]string{"one session of the answer is larger", "Session 3 of the answer is larger than 4 MiB", "Guayaba support"},
			append(notBaseURL, "smaller `limit`")},
		{"one huge message", listing("message", client.BoundElementBytes, client.MaxMessageBytes, client.MaxMessageBytes+1),
			[]string{"Message 3 of the answer is larger than 8 MiB", "smaller `limit`"}, notBaseURL},
		{"deep nesting", listing("session", client.BoundDepth, client.MaxDepth, client.MaxDepth+1),
			[]string{"nests deeper than the provider reads", "deeper than 128 levels", "Guayaba support"}, notBaseURL},
		{"a login page", &client.DecodeError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 200,
			Body: "Sign in", Err: errors.New("want a JSON array")},
			[]string{"not the expected JSON", "base_url", "login page"}, []string{"a bound of the provider"}},
		{"data after the array", &client.DecodeError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions", StatusCode: 200,
			Err: errors.New("data after the JSON array")}, []string{"not the expected JSON", "base_url"}, nil},
		{"an entry of the wrong type", &client.DecodeError{Op: "list sessions", Method: "GET", Path: "/agents/a/sessions",
			StatusCode: 200, InElement: true, Err: errors.New(`session 2 of the list: session "k": updatedAt: want a number`)},
			[]string{"a list the provider cannot read", "not a fault in the configuration", "Guayaba support", "updatedAt"},
			notBaseURL},
	}
	for _, c := range cases {
		expectExplained(t, c.name, c.err, c.says, c.doesntSay)
	}
}
