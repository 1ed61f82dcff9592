package provider

import (
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// A long transcript, 1,000 messages of 24 KB (about 24 MB on the wire, a
// support conversation with tool output), is read whole by the data source.
// On a tfWorkdir: the history calls are counted for one terraform apply.
func TestAccScale_historyDataSource24MB(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	a, provider := bigAgent(t, env, longHistory)
	w := newTFWorkdir(t, provider+hclBlock(`data "guayaba_session_history" "h"`,
		hclAttr("key", a.Sessions[0].Key), "limit = 1000")+`
output "count" { value = length(data.guayaba_session_history.h.messages) }
output "last" { value = length(data.guayaba_session_history.h.messages[999].text) }
output "first" { value = substr(data.guayaba_session_history.h.messages[0].text, 0, 15) }
`)
	c := countCalls(t, env, w, "apply", "-auto-approve", "-no-color")
	outs := w.outputs()
	if string(outs["count"]) != "1000" || string(outs["last"]) != "24576" || string(outs["first"]) != `"user message 1:"` {
		t.Errorf("read %s messages, the last of %s characters, the first starting %s; want 1000, 24576, \"user message 1:\"",
			outs["count"], outs["last"], outs["first"])
	}
	if n := c.ByRoute[sandbox.RouteSessionsHistory]; n < 1 || n > 2 {
		t.Errorf("apply read the history %d times, want once (twice when the plan reads it too)", n)
	}
}

// longHistory is an agent whose first session has 1,000 messages of 24 KB.
var longHistory = sandbox.GenerateOptions{SessionsPerAgent: 3, MessagesPerSession: 2, HistoryMessages: 1000,
	MessageBytes: 24576, Seed: 19}
