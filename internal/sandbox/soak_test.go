package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The soak: a few thousand mixed calls (list, history, rename, archive,
// restore, delete, archive delete) from parallel clients, with faults
// (502, transient 503, 429, dropped connections, lost responses) injected
// all along, bounded in count and time. The state must end consistent:
// labels unique among active sessions, no conversation both active and
// archived or archived twice, every transcript intact, and only the
// sessions that were allowed to be deleted gone.

const (
	soakAgent    = "3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b"
	soakOwner    = "owner-1"
	soakWorkers  = 8
	soakCalls    = 400 // per worker
	soakSessions = 40
)

func TestSoakMixedCalls(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{ShuffleLists: true})
	sb.AddOwner(soakOwner, true)
	sb.AddAgent(soakOwner, soakAgent)
	key := sb.AddKey(sandbox.MasterKey(soakOwner)).Token

	// Every conversation, by session id: its key, transcript length, and
	// whether the soak may delete it.
	type conv struct {
		key       string
		messages  int
		deletable bool
	}
	convs := map[string]conv{}
	for i := 0; i < soakSessions; i++ {
		k := fmt.Sprintf("agent:main:telegram:direct:%d", 1000+i)
		msgs := make([]sandbox.Message, 1+i%7)
		for j := range msgs {
			msgs[j] = sandbox.TextMessage([]string{"user", "assistant"}[j%2], fmt.Sprintf("message %d of %s", j, k))
		}
		s, err := sb.AddSession(soakAgent, sandbox.SessionSpec{Key: k, Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		convs[s.SessionID] = conv{key: k, messages: len(msgs), deletable: i%5 == 0}
	}
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// Faults, injected while the workers run.
	stopFaults := make(chan struct{})
	var faultsDone sync.WaitGroup
	faultsDone.Add(1)
	go func() {
		defer faultsDone.Done()
		r := rand.New(rand.NewPCG(1, 2))
		routes := sandbox.Routes()
		for {
			select {
			case <-stopFaults:
				sb.ClearFaults()
				return
			case <-time.After(15 * time.Millisecond):
			}
			f := sandbox.Fault{Route: routes[r.IntN(len(routes))]}
			switch r.IntN(5) {
			case 0:
				f.Status = 502
			case 1:
				f.Status, f.Body = 503, `{"error":"Service Unavailable","message":"Try again later"}`
			case 2:
				f.Status, f.RetryAfter = 429, "0"
			case 3:
				f.Drop = true
			case 4:
				f.ApplyThenDrop = true
			}
			sb.InjectFault(f)
		}
	}()

	var calls, failed atomic.Int64
	var mu sync.Mutex
	unexpected := []error{}
	var wg sync.WaitGroup
	for w := 0; w < soakWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := client.New(client.Config{
				BaseURL: sb.URL(), APIKey: key, MaxRetries: new(4), RequestTimeout: 5 * time.Second,
				RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
			})
			if err != nil {
				t.Error(err)
				return
			}
			r := rand.New(rand.NewPCG(uint64(w), 7))
			// Expected answers to a race with another worker: the key or
			// archive is gone (404), the key is active again (409), the
			// label is taken (422); and a retried lost response that finds
			// its own change already made (404).
			allowed := func(err error) bool {
				return err == nil || errors.Is(err, client.ErrSessionNotFound) || errors.Is(err, client.ErrConflict) ||
					errors.Is(err, client.ErrValidation)
			}
			for i := 0; i < soakCalls && ctx.Err() == nil; i++ {
				calls.Add(1)
				var err error
				sessions, lerr := c.ListSessions(ctx, soakAgent)
				if lerr != nil {
					err = lerr
				} else {
					switch op := r.IntN(100); {
					case op < 20: // the listing was the call
						calls.Add(-1)
					case op < 35 && len(sessions) > 0:
						s := sessions[r.IntN(len(sessions))]
						var msgs []client.ChatMessage
						msgs, err = c.History(ctx, soakAgent, s.Key, 1000)
						if err == nil {
							if cv, ok := convs[s.SessionID]; ok && len(msgs) != cv.messages && len(msgs) != 0 {
								err = fmt.Errorf("history of %s: %d messages, want %d", s.Key, len(msgs), cv.messages)
							}
						}
					case op < 60 && len(sessions) > 0:
						s := sessions[r.IntN(len(sessions))]
						var label *string
						if r.IntN(4) > 0 {
							l := fmt.Sprintf("L%d", r.IntN(30))
							label = &l
						}
						err = c.Rename(ctx, soakAgent, s.Key, label)
					case op < 75 && len(sessions) > 0:
						err = c.Archive(ctx, soakAgent, sessions[r.IntN(len(sessions))].Key)
					case op < 92:
						archives, aerr := c.ListArchives(ctx, soakAgent)
						calls.Add(1)
						if aerr != nil || len(archives) == 0 {
							err = aerr
							break
						}
						a := archives[r.IntN(len(archives))]
						if convs[a.SessionID].deletable && r.IntN(4) == 0 {
							err = c.DeleteArchive(ctx, soakAgent, a.Filename)
							break
						}
						var label *string
						if r.IntN(2) == 0 {
							l := fmt.Sprintf("R%d", r.IntN(30))
							label = &l
						}
						err = c.Restore(ctx, soakAgent, a.Filename, label)
					default:
						for _, s := range sessions {
							if convs[s.SessionID].deletable {
								err = c.Delete(ctx, soakAgent, s.Key)
								break
							}
						}
					}
				}
				if allowed(err) {
					continue
				}
				failed.Add(1)
				// A call can still run out of retries when faults pile up
				// on one route; anything else is a bug.
				var te *client.TransportError
				if errors.As(err, &te) || errors.Is(err, client.ErrBadGateway) || errors.Is(err, client.ErrServer) ||
					errors.Is(err, client.ErrRateLimited) {
					continue
				}
				mu.Lock()
				unexpected = append(unexpected, err)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(stopFaults)
	faultsDone.Wait()
	if ctx.Err() != nil {
		t.Errorf("the soak did not finish within its time bound")
	}
	for _, err := range unexpected {
		t.Errorf("unexpected error: %v", err)
	}
	cnt := sb.Counters()
	t.Logf("%d calls from %d clients; %d gave up on injected faults; the sandbox answered %d requests: %v",
		calls.Load(), soakWorkers, failed.Load(), cnt.Total, cnt.ByRouteStatus)
	if cnt.Total < 2000 {
		t.Errorf("only %d requests: not a soak", cnt.Total)
	}

	// ---- invariants ----
	st := sb.Snapshot()
	var ag sandbox.AgentState
	for _, a := range st.Agents {
		if a.ID == soakAgent {
			ag = a
		}
	}
	labels := map[string]string{}
	seen := map[string]string{} // session id → where
	for _, s := range ag.Sessions {
		if s.Label != nil {
			if other, dup := labels[*s.Label]; dup {
				t.Errorf("label %q held by %s and %s", *s.Label, other, s.Key)
			}
			labels[*s.Label] = s.Key
		}
		cv, ok := convs[s.SessionID]
		switch {
		case !ok:
			t.Errorf("active session %s (%s) was never created by the test", s.Key, s.SessionID)
		case cv.key != s.Key:
			t.Errorf("conversation %s is active under key %s, want %s", s.SessionID, s.Key, cv.key)
		case len(s.Messages) != cv.messages:
			t.Errorf("session %s has %d messages, want %d", s.Key, len(s.Messages), cv.messages)
		}
		seen[s.SessionID] = "active " + s.Key
	}
	for _, a := range ag.Archives {
		cv, ok := convs[a.SessionID]
		if where, dup := seen[a.SessionID]; dup {
			t.Errorf("conversation %s is both %s and archived as %s", a.SessionID, where, a.Filename)
		}
		seen[a.SessionID] = "archived " + a.Filename
		switch {
		case !ok:
			t.Errorf("archive %s of an unknown conversation", a.Filename)
		case a.Key != cv.key || len(a.Messages) != cv.messages:
			t.Errorf("archive %s: key %s with %d messages, want %s with %d", a.Filename, a.Key, len(a.Messages), cv.key, cv.messages)
		}
	}
	gone := 0
	for id, cv := range convs {
		if _, ok := seen[id]; !ok {
			gone++
			if !cv.deletable {
				t.Errorf("conversation %s (%s) was lost: it is neither active nor archived", id, cv.key)
			}
		}
	}
	// The API shows what the state holds.
	c, _ := client.New(client.Config{BaseURL: sb.URL(), APIKey: key, MaxRetries: new(0)})
	list, err := c.ListSessions(context.Background(), soakAgent)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(list))
	for i, s := range list {
		keys[i] = s.Key
	}
	sort.Strings(keys)
	if len(keys) != len(ag.Sessions) {
		t.Errorf("the API lists %d sessions, the state holds %d", len(keys), len(ag.Sessions))
	}
	t.Logf("end state: %d active, %d archived, %d deleted (of %d deletable ones)", len(ag.Sessions), len(ag.Archives), gone, soakSessions/5)
}

// A write whose client gives up during a fault's Delay is abandoned, not
// applied when the delay ends (the body is read first, so the server
// notices the closed connection).
func TestFaultDelayAbandonsWrite(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{})
	sb.AddOwner(soakOwner, true)
	sb.AddAgent(soakOwner, soakAgent)
	key := sb.AddKey(sandbox.MasterKey(soakOwner)).Token
	if _, err := sb.AddSession(soakAgent, sandbox.SessionSpec{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Delay: 1500 * time.Millisecond})
	c, _ := client.New(client.Config{BaseURL: sb.URL(), APIKey: key, MaxRetries: new(0), RequestTimeout: 200 * time.Millisecond})
	l := "late"
	var te *client.TransportError
	if err := c.Rename(context.Background(), soakAgent, "k", &l); !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("want a timeout, got %v", err)
	}
	time.Sleep(2 * time.Second)
	if s, _ := sb.Session(soakAgent, "k"); s.Label != nil {
		t.Errorf("the abandoned rename was applied: label %q", *s.Label)
	}
	if n := sb.Counters().ByRouteStatus[sandbox.RouteSessionsRename][0]; n != 1 {
		t.Errorf("want the rename counted as abandoned (status 0), got %v", sb.Counters().ByRouteStatus)
	}
}
