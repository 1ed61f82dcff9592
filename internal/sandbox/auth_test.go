package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	revoked := e.sb.AddKey(Key{OwnerID: DemoOwnerID, Revoked: true})
	expired := e.sb.AddKey(Key{AgentID: DemoAgentID, Scopes: []string{ScopeManage}, ExpiresAt: time.Now().Add(-time.Minute)})
	future := e.sb.AddKey(Key{AgentID: DemoAgentID, Scopes: []string{ScopeManage}, ExpiresAt: time.Now().Add(time.Hour)})
	agent2Key := e.sb.AddKey(AgentKey(DemoAgentID2, ScopeManage))
	otherMaster := e.sb.AddKey(MasterKey(otherOwner))

	tests := []struct {
		name   string
		token  string
		agent  string
		status int
		body   string
	}{
		{"missing key", "", DemoAgentID, 401, body401},
		{"unknown key", MasterKeyPrefix + "ffffffffffffffffffffffffffffffffffffffffffffffff", DemoAgentID, 401, body401},
		{"revoked key", revoked.Token, DemoAgentID, 401, body401},
		{"expired key", expired.Token, DemoAgentID, 401, body401},
		{"not yet expired key", future.Token, DemoAgentID, 200, ""},
		{"agent key without agent:manage", DemoReadOnlyKey, DemoAgentID, 403, body403Scope},
		{"agent key on another agent", DemoAgentKey, DemoAgentID2, 403, body403Agent},
		{"agent key on unknown agent", DemoAgentKey, "no-such-agent", 403, body403Agent},
		{"agent key on its agent", DemoAgentKey, DemoAgentID, 200, ""},
		{"agent key of agent 2", agent2Key.Token, DemoAgentID2, 200, ""},
		{"master key", DemoMasterKey, DemoAgentID2, 200, ""},
		{"master key on another owner's agent", DemoMasterKey, otherAgent, 404, body404Agent},
		{"master key on unknown agent", DemoMasterKey, "no-such-agent", 404, body404Agent},
		{"other owner's master key", otherMaster.Token, otherAgent, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, "GET", e.base+"/agents/"+tc.agent+"/sessions", tc.token, nil)
			expect(t, r, tc.status, tc.body)
		})
	}
}

func TestAuthOnEveryRoute(t *testing.T) {
	t.Parallel()
	for _, rc := range allRoutes() {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, Options{})
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, "", rc.body), 401, body401)
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, DemoReadOnlyKey, rc.body), 403, body403Scope)
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID2+rc.path, DemoAgentKey, rc.body), 403, body403Agent)
			expect(t, call(t, rc.method, e.base+"/agents/nope"+rc.path, DemoMasterKey, rc.body), 404, body404Agent)
			e.sb.SetAgentRunning(DemoAgentID, false)
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, DemoMasterKey, rc.body), 503, body503)
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, DemoAgentKey, rc.body), 503, body503)
			// The key is still checked first on a stopped agent.
			expect(t, call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, DemoReadOnlyKey, rc.body), 403, body403Scope)
			e.sb.SetAgentRunning(DemoAgentID, true)
			r := call(t, rc.method, e.base+"/agents/"+DemoAgentID+rc.path, DemoAgentKey, rc.body)
			if r.status != http.StatusOK {
				t.Fatalf("after start: %d %s", r.status, r.body)
			}
		})
	}
}

func TestCheckOrder(t *testing.T) {
	t.Parallel()
	t.Run("revoked key and no subscription: 401 first", func(t *testing.T) {
		t.Parallel()
		e := start(t, Options{})
		k := e.sb.AddKey(Key{OwnerID: DemoOwnerID, Revoked: true})
		e.sb.SetSubscription(DemoOwnerID, false)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", k.Token, nil), 401, body401)
	})
	t.Run("no subscription and missing scope: subscription first", func(t *testing.T) {
		t.Parallel()
		e := start(t, Options{})
		e.sb.SetSubscription(DemoOwnerID, false)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoReadOnlyKey, nil), 403, body403Sub)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoMasterKey, nil), 403, body403Sub)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID2+"/sessions", DemoAgentKey, nil), 403, body403Sub)
		e.sb.SetSubscription(DemoOwnerID, true)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoReadOnlyKey, nil), 403, body403Scope)
	})
	t.Run("subscription before stopped agent", func(t *testing.T) {
		t.Parallel()
		e := start(t, Options{})
		e.sb.SetSubscription(DemoOwnerID, false)
		e.sb.SetAgentRunning(DemoAgentID, false)
		expect(t, call(t, "GET", e.base+"/agents/"+DemoAgentID+"/sessions", DemoMasterKey, nil), 403, body403Sub)
	})
	t.Run("authorisation before validation", func(t *testing.T) {
		t.Parallel()
		e := start(t, Options{})
		expect(t, call(t, "POST", e.base+"/agents/"+DemoAgentID+"/sessions/rename", DemoReadOnlyKey, map[string]any{}), 403, body403Scope)
		e.sb.SetAgentRunning(DemoAgentID, false)
		expect(t, call(t, "POST", e.base+"/agents/"+DemoAgentID+"/sessions/rename", DemoMasterKey, map[string]any{}), 503, body503)
	})
}

func TestKeyShapes(t *testing.T) {
	t.Parallel()
	sb := New(Options{})
	sb.AddAgent("o", "a")
	m := sb.AddKey(MasterKey("o"))
	a := sb.AddKey(AgentKey("a"))
	if len(m.Token) != 57 || m.Token[:9] != MasterKeyPrefix {
		t.Errorf("master key %q", m.Token)
	}
	if len(a.Token) != 56 || a.Token[:8] != AgentKeyPrefix || a.OwnerID != "o" {
		t.Errorf("agent key %+v", a)
	}
	if !a.HasScope(ScopeRead) || a.HasScope(ScopeManage) || !m.HasScope(ScopeManage) {
		t.Errorf("scopes: agent %v master %v", a.Scopes, m.Scopes)
	}
	for _, k := range []string{DemoMasterKey, DemoAgentKey, DemoReadOnlyKey} {
		if n := len(k); n != 57 && n != 56 {
			t.Errorf("demo key %q has length %d", k, n)
		}
	}
	if !sb.RevokeKey(m.Token) || sb.RevokeKey("nope") {
		t.Error("RevokeKey")
	}
}
