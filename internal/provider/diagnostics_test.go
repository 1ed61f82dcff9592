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
		summary, detail := explainAPIError("agent-1", c.err)
		text := summary + "\n" + detail
		for _, s := range c.says {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q does not say %q", c.name, text, s)
			}
		}
		for _, s := range c.doesntSay {
			if strings.Contains(text, s) {
				t.Errorf("%s: %q says %q", c.name, text, s)
			}
		}
		if !strings.Contains(detail, c.err.Error()) {
			t.Errorf("%s: the detail does not carry the error itself", c.name)
		}
	}
}
