#!/usr/bin/env bash
# Print the release notes of one version: its section of CHANGELOG.md, without
# the heading. `make release` passes them to goreleaser --release-notes.
#
#   scripts/release-notes.sh 0.2.0          # or v0.2.0
#   scripts/release-notes.sh Unreleased     # what the next release will say
#
# Fails when CHANGELOG.md has no such section or the section is empty, so that
# a release never goes out with blank notes.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 VERSION" >&2
	exit 2
fi
version=${1#v}
changelog="$(dirname "$0")/../CHANGELOG.md"

notes=$(awk -v want="$version" '
	/^## / {
		if (found) exit
		heading = $0
		sub(/^## +\[?/, "", heading)
		sub(/[] ].*$/, "", heading)
		if (heading == want) found = 1
		next
	}
	found { print }
' "$changelog" | sed -e '/./,$!d')

if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
	echo "$0: CHANGELOG.md has no notes under \"## $version\"" >&2
	exit 1
fi
printf '%s\n' "$notes"
