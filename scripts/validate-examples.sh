#!/usr/bin/env bash
# Validate every Terraform example under examples/ against the provider built
# from this checkout, offline:
#   scripts/validate-examples.sh [EXAMPLES_DIR]      (default: examples)
#
# How: build the provider into a temp dir, point a temp CLI config's
# dev_overrides at it (the user's own CLI config is untouched), and run
# `terraform validate` in a temp copy of each example. With dev_overrides,
# validate needs no `terraform init` for this provider (init would try to reach
# the registry even for an overridden provider, so it is never run); the
# built-in `terraform` provider needs none either. Nothing is written under
# examples/ (no .terraform/, no lock file).
#
# What is validated:
# - tfplugindocs snippet dirs (examples/provider, examples/resources/*,
#   examples/data-sources/*, examples/ephemeral-resources/*, ...): each .tf file
#   on its own, as the docs show it; import*.tf files together with the
#   resource.tf beside them. A snippet without a required_providers block gets
#   one for guayabadotrun/guayaba (what a user's provider.tf declares).
# - any other dir with .tf files (examples/demo, ...): as one module.
# - *.tfquery.hcl files in snippet dirs (examples/list-resources/*): each on
#   its own, with `terraform validate -query`.
# An example that needs another registry provider (hashicorp/random, ...) is
# skipped with a warning: it could not be installed offline. An example whose
# files say "# Requires Terraform >= X.Y" (functions, ephemeral resources,
# identity, actions, list resources) is validated with a Terraform that new
# when the CLI under test is older or is OpenTofu (scripts/terraform-at-least.sh
# finds one), and skipped with a warning when there is none.
#
# Environment: PROVIDER_BIN_DIR=dir with a prebuilt terraform-provider-guayaba
# (skips the build); TERRAFORM=path/to/terraform-or-tofu for another CLI than
# the terraform on PATH.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
examples=${1:-examples}
cd "$root"

if [ ! -d "$examples" ]; then
	echo "validate-examples: no $examples/ directory yet; nothing to validate"
	exit 0
fi
tf=${TERRAFORM:-terraform}
if ! command -v "$tf" >/dev/null 2>&1; then
	echo "validate-examples: $tf is not on PATH (set TERRAFORM to a terraform or tofu binary)" >&2
	exit 1
fi
tf=$(command -v "$tf")
tf=$(cd "$(dirname "$tf")" && pwd)/$(basename "$tf")
# The CLI of the unit being validated: $tf unless the unit needs a newer one.
unit_tf=$tf
terraform() { "$unit_tf" "$@"; }

# The short address: Terraform reads it as registry.terraform.io/…, OpenTofu
# as registry.opentofu.org/…, as each does in required_providers.
provider_source="guayabadotrun/guayaba"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -n "${PROVIDER_BIN_DIR:-}" ]; then
	bindir=$(cd "$PROVIDER_BIN_DIR" && pwd)
else
	bindir="$tmp/bin"
	echo "validate-examples: building the provider into $bindir"
	go build -o "$bindir/terraform-provider-guayaba" .
fi

cat >"$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "$provider_source" = "$bindir"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
tf_version=$(terraform version)
echo "validate-examples: ${tf_version%%$'\n'*} ($tf)"

valid=0
invalid=0
skipped=0
n=0

# A copy of the whole tree, so that module dirs keep their relative local
# module sources (source = "./transcript", "../modules/x").
tree="$tmp/tree"
mkdir -p "$tree"
cp -R "$examples/." "$tree/"
find "$tree" -name .terraform -prune -exec rm -rf {} + -o -name .terraform.lock.hcl -exec rm -f {} +

# validate_unit NAME DIR [FILE...]: with FILEs, copy them into a fresh dir and
# validate that (a snippet); without, validate DIR (a module dir in the copy).
validate_unit() {
	local name=$1 work=$2
	shift 2
	n=$((n + 1))
	if [ "$#" -gt 0 ]; then
		work="$tmp/unit-$n"
		mkdir -p "$work"
		cp "$@" "$work/"
	fi
	unit_tf=$tf
	local need
	need=$({ cat "$work"/*.tf "$work"/*.tfquery.hcl 2>/dev/null || true; } | sed -n 's/^# Requires Terraform >= \([0-9.]*\).*/\1/p' | sort -V | tail -n1)
	if [ -n "$need" ] && ! "$root/scripts/terraform-at-least.sh" "$need" "$tf" >/dev/null 2>&1; then
		if ! unit_tf=$("$root/scripts/terraform-at-least.sh" "$need" 2>/dev/null); then
			echo "SKIP  $name (needs Terraform >= $need; none found, see scripts/terraform-at-least.sh)"
			skipped=$((skipped + 1))
			return
		fi
		name="$name [Terraform >= $need: $("$unit_tf" version | sed -n 1p)]"
	fi
	if ! grep -q 'required_providers' "$work"/*.tf 2>/dev/null; then
		cat >"$work/zz_required_providers.tf" <<'TF'
terraform {
  required_providers {
    guayaba = {
      source = "guayabadotrun/guayaba"
    }
  }
}
TF
	fi

	local providers others out
	if grep -q '^[[:space:]]*module[[:space:]]' "$work"/*.tf; then
		# Local modules only: `terraform get` links them without the network
		# (`terraform providers` and `validate` need them installed).
		if ! out=$(terraform -chdir="$work" get -no-color 2>&1); then
			echo "FAIL  $name (terraform get)"
			echo "$out" | sed 's/^/      /'
			invalid=$((invalid + 1))
			return
		fi
	fi
	if ! providers=$(terraform -chdir="$work" providers -no-color 2>&1); then
		echo "FAIL  $name"
		echo "$providers" | sed 's/^/      /'
		invalid=$((invalid + 1))
		return
	fi
	others=$(echo "$providers" | grep -o 'provider\[[^]]*\]' | sed 's/provider\[\(.*\)\]/\1/' |
		grep -v -x -e "registry.terraform.io/$provider_source" -e "registry.opentofu.org/$provider_source" \
			-e 'terraform.io/builtin/terraform' | sort -u || true)
	if [ -n "$others" ]; then
		echo "SKIP  $name (needs $(echo "$others" | paste -sd, -), which cannot be installed offline)"
		skipped=$((skipped + 1))
		return
	fi
	local query=()
	if compgen -G "$work/*.tfquery.hcl" >/dev/null; then
		query=(-query)
	fi
	if out=$(terraform -chdir="$work" validate -no-color "${query[@]}" 2>&1); then
		echo "ok    $name"
		valid=$((valid + 1))
	else
		echo "FAIL  $name"
		# Drop the dev_overrides warning: it is expected here and only noise.
		echo "$out" | awk '
			/Warning: Provider development overrides are in effect/ {skip=1}
			skip && /published/ {getline; skip=0; next}
			!skip' | sed 's/^/      /'
		invalid=$((invalid + 1))
	fi
}

is_snippet_dir() {
	case "$1" in
	"$examples"/provider | "$examples"/resources/* | "$examples"/data-sources/* | \
		"$examples"/ephemeral-resources/* | "$examples"/functions/* | \
		"$examples"/actions/* | "$examples"/list-resources/*) return 0 ;;
	esac
	return 1
}

while IFS= read -r dir; do
	shopt -s nullglob
	files=("$dir"/*.tf "$dir"/*.tfquery.hcl)
	shopt -u nullglob
	[ "${#files[@]}" -gt 0 ] || continue
	if is_snippet_dir "$dir"; then
		for f in "${files[@]}"; do
			base=$(basename "$f")
			case "$base" in
			import*.tf)
				if [ -f "$dir/resource.tf" ]; then
					validate_unit "$f (with resource.tf)" "" "$dir/resource.tf" "$f"
				else
					validate_unit "$f" "" "$f"
				fi
				;;
			*) validate_unit "$f" "" "$f" ;;
			esac
		done
	else
		validate_unit "$dir/" "$tree/${dir#"$examples"}"
	fi
done < <(find "$examples" -type d -not -path '*/.terraform*' | sort)

echo "validate-examples: $valid valid, $invalid invalid, $skipped skipped"
if [ "$n" -eq 0 ]; then
	echo "validate-examples: no .tf files under $examples/"
fi
[ "$invalid" -eq 0 ]
