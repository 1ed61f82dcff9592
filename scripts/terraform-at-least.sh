#!/usr/bin/env bash
# Print the path of a Terraform CLI at least as new as MIN:
#   scripts/terraform-at-least.sh MIN        e.g. 1.14.0
#   scripts/terraform-at-least.sh MIN BIN    only check BIN
#
# Actions, list resources and resource identity are only in the provider
# schema that Terraform >= 1.14 reads, so the docs generator and the
# validation of their examples need such a Terraform even where the default
# CLI is older. Candidates, first match wins: $TERRAFORM_LATEST, the
# terraform on PATH, then ../shared/bin/terraform-* beside the checkout
# (where CI keeps newer Terraform builds). OpenTofu never matches.
# Exit status 1, with the reason on stderr, when none is new enough.
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
	echo "usage: $0 MIN_VERSION [BINARY]" >&2
	exit 2
fi
min=$1
root=$(cd "$(dirname "$0")/.." && pwd)

# at_least BINARY: is it Terraform and at least $min?
at_least() {
	local first v
	first=$("$1" version 2>/dev/null | sed -n 1p) || return 1
	case "$first" in
	"Terraform v"*) v=${first#Terraform v} ;;
	*) return 1 ;;
	esac
	v=${v%%-*}
	[ "$(printf '%s\n%s\n' "$min" "$v" | sort -V | head -n1)" = "$min" ]
}

candidates=()
if [ "$#" -eq 2 ]; then
	candidates+=("$2")
else
	[ -n "${TERRAFORM_LATEST:-}" ] && candidates+=("$TERRAFORM_LATEST")
	if p=$(command -v terraform 2>/dev/null); then
		candidates+=("$p")
	fi
	shopt -s nullglob
	for p in "$root"/../shared/bin/terraform-*; do
		candidates+=("$p")
	done
	shopt -u nullglob
fi

for c in "${candidates[@]}"; do
	if [ -x "$c" ] && at_least "$c"; then
		echo "$(cd "$(dirname "$c")" && pwd)/$(basename "$c")"
		exit 0
	fi
done
echo "error: no Terraform >= $min found (tried: ${candidates[*]:-nothing}); put one on PATH or set TERRAFORM_LATEST=/path/to/terraform" >&2
exit 1
