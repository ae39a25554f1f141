#!/bin/bash
# Builds release executables the way they are shipped and measured; arguments go on to `swift build`
# (e.g. --product syncctl, --scratch-path DIR, --show-bin-path).
#   --static-swift-stdlib: the Swift runtime linked in, so a `syncctl` call loads no Swift library.
#   -no-pie: position-dependent executables, so the dynamic loader has none of a PIE's ~40,000 relocations to
#   apply, nor the pages they dirty, at every start (docs/BENCHMARKS.md, "Position-dependent executables").
set -euo pipefail
exec swift build -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie "$@"
