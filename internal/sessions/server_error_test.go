package sessions

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// appliedThen500 makes the platform do the next n requests to a path
// ending in suffix and answer each of them 500, as a backend that fails
// after committing does. It returns the number of such answers so far.
func appliedThen500(e *env, suffix string, n int64) *atomic.Int64 {
	var hit atomic.Int64
	e.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) || hit.Load() >= n {
			return false
		}
		hit.Add(1)
		next.ServeHTTP(httptest.NewRecorder(), r)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":"Internal Server Error","message":"Server Error"}`)
		return true
	})
	return &hit
}

// A write answered 500 may have been done: the listing, not the answer,
// says whether it was. Whether the retry then succeeds (rename), meets a
// 4xx of its own success (archive: 404, restore: 409), or every attempt is
// answered 500 (delete), the write is judged done when the listing shows
// it.
func TestWrites_serverErrorAfterTheWrite(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(3, true)
		ops := e.agent()
		ctx := t.Context()

		// Every attempt (max_retries 2: three) is done and answered 500.
		hit := appliedThen500(e, "/sessions/rename", 3)
		got, err := ops.Rename(ctx, e.active(keys[0]), new("renamed"))
		if err != nil || got.Label == nil || *got.Label != "renamed" || e.label(keys[0]) != "renamed" {
			t.Fatalf("rename answered 500 on every attempt after doing it: %+v %v (label %s)", got, err, e.label(keys[0]))
		}
		if hit.Load() != 3 {
			t.Errorf("%d renames answered 500, want 3", hit.Load())
		}

		// The first attempt archives and is answered 500; the retry finds
		// the key gone.
		c0 := e.counts()
		appliedThen500(e, "/sessions/archive", 1)
		archive, err := ops.Archive(ctx, e.active(keys[1]))
		if err != nil || archive.Filename == "" {
			t.Fatalf("archive answered 500 after doing it, then retried: %+v %v", archive, err)
		}
		// The first attempt restores and is answered 500; the retry finds
		// the key held by the restored session itself.
		appliedThen500(e, "/archives/restore", 1)
		restored, err := ops.Restore(ctx, keys[1], archive, new("back"))
		if err != nil || e.label(keys[1]) != "back" {
			t.Fatalf("restore answered 500 after doing it, then retried: %+v %v (label %s)", restored, err, e.label(keys[1]))
		}
		for _, route := range []string{sandbox.RouteSessionsArchive, sandbox.RouteArchivesRestore} {
			if n := e.counts()[route] - c0[route]; n != 2 {
				t.Errorf("%d %s requests, want 2: the one answered 500 and its retry", n, route)
			}
		}

		appliedThen500(e, "/sessions/delete", 3)
		if err := ops.DeleteSession(ctx, e.active(keys[2])); err != nil {
			t.Fatalf("delete answered 500 on every attempt after doing it: %v", err)
		}
		if _, ok := e.sb.Session(agentID, keys[2]); ok {
			t.Error("the session is still active")
		}
		if n := len(e.sb.Archives(agentID)); n != 0 {
			t.Errorf("%d archives, want none: one archive and one restore", n)
		}
	})
}

// A write answered 500 on every attempt without being done fails with
// the 500, and nothing changed.
func TestWrites_serverErrorNotApplied(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(1, true)
		ops := e.agent()
		before := e.counts()[sandbox.RouteSessionsRename]
		e.sb.InjectFault(sandbox.Fault{Route: sandbox.RouteSessionsRename, Status: http.StatusInternalServerError, Count: 3})
		_, err := ops.Rename(t.Context(), e.active(keys[0]), new("renamed"))
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Attempts != 3 || !MayHaveApplied(err) {
			t.Fatalf("want the third 500, which may have applied, got %v", err)
		}
		if got := e.label(keys[0]); got != "label-0000" {
			t.Errorf("label %s, want it unchanged", got)
		}
		if n := e.counts()[sandbox.RouteSessionsRename] - before; n != 3 {
			t.Errorf("%d rename requests, want 3 (max_retries 2)", n)
		}
	})
}
