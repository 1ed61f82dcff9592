package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The CLI under test: Terraform or OpenTofu, whichever binary
// TF_ACC_TERRAFORM_PATH names (terraform on PATH when unset). scripts/tf-env.sh
// sets it from TERRAFORM; `make test-matrix` runs the suite once per CLI.

// cliFlavor names the program behind the binary: its `version` output starts
// with it.
type cliFlavor string

const (
	flavorTerraform cliFlavor = "Terraform"
	flavorOpenTofu  cliFlavor = "OpenTofu"
)

// testCLI is the CLI the acceptance tests run, set by selectCLI.
var testCLI struct {
	path    string
	flavor  cliFlavor
	version *version.Version
}

// selectCLI finds the CLI, reads its flavor and version, and points
// terraform-plugin-testing at it. OpenTofu resolves a provider without a
// host to registry.opentofu.org, so the in-process provider must be served
// under that host (TF_ACC_PROVIDER_HOST) for OpenTofu to find it.
func selectCLI() error {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return fmt.Errorf("TF_ACC is set but terraform is not on PATH: the acceptance tests need Terraform >= 1.5 or OpenTofu >= 1.6 " +
				"(terraform on PATH, or TF_ACC_TERRAFORM_PATH=/path/to/terraform-or-tofu)")
		}
		path = p
	}
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s version: %v (TF_ACC_TERRAFORM_PATH must name a Terraform or OpenTofu binary)", path, err)
	}
	flavor, v, err := parseCLIVersion(string(out))
	if err != nil {
		return fmt.Errorf("%s version: %v", path, err)
	}
	testCLI.path, testCLI.flavor, testCLI.version = path, flavor, v
	os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	if flavor == flavorOpenTofu && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	fmt.Fprintf(os.Stderr, "acceptance tests: %s v%s (%s)\n", flavor, v, path)
	return nil
}

// parseCLIVersion reads the first line of `terraform version` or `tofu
// version`: "Terraform v1.15.9" or "OpenTofu v1.12.6".
func parseCLIVersion(out string) (cliFlavor, *version.Version, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	name, ver, ok := strings.Cut(strings.TrimSpace(first), " v")
	if !ok {
		return "", nil, fmt.Errorf("unexpected output %q", first)
	}
	flavor := cliFlavor(name)
	if flavor != flavorTerraform && flavor != flavorOpenTofu {
		return "", nil, fmt.Errorf("neither Terraform nor OpenTofu: %q", first)
	}
	v, err := version.NewVersion(ver)
	if err != nil {
		return "", nil, fmt.Errorf("version in %q: %v", first, err)
	}
	return flavor, v, nil
}

// cliFeature is a CLI feature some tests need, with the first version of
// each CLI that has it ("" = OpenTofu does not have it).
type cliFeature struct {
	name      string
	terraform string
	opentofu  string
}

// Features gated by CLI version, each declared here once. The README's
// compatibility table lists the same minimums.
var (
	// mock_provider in `terraform test`: Terraform 1.7, OpenTofu 1.8.
	mockProviders = cliFeature{name: "mock_provider in tests", terraform: "1.7.0", opentofu: "1.8.0"}
	// Provider-defined functions: Terraform 1.8, OpenTofu 1.7.
	providerFunctions = cliFeature{name: "provider-defined functions", terraform: "1.8.0", opentofu: "1.7.0"}
	// Ephemeral resources: Terraform 1.10, OpenTofu 1.11.
	ephemeralResources = cliFeature{name: "ephemeral resources", terraform: "1.10.0", opentofu: "1.11.0"}
	// Resource identity and import blocks by identity: Terraform 1.12 and
	// OpenTofu 1.12 (both pass these tests).
	resourceIdentity = cliFeature{name: "resource identity", terraform: "1.12.0", opentofu: "1.12.0"}
	// List resources and terraform query: Terraform 1.14; not in OpenTofu.
	listResources = cliFeature{name: "list resources (terraform query)", terraform: "1.14.0"}
	// Actions (apply -invoke): Terraform 1.14; not in OpenTofu.
	actions = cliFeature{name: "actions", terraform: "1.14.0"}
)

// missing says why the CLI lacks the feature, or "" when it has it.
// Prereleases count as their release, as in tfversion.SkipBelow.
func (f cliFeature) missing(flavor cliFlavor, v *version.Version) string {
	minimum := f.terraform
	if flavor == flavorOpenTofu {
		minimum = f.opentofu
	}
	if minimum == "" {
		return fmt.Sprintf("%s v%s: OpenTofu has no %s", flavor, v, f.name)
	}
	if v.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		return fmt.Sprintf("%s v%s is below %s, the first with %s", flavor, v, minimum, f.name)
	}
	return ""
}

// CheckTerraformVersion makes a feature a tfversion check for
// resource.TestCase.TerraformVersionChecks: the test skips (never fails) on a
// CLI without the feature, Terraform or OpenTofu.
func (f cliFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if why := f.missing(testCLI.flavor, req.TerraformVersion); why != "" {
		resp.Skip = why + ": skipping test"
	}
}

// skipWithout is the same check for the tests that run the CLI themselves.
func (f cliFeature) skipWithout(t testing.TB) {
	t.Helper()
	skipUnlessAcc(t)
	if why := f.missing(testCLI.flavor, testCLI.version); why != "" {
		t.Skip(why + ": skipping test")
	}
}

// skipUnlessAcc gates the tests that run the CLI themselves as
// terraform-plugin-testing gates resource.Test: they run only with TF_ACC.
func skipUnlessAcc(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
}

// The CLI's flavor and version come from the first line of `version`.
func TestParseCLIVersion(t *testing.T) {
	for _, c := range []struct {
		out     string
		flavor  cliFlavor
		version string
	}{
		{"Terraform v1.11.4\non linux_amd64\n", flavorTerraform, "1.11.4"},
		{"Terraform v1.15.9\non linux_amd64\n\nYour version of Terraform is out of date!", flavorTerraform, "1.15.9"},
		{"OpenTofu v1.12.6\non linux_amd64\n", flavorOpenTofu, "1.12.6"},
		{"OpenTofu v1.12.6-dev\non linux_amd64\n", flavorOpenTofu, "1.12.6-dev"},
	} {
		flavor, v, err := parseCLIVersion(c.out)
		if err != nil || flavor != c.flavor || v.String() != c.version {
			t.Errorf("parseCLIVersion(%q) = %s, %v, %v; want %s %s", c.out, flavor, v, err, c.flavor, c.version)
		}
	}
	for _, bad := range []string{"", "Terragrunt v0.50.0", "Terraform 1.11.4", "OpenTofu vnext"} {
		if _, _, err := parseCLIVersion(bad); err == nil {
			t.Errorf("parseCLIVersion(%q) accepted", bad)
		}
	}
}

// A feature's minimum is per CLI: OpenTofu 1.10 is at or above Terraform's
// 1.10 but has no ephemeral resources, so the test must skip there.
func TestCLIFeature_missing(t *testing.T) {
	noTofu := cliFeature{name: "actions", terraform: "1.14.0"}
	for _, c := range []struct {
		feature cliFeature
		flavor  cliFlavor
		version string
		skip    bool
	}{
		{ephemeralResources, flavorTerraform, "1.9.8", true},
		{ephemeralResources, flavorTerraform, "1.10.0-rc1", false},
		{ephemeralResources, flavorTerraform, "1.11.4", false},
		{ephemeralResources, flavorTerraform, "1.15.9", false},
		{ephemeralResources, flavorOpenTofu, "1.10.5", true},
		{ephemeralResources, flavorOpenTofu, "1.11.0", false},
		{ephemeralResources, flavorOpenTofu, "1.12.6", false},
		{mockProviders, flavorTerraform, "1.7.0", false},
		{mockProviders, flavorOpenTofu, "1.7.3", true},
		{mockProviders, flavorOpenTofu, "1.8.0", false},
		{noTofu, flavorTerraform, "1.15.9", false},
		{noTofu, flavorOpenTofu, "1.12.6", true},
	} {
		why := c.feature.missing(c.flavor, version.Must(version.NewVersion(c.version)))
		if (why != "") != c.skip {
			t.Errorf("%s on %s %s: missing = %q, want skip %t", c.feature.name, c.flavor, c.version, why, c.skip)
		}
		if why != "" && !strings.Contains(why, string(c.flavor)+" v"+c.version) {
			t.Errorf("the reason %q does not name the CLI and its version", why)
		}
	}
}
