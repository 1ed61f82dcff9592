#!/usr/bin/env bash
# `make module-test`: run `terraform test` on examples/testing-modules the way
# a module author would, offline:
#
#   1. build the provider and guayaba-sandbox into a temp dir, and point a temp
#      CLI config's dev_overrides at the provider (your own CLI config is not
#      read or changed);
#   2. run the unit tests (tests/unit.tftest.hcl: mock_provider, plan only)
#      with no GUAYABA_* variable set, which proves they need no API;
#   3. start the sandbox on a free loopback port with its demo data and run
#      every test file against it (tests/sandbox.tftest.hcl applies).
#
# TERRAFORM=path/to/terraform-or-tofu picks another CLI (Terraform >= 1.7 or
# OpenTofu >= 1.8, for mock_provider).
# Everything lives in one temp dir, removed on exit with the sandbox stopped.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tf=${TERRAFORM:-terraform}
example=examples/testing-modules

die() {
	echo "module-test: $*" >&2
	exit 1
}

command -v "$tf" >/dev/null 2>&1 || die "$tf is not on PATH"
# The whole output, then its first line (`| head -n1` could SIGPIPE the CLI).
tf_out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$tf" version)
tf_line=${tf_out%%$'\n'*}
tf_version=${tf_line#* v}
# mock_provider: Terraform 1.7, OpenTofu 1.8.
case "$tf_line" in
"OpenTofu v"*) tf_min=1.8.0 ;;
*) tf_min=1.7.0 ;;
esac
if ! printf '%s\n' "$tf_min" "${tf_version%%-*}" | sort -V -C; then
	die "$tf test with mock_provider needs ${tf_line%% *} >= $tf_min; found ${tf_line:-an unknown version}"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-module-test.XXXXXX")
sandbox_pid=""
cleanup() {
	local rc=$?
	if [ -n "$sandbox_pid" ]; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT

echo "module-test: building the provider and the sandbox ($tf_line)"
go build -o "$tmp/bin/terraform-provider-guayaba" .
go build -o "$tmp/guayaba-sandbox" ./cmd/guayaba-sandbox
cat >"$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "guayabadotrun/guayaba" = "$tmp/bin"
  }
  direct {}
}
RC
cp -R "$example" "$tmp/module"
find "$tmp/module" -name .terraform -prune -exec rm -rf {} + -o -name '*.tfstate*' -exec rm -f {} +

# terraform_test [ENV...]: terraform test in the copy, with only ENV added to a
# clean environment for the provider.
terraform_test() {
	env -u GUAYABA_API_KEY -u GUAYABA_BASE_URL -u GUAYABA_AGENT_ID -u TF_LOG -u TF_LOG_PROVIDER \
		TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 "$@" \
		"$tf" -chdir="$tmp/module" test -no-color ${filter:+-filter="$filter"}
}

echo "module-test: unit tests, mocked provider, no API"
filter=tests/unit.tftest.hcl terraform_test

echo "module-test: every test file against the sandbox"
"$tmp/guayaba-sandbox" --addr 127.0.0.1:0 --demo --url-file "$tmp/url" >"$tmp/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 200); do
	[ -s "$tmp/url" ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.log" >&2; die "the sandbox did not start"; }
	sleep 0.1
done
[ -s "$tmp/url" ] || die "the sandbox did not write its URL within 20s"
# The demo data's agent and its agent:manage key are fixed (see
# docs/guides/sandbox.md).
filter='' terraform_test \
	GUAYABA_BASE_URL="$(head -n1 "$tmp/url")" \
	GUAYABA_API_KEY=g_agent_a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718 \
	GUAYABA_AGENT_ID=5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69
echo "module-test: ok"
