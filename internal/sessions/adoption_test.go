package sessions

import (
	"errors"
	"sync"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// CheckAdoption answers what apply's adoption would meet: the key active,
// not active, or the agent's listing refused, each as a typed error.
func TestCheckAdoption(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(2, true)
		if _, err := e.sb.ArchiveSession(agentID, keys[1]); err != nil {
			t.Fatal(err)
		}
		const stopped, other = "5b0c9d8e-7f6a-4b3c-8d2e-1f0a9b8c7d6e", "8a6e0f4c-2b1d-4e3f-9a7b-6c5d4e3f2a1b"
		e.sb.AddAgent("owner", stopped)
		e.sb.SetAgentRunning(stopped, false)
		e.sb.AddAgent("owner", other)
		readOnly := e.clientWithKey(e.sb.AddKey(sandbox.AgentKey(agentID, sandbox.ScopeChat)).Token)
		otherAgents := e.clientWithKey(e.sb.AddKey(sandbox.AgentKey(other, sandbox.ScopeManage)).Token)
		cases := []struct {
			name  string
			c     *client.Client
			agent string
			key   string
			want  error // nil: adoptable
		}{
			{"active key", e.client, agentID, keys[0], nil},
			{"unknown key", e.client, agentID, "agent:main:telegram:direct:404", ErrNoActiveSession},
			// An archive carries no key: its session is not adoptable (it
			// comes in by import).
			{"archived key", e.client, agentID, keys[1], ErrNoActiveSession},
			{"stopped agent", e.client, stopped, keys[0], client.ErrAgentNotRunning},
			{"unknown agent", e.client, "00000000-0000-4000-8000-000000000000", keys[0], client.ErrAgentNotFound},
			{"agent key of another agent", otherAgents, agentID, keys[0], client.ErrOtherAgent},
			// The listing needs agent:manage as every Sessions call does, so
			// the scope is known without writing.
			{"key without agent:manage", readOnly, agentID, keys[0], client.ErrScope},
		}
		for _, c := range cases {
			err := newAgents(c.c).Agent(c.agent).CheckAdoption(t.Context(), c.key)
			switch {
			case c.want == nil && err != nil:
				t.Errorf("%s: want adoptable, got %v", c.name, err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("%s: want %v, got %v", c.name, c.want, err)
			}
			var na *NoActiveSessionError
			if errors.As(err, &na) && (na.AgentID != c.agent || na.Key != c.key) {
				t.Errorf("%s: the error names agent %s and key %q", c.name, na.AgentID, na.Key)
			}
		}
		c := e.sb.Counters()
		for route, n := range c.ByRoute {
			if route != sandbox.RouteSessionsList {
				t.Errorf("the checks called %s %d times: they only list", route, n)
			}
		}
	})
}

// Checking many keys of one agent, at once as Terraform plans them, costs
// one listing: the agent's cached one.
func TestCheckAdoption_oneListingPerAgent(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(30, false)
		keys = append(keys, "agent:main:telegram:direct:404")
		a := e.agent()
		var wg sync.WaitGroup
		errs := make([]error, len(keys))
		for i, k := range keys {
			wg.Go(func() { errs[i] = a.CheckAdoption(t.Context(), k) })
		}
		wg.Wait()
		for i, err := range errs[:len(errs)-1] {
			if err != nil {
				t.Errorf("%s: %v", keys[i], err)
			}
		}
		if !errors.Is(errs[len(errs)-1], ErrNoActiveSession) {
			t.Errorf("missing key: %v", errs[len(errs)-1])
		}
		// A read of the same walk after the checks lists nothing more.
		if _, _, err := a.Session(t.Context(), keys[0]); err != nil {
			t.Fatal(err)
		}
		if c := e.counts(); c[sandbox.RouteSessionsList] != 1 || len(c) != 1 {
			t.Errorf("want one sessions listing and nothing else, got %v", c)
		}
	})
}
