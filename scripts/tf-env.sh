#!/usr/bin/env bash
# Run a command with a clean, offline Terraform environment:
#   scripts/tf-env.sh CMD [ARGS...]
#
# - TF_CLI_CONFIG_FILE points at a fresh, empty CLI config in a temp dir, so the
#   user's own config is never read or changed and terraform does not warn
#   about a missing ~/.terraformrc. TF_CLI_CONFIG_CONTENT, if set, is written
#   into that file (validate-examples.sh uses it for dev_overrides).
# - CHECKPOINT_DISABLE=1: no update/security checks over the network.
# - TF_ACC_TERRAFORM_PATH: the terraform on PATH, so terraform-plugin-testing
#   (and tfplugindocs, which looks terraform up on PATH) never download one.
# - TF_IN_AUTOMATION=1: no "run terraform apply next" hints in the output.
# The temp dir is removed when the command ends; its exit code is passed on.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

tf=$(command -v terraform || true)
if [ -z "$tf" ]; then
	echo "error: terraform is not on PATH (Terraform >= 1.5 is needed; 1.10+ for the ephemeral resource)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-tf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

printf '%s\n' "${TF_CLI_CONFIG_CONTENT:-# empty CLI config written by scripts/tf-env.sh}" >"$tmp/terraformrc"

export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TF_ACC_TERRAFORM_PATH="${TF_ACC_TERRAFORM_PATH:-$tf}"
unset TF_CLI_CONFIG_CONTENT

"$@"
