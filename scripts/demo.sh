#!/usr/bin/env bash
# `make demo`: the provider's main job, start to finish, against the offline
# sandbox. Needs Go and Terraform (>= 1.5) on PATH, nothing else; or
# TERRAFORM=path/to/terraform-or-tofu for another CLI (OpenTofu >= 1.6). On a
# CLI without ephemeral resources (Terraform < 1.10, OpenTofu < 1.11) it leaves
# out examples/demo/ephemeral.tf, the one step that needs them, and says so.
#
#   1. build the provider and the sandbox into a temp dir;
#   2. start the sandbox on a free loopback port with the demo data;
#   3. write a temp Terraform CLI config with dev_overrides (your own CLI
#      config is not read or changed) and copy examples/demo to a temp dir;
#   4. apply, drift out of band, plan, apply again, destroy.
#
# Everything lives in one temp dir, removed on exit with the sandbox stopped.
# DEMO_VERBOSE=1 shows terraform's full output instead of the key lines.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

verbose=${DEMO_VERBOSE:-0}
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' reset=$'\e[0m'
else
	bold='' dim='' green='' reset=''
fi

say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
note() { printf '    %s\n' "$@"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

command -v go >/dev/null 2>&1 || die "go is not on PATH"
tf_cmd=${TERRAFORM:-terraform}
tf_bin=$(command -v "$tf_cmd" 2>/dev/null) || die "$tf_cmd is not on PATH (set TERRAFORM to a terraform or tofu binary)"
tf_bin=$(cd "$(dirname "$tf_bin")" && pwd)/$(basename "$tf_bin")
# The whole output, then its first line: `| head -n1` could stop the CLI with
# SIGPIPE, which pipefail turns into a failure.
tf_out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$tf_bin" version)
tf_line=${tf_out%%$'\n'*}
# The first version of each CLI: import blocks (Terraform 1.5, OpenTofu 1.6),
# and ephemeral resources, which examples/demo/ephemeral.tf reads (1.10, 1.11).
case "$tf_line" in
"Terraform v"*) tf_name=Terraform tf_min=1.5.0 ephemeral_min=1.10.0 ;;
"OpenTofu v"*) tf_name=OpenTofu tf_min=1.6.0 ephemeral_min=1.11.0 ;;
*) die "$tf_bin is neither Terraform nor OpenTofu: $tf_line" ;;
esac
tf_version=${tf_line#* v}
at_least() { printf '%s\n' "$1" "${tf_version%%-*}" | sort -V -C; }
at_least "$tf_min" || die "$tf_name >= $tf_min is needed; found $tf_version"
ephemeral=1
at_least "$ephemeral_min" || ephemeral=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guayaba-demo.XXXXXX")
sandbox_pid=""
cleanup() {
	local rc=$?
	if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. build ---------------------------------------------------------------
say "Building the provider and the sandbox"
mkdir -p "$tmp/bin"
go build -o "$tmp/bin/terraform-provider-guayaba" .
go build -o "$tmp/guayaba-sandbox" ./cmd/guayaba-sandbox
note "built into a temp dir: $tmp"

# --- 2. sandbox -------------------------------------------------------------
say "Starting the Guayaba sandbox (an in-memory emulator of the API)"
"$tmp/guayaba-sandbox" --addr 127.0.0.1:0 --demo --url-file "$tmp/url" >"$tmp/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 200); do
	[ -s "$tmp/url" ] && grep -q 'Ctrl-C to stop' "$tmp/sandbox.log" && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.log" >&2; die "the sandbox did not start"; }
	sleep 0.1
done
[ -s "$tmp/url" ] || die "the sandbox did not write its URL within 20s"
base_url=$(head -n1 "$tmp/url")
hostport=${base_url#http://}
hostport=${hostport%%/*}
# The demo fixture's agent key (agent:manage scope) and agent, as printed by
# the sandbox: see `go run ./cmd/guayaba-sandbox`.
api_key=$(sed -n 's/^  \(g_agent_[0-9a-f]*\)  (agent .*agent:manage.*/\1/p' "$tmp/sandbox.log" | sed -n 1p)
agent_id=$(sed -n 's/^  \([0-9a-f-]\{36\}\)  .*/\1/p' "$tmp/sandbox.log" | sed -n 1p)
[ -n "$api_key" ] && [ -n "$agent_id" ] || { cat "$tmp/sandbox.log" >&2; die "cannot read the demo key and agent from the sandbox banner"; }
note "API:       $base_url"
note "dashboard: http://$hostport/ (a web page to change sessions by hand; it lives as long as the demo)"
note "agent:     $agent_id (8 sessions, 2 archives), agent key ${api_key:0:12}…"

# ctl METHOD PATH [JSON]: call the sandbox control API (curl, or bash's
# /dev/tcp when curl is missing).
ctl() {
	local method=$1 path=$2 body=${3:-}
	if command -v curl >/dev/null 2>&1 && [ -z "${DEMO_NO_CURL:-}" ]; then
		curl -fsS -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} "http://$hostport$path"
		echo
		return
	fi
	local host=${hostport%:*} port=${hostport##*:} resp
	exec 3<>"/dev/tcp/$host/$port"
	printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"$method" "$path" "$hostport" "${#body}" "$body" >&3
	resp=$(cat <&3)
	exec 3<&-
	case "${resp%%$'\r'*}" in
	*" 200 "*) printf '%s\n' "${resp##*$'\r\n\r\n'}" ;;
	*) printf '%s\n' "$resp" >&2; return 1 ;;
	esac
}

# --- 3. terraform setup -------------------------------------------------------
cat >"$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "guayabadotrun/guayaba" = "$tmp/bin"
  }
  direct {}
}
RC
mkdir -p "$tmp/work"
cp examples/demo/*.tf "$tmp/work/"
[ "$ephemeral" = 1 ] || rm "$tmp/work/ephemeral.tf"
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE
export GUAYABA_BASE_URL="$base_url" GUAYABA_API_KEY="$api_key" GUAYABA_AGENT_ID="$agent_id"
note "$tf_line ($tf_bin)"
note "CLI config: dev_overrides in a temp file (TF_CLI_CONFIG_FILE); yours is untouched"
note "config:    examples/demo/*.tf, copied to $tmp/work"
if [ "$ephemeral" = 0 ]; then
	note "$tf_name $tf_version has no ephemeral resources (they came in $tf_name ${ephemeral_min%.0}):" \
		"the demo leaves out examples/demo/ephemeral.tf, which reads a transcript without storing it;" \
		"everything else runs as on a newer CLI."
fi

# tf ARGS...: run terraform in the work dir; print its full output (verbose)
# or the lines that tell the story. Returns terraform's exit code.
tf() {
	local rc=0
	"$tf_bin" -chdir="$tmp/work" "$@" -no-color >"$tmp/tf.log" 2>&1 || rc=$?
	if [ "$verbose" = 1 ]; then
		sed 's/^/    /' "$tmp/tf.log"
	else
		grep -E '^\s*# (guayaba_session|terraform_data)|^\s*[~+] label |^\s*\+ archived += true|^\s*~ archived |^(Plan|Apply complete|Destroy complete|No changes)|Error' "$tmp/tf.log" |
			sed -E "s/^\s*/    ${dim}/; s/\$/${reset}/" || true
	fi
	return "$rc"
}
tf_or_die() {
	tf "$@" || { cat "$tmp/tf.log" >&2; die "terraform $1 failed"; }
}

# --- 4. the story -------------------------------------------------------------
say "Step 1/4: terraform apply"
note "Sessions are born in chats, so Terraform adopts them: it labels both" \
	"Telegram group chats after their origin, labels a dashboard chat, and" \
	"archives an old API session."
tf_or_die apply -auto-approve
echo
note "Active sessions now, read back through the guayaba_sessions data source:"
"$tf_bin" -chdir="$tmp/work" output -no-color active_sessions | sed 's/^/    /'
note "Archives, through guayaba_archives (the API session is the newest):"
"$tf_bin" -chdir="$tmp/work" output -no-color archives | sed 's/^/    /'
note "A transcript, through the guayaba_session_history data source:"
"$tf_bin" -chdir="$tmp/work" output -no-color support_transcript | sed 's/^/    /'
if [ "$ephemeral" = 1 ]; then
	lisbon=$(grep -c 'Lisbon' "$tmp/work/terraform.tfstate" || true)
	note "Ana's conversation was read too, through the ephemeral resource: a precondition" \
		"checked the agent answered her. It mentions Lisbon; occurrences of \"Lisbon\" in" \
		"terraform.tfstate: $lisbon (ephemeral values are never stored)."
fi

say "Step 2/4: someone renames a session in the dashboard"
note "POST /_sandbox/sessions/rename (what the dashboard's Save sends): \"Team chat\" becomes \"team chat (old)\""
ctl POST /_sandbox/sessions/rename \
	"{\"agentId\":\"$agent_id\",\"key\":\"agent:main:telegram:group:-1009876543210\",\"label\":\"team chat (old)\"}" >/dev/null
note "terraform plan -detailed-exitcode notices the drift (exit code 2 = changes):"
rc=0
tf plan -detailed-exitcode || rc=$?
[ "$rc" = 2 ] || { cat "$tmp/tf.log" >&2; die "expected terraform plan to exit 2 (drift), got $rc"; }
note "${green}exit code 2: drift detected${reset}"

say "Step 3/4: terraform apply puts the label back"
tf_or_die apply -auto-approve
rc=0
tf plan -detailed-exitcode >/dev/null || rc=$?
[ "$rc" = 0 ] || { cat "$tmp/tf.log" >&2; die "expected a clean plan after the fix, got exit code $rc"; }
note "${green}terraform plan -detailed-exitcode: 0, nothing left to change${reset}"

say "Step 4/4: terraform destroy"
note "on_destroy decides: the group labels stay (keep, the default), the dashboard" \
	"chat's label is cleared (clear_label), the API session stays archived (keep)."
tf_or_die destroy -auto-approve
calls=$(ctl GET /_sandbox/counters | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
note "The sandbox answered ${calls:-?} API calls in all, across 5 terraform runs."

say "${green}Done.${reset} Sandbox stopped, temp dir removed."
note "Next: the docs in docs/, the guide docs/guides/sandbox.md to keep playing offline:" \
	"\`make sandbox\` keeps a sandbox running, with its dashboard at http://127.0.0.1:8787/."
