package sessions

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// holdListing starts a sessions listing that reads the platform's state at
// once but answers only when the returned func is called; that func waits
// for the listing to land.
func (e *env) holdListing() (release func()) {
	started, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/sessions") {
			return false
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			return false
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		close(started)
		<-held
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return true
	})
	done := make(chan error)
	go func() { _, err := e.agent().SessionList(e.t.Context()); done <- err }()
	<-started
	return func() {
		close(held)
		if err := <-done; err != nil {
			e.t.Fatal(err)
		}
	}
}

// threeSessionsHeldListing adds three unlabelled sessions and holds a
// listing of them (holdListing), counting requests from there; it returns
// the keys and session i as listed before.
func (e *env) threeSessionsHeldListing(i int) ([]string, client.Session, func()) {
	keys := e.sessions(3, false)
	cur := e.active(keys[i])
	e.sb.ResetCounters()
	return keys, cur, e.holdListing()
}

func TestListings_concurrentReadersShareOneListing(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(20, true)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				if _, ok, err := e.agent().Session(t.Context(), keys[i%20]); err != nil || !ok {
					t.Errorf("session %s: %t %v", keys[i%20], ok, err)
				}
			})
		}
		wg.Wait()
		if n := e.counts()["sessions.list"]; n != 1 {
			t.Errorf("50 concurrent readers made %d listings, want 1", n)
		}
	})
}

// A write that lands while a listing is in flight is not lost when that
// listing (which may not show it) lands afterwards.
func TestListings_writeDuringListingIsKept(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys, cur, release := e.threeSessionsHeldListing(0)
		if _, err := e.agent().Rename(t.Context(), cur, new("new")); err != nil {
			t.Fatal(err)
		}
		release()
		s, ok, err := e.agent().Session(t.Context(), keys[0])
		if err != nil || !ok || s.Label == nil || *s.Label != "new" {
			t.Fatalf("cached session after a rename during the listing: %+v %t %v", s, ok, err)
		}
		if h, _, _ := e.agent().holder(t.Context(), "", "new", 0); h != keys[0] {
			t.Errorf("holder of the new label: %q", h)
		}
		if n := e.counts()["sessions.list"]; n != 1 {
			t.Errorf("%d listings, want 1", n)
		}
	})
}

// A write is confirmed only by a listing that started after it completed,
// never by the one already in flight (the cache's generations).
func TestListings_confirmationStartsAfterTheWrite(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys, cur, release := e.threeSessionsHeldListing(1)
		done := make(chan error)
		go func() { done <- e.agent().DeleteSession(t.Context(), cur) }()
		select {
		case err := <-done:
			t.Fatalf("the delete was confirmed by a listing that started before it: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := e.counts()["sessions.list"]; n != 2 {
			t.Errorf("%d listings, want 2 (the one in flight, then the confirmation)", n)
		}
		if _, ok, _ := e.agent().Session(t.Context(), keys[1]); ok {
			t.Error("the deleted session is still cached")
		}
	})
}

// Writes completed before a listing starts share it: W archives, restores
// and archive deletions at parallelism P cost about one listing per wave.
func TestListings_sharedConfirmations(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		const n, p = 60, 10
		keys := e.sessions(n+40, true)[:n]
		agent := e.agent()
		bound := 2*((n+p-1)/p) + 4
		parallel := func(fn func(i int) error) {
			t.Helper()
			sem := make(chan struct{}, p)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					if err := fn(i); err != nil {
						t.Errorf("%s: %v", keys[i], err)
					}
				})
			}
			wg.Wait()
		}
		archives := make([]Remote, n)
		parallel(func(i int) error {
			r, ok, err := agent.Locate(t.Context(), keys[i], "", "")
			if err != nil || !ok {
				return err
			}
			archives[i], err = agent.Converge(t.Context(), keys[i], r, r.Label(), true)
			return err
		})
		c := e.counts()
		t.Logf("archive %d at parallelism %d: %v", n, p, c)
		if c["sessions.archive"] != n || c["archives.list"] > bound || c["sessions.list"] != 1 {
			t.Errorf("archives: want %d archive calls, at most %d archive listings and 1 session listing, got %v", n, bound, c)
		}
		if got := len(e.sb.Archives(agentID)); got != n {
			t.Fatalf("%d archives", got)
		}

		e.sb.ResetCounters()
		parallel(func(i int) error {
			_, err := agent.Converge(t.Context(), keys[i], archives[i], new("back "+keys[i]), false)
			return err
		})
		c = e.counts()
		t.Logf("restore %d at parallelism %d: %v", n, p, c)
		if c["archives.restore"] != n || c["sessions.list"] > bound || c["sessions.rename"] != 0 {
			t.Errorf("restores: want %d restores, at most %d session listings, no rename, got %v", n, bound, c)
		}
		for _, k := range keys {
			if got := e.label(k); got != "back "+k {
				t.Fatalf("%s: label %s after restore", k, got)
			}
		}

		e.sb.ResetCounters()
		parallel(func(i int) error {
			r, _, err := agent.Locate(t.Context(), keys[i], "", "")
			if err != nil {
				return err
			}
			return agent.DeleteSession(t.Context(), *r.Active)
		})
		c = e.counts()
		t.Logf("delete %d at parallelism %d: %v", n, p, c)
		if c["sessions.delete"] != n || c["sessions.list"] > bound {
			t.Errorf("deletes: want %d deletes and at most %d listings, got %v", n, bound, c)
		}
		if got := len(e.sb.Sessions(agentID)); got != 40 {
			t.Errorf("%d sessions left, want 40", got)
		}
	})
}
