#!/usr/bin/env bash
# Regenerate docs/ with tfplugindocs from the provider schema, templates/ and
# examples/ (`make generate` runs it through tools/tools.go).
#
# tfplugindocs reads the schema with the terraform it finds on PATH. Actions,
# list resources and resource identity are only in the schema Terraform >=
# 1.14 reads, so this puts one first on PATH (scripts/terraform-at-least.sh
# says where it looks) and fails, saying so, when there is none. Nothing is
# downloaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tf=$("$root/scripts/terraform-at-least.sh" 1.14.0)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ln -s "$tf" "$tmp/terraform"

cd "$root/tools"
PATH="$tmp:$PATH" go tool tfplugindocs generate --provider-dir .. --provider-name guayaba
