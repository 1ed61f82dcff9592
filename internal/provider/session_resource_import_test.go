package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// Import by every documented ID form, each followed by an empty plan.
func TestAccSession_import(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		env.session(testAgentID, groupKey, new("Imported"))
		archivedKey := "agent:main:webchat:direct:ana"
		env.session(testAgentID, archivedKey, new("Old chat"))
		filename, err := env.sb.ArchiveSession(testAgentID, archivedKey)
		must(t, err)
		cfg := env.config(sessionBlock{key: groupKey, label: new("Imported")})
		archivedCfg := env.config(sessionBlock{key: archivedKey, label: new("Old chat"), archived: true})
		noAgent := env.providerWithKey(env.masterKey) + sessionBlock{agentID: testAgentID, key: groupKey, label: new("Imported")}.String()
		empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: cfg},
				{Config: cfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateVerify: true,
					ImportStateId: testAgentID + "/" + groupKey},
				{Config: cfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateVerify: true,
					ImportStateId: groupKey},
				{Config: cfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
					ImportStateId: testAgentID + "/" + groupKey},
				{Config: cfg, ConfigPlanChecks: empty},
				{Config: noAgent, ResourceName: "guayaba_session.x", ImportState: true, ImportStateId: "no-agent-here",
					ExpectError: words(`(?s)not one of the accepted forms.*<agent_id>/<key>`)},
				{Config: cfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateId: testAgentID + "/agent:main:nope",
					ExpectError: words(`(?s)no active session with key.*accepted forms`)},
				{Config: cfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateId: "/",
					ExpectError: words(`accepted forms`)},
			},
		})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			Steps: []resource.TestStep{
				{Config: archivedCfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
					ImportStateId: testAgentID + "/" + archivedKey + "@" + filename},
				{Config: archivedCfg, ResourceName: "guayaba_session.x", ImportState: true, ImportStatePersist: true,
					ImportStateId: archivedKey + "@" + filename,
					ImportStateCheck: func(s []*terraform.InstanceState) error {
						a := s[0].Attributes
						if a["archived"] != "true" || a["archive_filename"] != filename || a["label"] != "Old chat" || a["key"] != archivedKey {
							return fmt.Errorf("imported archived session: %v", a)
						}
						return nil
					}},
				{Config: archivedCfg, ConfigPlanChecks: empty},
			},
		})
	})
}

// Importing an archived session records the archive as listed: its session
// id comes from the archive, not from its filename, whose shape the
// platform does not document (an assumed point of the behaviour contract).
func TestImportArchivedSessionKeepsTheListedArchive(t *testing.T) {
	ctx := context.Background()
	sb := sandbox.New(sandbox.Options{})
	sb.AddOwner("owner", true)
	sb.AddAgent("owner", testAgentID)
	const sessionID = "6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f"
	const filename = "archive-0001.jsonl" // no session id in it
	if _, err := sb.AddArchive(testAgentID, sandbox.ArchiveSpec{Key: "agent:main:webchat:direct:ana", SessionID: sessionID,
		Filename: filename, ArchivedAt: time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{BaseURL: srv.URL + "/api/v1", APIKey: sb.AddKey(sandbox.MasterKey("owner")).Token})
	if err != nil {
		t.Fatal(err)
	}

	r := &SessionResource{}
	r.data = newProviderData(c, testAgentID)
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	resp := fwresource.ImportStateResponse{State: tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}}
	r.ImportState(ctx, fwresource.ImportStateRequest{ID: "agent:main:webchat:direct:ana@" + filename}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("import: %v", resp.Diagnostics)
	}
	for attr, want := range map[string]string{"session_id": sessionID, "archive_filename": filename, "key": "agent:main:webchat:direct:ana"} {
		var got types.String
		resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root(attr), &got)...)
		if got.ValueString() != want {
			t.Errorf("%s = %q, want %q", attr, got.ValueString(), want)
		}
	}
}

// An import block with -generate-config-out writes a configuration that
// plans nothing once applied (on a tfWorkdir, which reads the file
// written; resource.Test's GenerateConfig mode neither shows nor applies it).
func TestAccSession_importGenerateConfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, variants["strict"])
	env.session(testAgentID, groupKey, new("Generated"))
	w := newTFWorkdir(t, env.provider()+fmt.Sprintf(`
import {
  to = guayaba_session.imported
  id = "%s/%s"
}
`, testAgentID, groupKey))
	w.must("plan", "-no-color", "-generate-config-out=generated.tf")
	gen := w.read("generated.tf")
	for _, want := range []string{`key`, groupKey, `label`, `"Generated"`, `on_destroy`} {
		if !strings.Contains(gen, want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, gen)
		}
	}
	w.must("apply", "-auto-approve", "-no-color")
	w.must("plan", "-no-color", "-detailed-exitcode")
	if c := env.sb.Counters(); c.ByRoute[sandbox.RouteSessionsRename] != 0 {
		t.Errorf("importing renamed the session: %v", c.ByRoute)
	}
}

// Import IDs the provider must refuse, saying which form it expects:
// an empty ID (on Terraform before 1.12, whose import sends no identity),
// and `<key>@<archive>` where the archive holds another conversation than
// the key's: the session id of another active session, or of none while
// the key names an active conversation. Nothing is written. A tfWorkdir:
// terraform import with an empty ID.
func TestAccSession_importRefused(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		const otherKey, archivedKey = "agent:main:webchat:direct:bea", "agent:main:webchat:direct:ana"
		env.session(testAgentID, groupKey, new("Group"))
		other := env.session(testAgentID, otherKey, new("Bea"))
		env.session(testAgentID, archivedKey, new("Ana"))
		anaFile, err := env.sb.ArchiveSession(testAgentID, archivedKey)
		must(t, err)
		// An archive whose conversation is also listed active, under otherKey.
		beaFile, err := env.sb.AddArchive(testAgentID, sandbox.ArchiveSpec{Key: otherKey, SessionID: other.SessionID,
			ArchivedAt: time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)})
		must(t, err)
		w := newTFWorkdir(t, env.config(sessionBlock{key: groupKey, label: new("Group")}))
		before := env.snapshot()
		for id, says := range map[string][]string{
			"": {"Invalid import ID", `The import ID "" is not one of the accepted forms`, "<agent_id>/<key>"},
			groupKey + "@" + beaFile.Filename: {"Archive of another session", `"` + beaFile.Filename + `"`,
				`"` + otherKey + `"`, `"` + groupKey + `"`},
			groupKey + "@" + anaFile: {"Archive of another session", `"` + anaFile + `"`, `"` + groupKey + `"`,
				"active"},
		} {
			out, err := w.run(nil, "import", "-no-color", "guayaba_session.x", id)
			if err == nil {
				t.Errorf("import %q succeeded:\n%s", id, out)
				continue
			}
			if strings.Contains(out, "Value Conversion Error") || strings.Contains(out, "provider developer") {
				t.Errorf("import %q: an internal error:\n%s", id, out)
			}
			expectSays(t, "import "+id, out, says...)
		}
		if err := expectUnchanged()(before, env.snapshot()); err != nil {
			t.Error(err)
		}
	})
}
