package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Under the sandbox's random faults on one request in six (429, 500, 502,
// 503, 504, dropped connections, lost answers), every listing and every
// rename goes through within the default max_retries, and every fault
// costs exactly one more request. That request is the client's retry, or,
// for a listing whose reused connection closed without an answer, the one
// resend Go's transport makes on its own (a GET is replayable), which the
// client does not see as an attempt.
func TestSandboxRandomFaultsRetried(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, sandbox.Options{})
			rf := sandbox.RandomFaults{Probability: 1.0 / 6, Lost: 0.3, Drop: 0.1, Seed: seed}
			if _, err := w.sb.SetRandomFaults(rf); err != nil {
				t.Fatal(err)
			}
			c := w.client(t, w.master, func(cfg *client.Config) { cfg.MaxRetries = new(client.DefaultMaxRetries) })
			ctx := context.Background()
			for i := range 40 {
				if _, err := c.ListSessions(ctx, agentA); err != nil {
					t.Fatalf("listing %d: %v", i, err)
				}
				if err := c.Rename(ctx, agentA, "agent:main:main", strp(fmt.Sprintf("Storm %d", i))); err != nil {
					t.Fatalf("rename %d: %v", i, err)
				}
			}
			if s, _ := w.sb.Session(agentA, "agent:main:main"); s.Label == nil || *s.Label != "Storm 39" {
				t.Errorf("label %v, want the last rename's", s.Label)
			}
			cnt, st := w.sb.Counters(), c.Stats()
			const calls = 80
			injected := 0
			for _, m := range cnt.Injected {
				for _, n := range m {
					injected += n
				}
			}
			unanswered := cnt.Injected[sandbox.RouteSessionsList][sandbox.InjectedDrop] + cnt.Injected[sandbox.RouteSessionsList][sandbox.InjectedLost]
			resent := int64(cnt.Total) - st.Attempts
			if injected == 0 || cnt.Total != calls+injected || st.Attempts != calls+st.Retries || resent < 0 || resent > int64(unanswered) {
				t.Errorf("%d faults injected (%d listings unanswered), %d requests at the sandbox; the client made %d attempts, %d retries",
					injected, unanswered, cnt.Total, st.Attempts, st.Retries)
			}
			t.Logf("seed %d: %d requests, injected %v, lost %d", seed, cnt.Total, cnt.Injected, cnt.Lost)
		})
	}
}
