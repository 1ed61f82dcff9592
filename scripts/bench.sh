#!/usr/bin/env bash
# Benchmark the provider against the in-process sandbox with the real
# terraform binary, and regenerate BENCHMARKS.md (see cmd/guayaba-bench):
#   scripts/bench.sh                    # N = 100, 1,000, 10,000, 100,000 (make bench)
#   BENCH_N=100,1000 scripts/bench.sh   # the small sizes only (a few minutes)
# N guayaba_session resources (steps a-c) are skipped above
# BENCH_PER_SESSION_MAX (default 1000): at 10,000 Terraform alone takes most
# of an hour; the guayaba_session_labels steps run at every N. Above
# BENCH_LABELS_APPLY_MAX (default 10000) the sessions start labelled, so
# that the labels resource adopts them without 100,000 renames, and the
# steps that rename or store every session are skipped: at N = 100,000 the
# bench measures the filtered data source and the labels resource's create
# and no-change plan. The last lines compare the labels plan with one
# terraform_data holding the same map (wall and CPU time).
# Extra arguments go to guayaba-bench (e.g. -keep, -timeout 1h, -out "").
set -euo pipefail

cd "$(dirname "$0")/.."

# TERRAFORM=path/to/terraform-or-tofu benchmarks another CLI than the
# terraform on PATH.
if ! command -v "${TERRAFORM:-terraform}" >/dev/null 2>&1; then
	echo "error: ${TERRAFORM:-terraform} is not on PATH (the benchmark runs the real binary; set TERRAFORM)" >&2
	exit 1
fi

exec go run ./cmd/guayaba-bench -n "${BENCH_N:-100,1000,10000,100000}" -per-session-max "${BENCH_PER_SESSION_MAX:-1000}" \
	-labels-apply-max "${BENCH_LABELS_APPLY_MAX:-10000}" -out BENCHMARKS.md "$@"
