#!/usr/bin/env bash
# `make test-matrix`: run the tests that drive a Terraform CLI once per CLI
# (the acceptance tests, the CLI tests and the examples, then `make demo`),
# and say which CLI was skipped and why:
#   scripts/test-matrix.sh                      # every CLI in MATRIX_CLIS
#   MATRIX_CLIS="bin/tofu" scripts/test-matrix.sh
#   MATRIX_RUN='^TestAcc(Session|DataSources)' scripts/test-matrix.sh
#
#   scripts/test-matrix.sh --list               # print the default CLIs
#
# MATRIX_CLIS    space-separated CLIs: paths, or commands on PATH (default:
#                the local CLIs of scripts/test-matrix-clis.txt, the one list
#                of the matrix: Terraform 1.5.7 and 1.15.9 beside the checkout,
#                Terraform 1.11.4 on PATH, OpenTofu 1.12.6 at bin/tofu, built
#                by `make tofu`). A CLI that is missing is skipped with the
#                reason; MATRIX_REQUIRE_ALL=1 makes that an error (CI), and
#                also a default CLI whose version is not the listed one (which
#                is otherwise a warning).
# MATRIX_PKGS    packages to test per CLI (default ./internal/provider/).
# MATRIX_RUN     -run pattern per CLI (default: every test).
# MATRIX_SKIP    "CLI=PATTERN ..." skips the tests matching PATTERN (go test
#                -skip) on that CLI, as written in MATRIX_CLIS: for a shorter
#                run, e.g. "bin/tofu=^TestAcc(Reliability|Scale)" leaves out the
#                tests of the provider's HTTP behaviour, which no CLI changes.
# MATRIX_DEMO    0 skips `make demo` on each CLI (default 1).
# MATRIX_LOGDIR  where the full logs go (default: a new temp dir, kept).
# TEST_TIMEOUT, TEST_PARALLEL as in the GNUmakefile.
#
# Each CLI runs through scripts/tf-env.sh with TERRAFORM set to it, so the
# acceptance tests (TF_ACC_TERRAFORM_PATH, and TF_ACC_PROVIDER_HOST for
# OpenTofu), the CLI tests and the demo all use that binary. The summary
# counts every test and subtest that passed, skipped or failed per CLI, with
# the time of each CLI's leg. Exit status: non-zero when anything failed or
# no CLI was available.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The matrix: "program version CLI" lines, comments and blank lines left out.
matrix=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/test-matrix-clis.txt)
if [ "${1:-}" = --list ]; then
	awk '{print $3}' <<<"$matrix"
	exit 0
fi

# listed_version CLI: the version the matrix lists for CLI, if it is one of
# the default CLIs (an explicit MATRIX_CLIS is run as it is).
listed_version() {
	[ -z "${MATRIX_CLIS:-}" ] || return 0
	awk -v cli="$1" '$3 == cli {print $2}' <<<"$matrix"
}

clis=${MATRIX_CLIS:-$(awk '{print $3}' <<<"$matrix" | paste -sd ' ' -)}
pkgs=${MATRIX_PKGS:-./internal/provider/}
run=${MATRIX_RUN:-}
demo=${MATRIX_DEMO:-1}
timeout=${TEST_TIMEOUT:-40m}
parallel=${TEST_PARALLEL:-6}
logdir=${MATRIX_LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/guayaba-matrix.XXXXXX")}
mkdir -p "$logdir"

# why_missing CLI: prints why CLI cannot run, or nothing.
why_missing() {
	local cli=$1
	if command -v "$cli" >/dev/null 2>&1; then
		return
	fi
	case "$cli" in
	bin/tofu) echo "$cli is not built: \`make tofu\` builds OpenTofu 1.12.6 from tools/opentofu (about 5 minutes of CPU cold)" ;;
	*/*) echo "$cli does not exist or is not executable" ;;
	*) echo "$cli is not on PATH" ;;
	esac
}

# skip_for CLI: the MATRIX_SKIP pattern of CLI, if any.
skip_for() {
	local entry
	for entry in ${MATRIX_SKIP:-}; do
		if [ "${entry%%=*}" = "$1" ]; then
			echo "${entry#*=}"
			return
		fi
	done
}

summary=()
failed=0
ran=0
for cli in $clis; do
	name=$(basename "$cli")
	why=$(why_missing "$cli")
	if [ -n "$why" ]; then
		if [ "${MATRIX_REQUIRE_ALL:-0}" = 1 ]; then
			echo "test-matrix: $why" >&2
			exit 1
		fi
		echo "=== test-matrix: SKIP $cli: $why"
		summary+=("$(printf '%-34s skipped: %s' "$cli" "$why")")
		continue
	fi
	# The whole output, then its first line (`| head -n1` could SIGPIPE the CLI).
	version=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null || true)
	version=${version%%$'\n'*}
	want=$(listed_version "$cli")
	if [ -n "$want" ] && [ "${version#* v}" != "$want" ]; then
		msg="$cli is ${version:-not a CLI}, but scripts/test-matrix-clis.txt lists $want for it"
		if [ "${MATRIX_REQUIRE_ALL:-0}" = 1 ]; then
			echo "test-matrix: $msg" >&2
			exit 1
		fi
		echo "=== test-matrix: WARNING: $msg; running it anyway"
	fi
	ran=$((ran + 1))
	skip_pat=$(skip_for "$cli")
	echo
	echo "=== test-matrix: $version ($cli)${run:+, tests matching $run}${skip_pat:+, skipping $skip_pat}"
	log="$logdir/$name.log"
	start=$(date +%s)
	rc=0
	TERRAFORM="$cli" scripts/tf-env.sh env TF_ACC=1 go test $pkgs -count=1 -v -timeout "$timeout" \
		-parallel "$parallel" ${run:+-run "$run"} ${skip_pat:+-skip "$skip_pat"} >"$log" 2>&1 || rc=$?
	pass=$(grep -c -E '^\s*--- PASS' "$log" || true)
	skip=$(grep -c -E '^\s*--- SKIP' "$log" || true)
	fail=$(grep -c -E '^\s*--- FAIL' "$log" || true)
	# Package results, failures, skipped tests and the reasons they give
	# (logged just before their "--- SKIP" line).
	grep -E '^(ok|FAIL|panic:)|^\s*--- (FAIL|SKIP)|: skipping test|Acceptance tests skipped' "$log" || true
	demo_note=""
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		# A build failure, a panic or a timeout: no test line says FAIL.
		fail=1
		tail -n 40 "$log"
	fi
	if [ "$demo" = 1 ]; then
		if TERRAFORM="$cli" scripts/demo.sh >"$logdir/$name.demo.log" 2>&1; then
			demo_note=", demo ok"
		else
			demo_note=", demo FAILED"
			rc=1
			tail -n 30 "$logdir/$name.demo.log"
		fi
	fi
	secs=$(($(date +%s) - start))
	[ "$rc" -eq 0 ] || failed=1
	summary+=("$(printf '%-34s %-18s pass %4d  skip %3d  fail %3d  %4ds%s' "$cli" "${version#* }" "$pass" "$skip" "$fail" "$secs" "$demo_note")")
	echo "--- $cli: exit $rc in ${secs}s (log: $log)"
done

echo
echo "=== test-matrix summary (logs in $logdir)"
printf '%s\n' "${summary[@]}"
if [ "$ran" -eq 0 ]; then
	echo "test-matrix: no CLI was available, nothing ran" >&2
	exit 1
fi
exit "$failed"
