#!/usr/bin/env bash
# Run a command with a clean, offline Terraform environment:
#   scripts/tf-env.sh CMD [ARGS...]
#   TERRAFORM=../shared/bin/terraform-1.15.9 scripts/tf-env.sh CMD [ARGS...]
#   TERRAFORM=bin/tofu scripts/tf-env.sh CMD [ARGS...]
#
# - TERRAFORM picks the CLI the tests, the demo and the bench run: a path, or
#   a command name looked up on PATH (default: TF_ACC_TERRAFORM_PATH if set,
#   else terraform). It is exported as an absolute path.
# - TF_ACC_TERRAFORM_PATH: that CLI, so terraform-plugin-testing (and the
#   project's own CLI tests) never download one. With OpenTofu,
#   TF_ACC_PROVIDER_HOST=registry.opentofu.org too: OpenTofu gives the
#   provider's short source address that host, and plugin-testing must serve
#   the provider under the address OpenTofu asks for.
# - TF_CLI_CONFIG_FILE points at a fresh, empty CLI config in a temp dir, so the
#   user's own config is never read or changed and terraform does not warn
#   about a missing ~/.terraformrc.
# - CHECKPOINT_DISABLE=1: no update/security checks over the network.
# - TF_IN_AUTOMATION=1: no "run terraform apply next" hints in the output.
# The temp dir is removed when the command ends; its exit code is passed on.
# `make generate` (tfplugindocs) uses a Terraform >= 1.14: see scripts/generate-docs.sh.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

want=${TERRAFORM:-${TF_ACC_TERRAFORM_PATH:-terraform}}
tf=$(command -v "$want" || true)
if [ -z "$tf" ] || [ ! -x "$tf" ]; then
	if [ "$want" = terraform ]; then
		echo "error: terraform is not on PATH (Terraform >= 1.5 is needed; 1.10+ for the ephemeral resource)" >&2
	else
		echo "error: TERRAFORM=$want is not an executable (a path to terraform or tofu, or a command on PATH)" >&2
	fi
	exit 1
fi
tf=$(cd "$(dirname "$tf")" && pwd)/$(basename "$tf")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-tf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "# empty CLI config written by scripts/tf-env.sh" >"$tmp/terraformrc"

export TERRAFORM="$tf"
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TF_ACC_TERRAFORM_PATH="$tf"
# The whole output, not `| head | grep -q`: with pipefail, a reader that
# stops early can SIGPIPE the CLI and turn a match into a failure.
tf_version=$("$tf" version 2>/dev/null || true)
case "$tf_version" in
OpenTofu*) export TF_ACC_PROVIDER_HOST=registry.opentofu.org ;;
esac

"$@"
