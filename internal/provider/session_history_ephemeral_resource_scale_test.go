package provider

import (
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The ephemeral reader reads a transcript of 1,000 messages of 24 KB whole
// (about 24 MB on the wire). On a tfWorkdir: the history calls are counted
// for one terraform apply.
func TestAccScale_historyEphemeral24MB(t *testing.T) {
	t.Parallel()
	ephemeralResources.skipWithout(t)
	env := newTestEnv(t, variants["strict"])
	a, provider := bigAgent(t, env, longHistory)
	w := newTFWorkdir(t, provider+hclBlock(`ephemeral "guayaba_session_history" "h"`,
		hclAttr("key", a.Sessions[0].Key), "limit = 1000")+`
locals {
  messages = ephemeral.guayaba_session_history.h.messages
}
resource "terraform_data" "read" {
  input = "run"
  lifecycle {
    precondition {
      condition     = length(local.messages) == 1000 && length(local.messages[999].text) == 24576
      error_message = "expected 1000 messages, the last of 24576 characters"
    }
  }
}
`)
	c := countCalls(t, env, w, "apply", "-auto-approve", "-no-color")
	if n := c.ByRoute[sandbox.RouteSessionsHistory]; n == 0 {
		t.Fatal("the ephemeral resource was never opened")
	}
}
