package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The ephemeral reader is opened during the run, and no message text
// reaches the state or plan files (read on a tfWorkdir).
func TestAccSessionHistory_ephemeralNotInState(t *testing.T) {
	t.Parallel()
	ephemeralResources.skipWithout(t)
	env := newTestEnv(t, variants["strict"])
	seedData(t, env)
	w := newTFWorkdir(t, env.provider()+`
ephemeral "guayaba_session_history" "h" {
  key = "agent:main:telegram:group:-100200:topic:7"
}
locals {
  replies = [for m in ephemeral.guayaba_session_history.h.messages : m.text if m.role == "assistant"]
}
resource "terraform_data" "count" {
  input = "run"
  lifecycle {
    precondition {
      condition     = length(local.replies) == 1
      error_message = "expected one reply"
    }
  }
}
`)
	w.must("plan", "-no-color", "-out=run.tfplan")
	w.must("apply", "-auto-approve", "-no-color")
	if n := env.sb.Counters().ByRoute[sandbox.RouteSessionsHistory]; n == 0 {
		t.Fatal("the ephemeral resource was never opened")
	}
	files := w.planFileTexts("run.tfplan")
	// The plan holds the configuration (so the search reads the unzipped
	// entries), but none of the messages it read.
	sawConfig := false
	for _, text := range files {
		sawConfig = sawConfig || strings.Contains(text, `ephemeral "guayaba_session_history" "h"`)
	}
	if !sawConfig {
		t.Errorf("no entry of run.tfplan holds the configuration: %d entries read", len(files)-1)
	}
	files["terraform.tfstate"] = w.read("terraform.tfstate")
	for where, text := range files {
		for _, secret := range []string{"¿Precio?", "10 €", "gracias", "calcular", "sin IVA"} {
			if strings.Contains(text, secret) {
				t.Errorf("message text %q found in %s", secret, where)
			}
		}
	}
}

// The ephemeral reader gives the same messages (seen through the echo
// provider) and leaves no message text in the state file.
func TestAccSessionHistory_ephemeral(t *testing.T) {
	forEachVariant(t, func(t *testing.T, env *testEnv) {
		seedData(t, env)
		factories := map[string]func() (tfprotov6.ProviderServer, error){
			"guayaba": providerFactories["guayaba"],
			"echo":    echoprovider.NewProviderServer(),
		}
		echoCfg := env.provider() + `
ephemeral "guayaba_session_history" "h" {
  key   = "agent:main:telegram:group:-100200:topic:7"
  limit = 2
}
provider "echo" { data = [for m in ephemeral.guayaba_session_history.h.messages : m.text] }
resource "echo" "seen" {}
`
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{ephemeralResources},
			Steps: []resource.TestStep{
				{
					Config: echoCfg,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("echo.seen", attr("data"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("10 €\nsin IVA"), knownvalue.StringExact("gracias"),
						})),
					},
				},
				{
					Config:      env.provider() + `ephemeral "guayaba_session_history" "x" { key = "agent:main:telegram:direct:nobody" }`,
					ExpectError: words(`(?s)Session not found`),
				},
			},
		})
	})
}

// An invalid limit fails at plan time, naming the attribute, without an API
// call.
func TestAccSessionHistory_ephemeralInvalidInput(t *testing.T) {
	t.Parallel()
	ephemeralResources.skipWithout(t)
	env := newTestEnv(t, variants["strict"])
	expectPlanTimeErrors(t, env, map[string]planTimeError{
		"ephemeral limit": {env.provider() + "ephemeral \"guayaba_session_history\" \"x\" {\n key = \"k\"\n limit = 5000\n}", `(?s)limit.*between 1 and 1000`},
	})
}
