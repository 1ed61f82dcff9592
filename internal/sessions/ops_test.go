package sessions

import (
	"testing"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// A write whose response is lost (the platform applied it, the connection
// dropped) is judged by the listing: each succeeds, once.
func TestOps_lostResponses(t *testing.T) {
	forEachVariant(t, func(t *testing.T, e *env) {
		keys := e.sessions(4, true)
		ops := e.ops()
		lose := func(route string) { e.sb.InjectFault(sandbox.Fault{Route: route, ApplyThenDrop: true}) }

		lose("sessions.rename")
		r, _, err := ops.Locate(t.Context(), keys[0], "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ops.Converge(t.Context(), keys[0], r, ptr("renamed"), false); err != nil {
			t.Fatalf("rename with a lost response: %v", err)
		}
		if got := e.label(keys[0]); got != "renamed" {
			t.Errorf("label %s", got)
		}

		lose("sessions.archive")
		archived, err := ops.Converge(t.Context(), keys[1], Remote{Active: ptrSession(e, keys[1])}, ptr("label-0001"), true)
		if err != nil || archived.Archive == nil {
			t.Fatalf("archive with a lost response: %+v %v", archived, err)
		}

		lose("archives.restore")
		restored, err := ops.Converge(t.Context(), keys[1], archived, ptr("back"), false)
		if err != nil || restored.Active == nil || e.label(keys[1]) != "back" {
			t.Fatalf("restore with a lost response: %+v %v (label %s)", restored, err, e.label(keys[1]))
		}

		lose("sessions.delete")
		if err := ops.DeleteSession(t.Context(), *ptrSession(e, keys[2])); err != nil {
			t.Fatalf("delete with a lost response: %v", err)
		}
		if _, ok := e.sb.Session(agentID, keys[2]); ok {
			t.Error("session not deleted")
		}

		again, err := ops.Converge(t.Context(), keys[3], Remote{Active: ptrSession(e, keys[3])}, ptr("label-0003"), true)
		if err != nil {
			t.Fatal(err)
		}
		lose("archives.delete")
		if err := ops.DeleteArchive(t.Context(), *again.Archive); err != nil {
			t.Fatalf("archive delete with a lost response: %v", err)
		}
		if n := len(e.sb.Archives(agentID)); n != 0 {
			t.Errorf("%d archives left", n)
		}
		if f := e.sb.Faults(); len(f) != 0 {
			t.Errorf("faults not consumed: %+v", f)
		}
	})
}

func ptrSession(e *env, key string) *client.Session {
	s := e.active(key)
	return &s
}
