#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the repository's .swift-format.
#   scripts/format.sh            rewrite Sources, Tests and Package.swift in place
#   scripts/format.sh --check    change nothing; list what does not conform and exit 1 if anything does (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(Sources Tests Package.swift)
case "${1:-}" in
    "") swift format format --in-place --recursive --parallel "${paths[@]}" ;;
    --check | --lint) swift format lint --strict --recursive --parallel "${paths[@]}" ;;
    -h | --help) sed -n '2,4p' "$0" ;;
    *) echo "unknown argument: $1 (use --check, or nothing to format)" >&2; exit 2 ;;
esac
