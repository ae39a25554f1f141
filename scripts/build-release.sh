#!/bin/bash
# Builds release executables the way they are shipped and measured; arguments go on to `swift build`
# (e.g. --product syncctl, --scratch-path DIR, --show-bin-path).
#   --static-swift-stdlib: the Swift runtime linked in, so a `syncctl` call loads no Swift library.
#   -no-pie: position-dependent executables, so the dynamic loader has none of a PIE's ~40,000 relocations to
#   apply, nor the pages they dirty, at every start (docs/BENCHMARKS.md, "Position-dependent executables").
#   syncctl, which scripts run for every step, is also a fully static executable (-static-executable: the C and C++
#   libraries linked in too), so a call runs no dynamic loader at all: half the instructions of a whole `syncctl
#   complete` (docs/BENCHMARKS.md, "A fully static syncctl"). Its flags differ, so it is built in a scratch path of
#   its own (the scratch path with `-static` appended, `.build-static` by default) and copied into the release
#   directory beside the other programs. Host names in its tcp: and http: checks are then resolved by the NSS
#   modules of the C library it was built with, loaded at run time: the glibc of the build machine.
set -euo pipefail
flags=(-c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie)
scratch=.build product="" args=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --show-bin-path) exec swift build "${flags[@]}" "${args[@]}" ;;
        --scratch-path) scratch="$2"; shift 2 ;;
        --scratch-path=*) scratch="${1#--scratch-path=}"; shift ;;
        --product) product="$2"; shift 2 ;;
        --product=*) product="${1#--product=}"; shift ;;
        *) shift ;;
    esac
done
# Everything asked for, the usual way (syncctl too: a product that depends on it, or tests, may want it there).
if [ "$product" != syncctl ]; then swift build "${flags[@]}" "${args[@]}"; fi
[ -z "$product" ] || [ "$product" = syncctl ] || exit 0
# syncctl fully static, into the release directory of the scratch path asked for.
others=() skip=0
for arg in "${args[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$arg" in
        --scratch-path | --product) skip=1 ;;
        --scratch-path=* | --product=*) ;;
        *) others+=("$arg") ;;
    esac
done
swift build "${flags[@]}" -Xswiftc -static-executable "${others[@]}" --scratch-path "$scratch-static" \
    --product syncctl
release="$(swift build "${flags[@]}" --scratch-path "$scratch" --show-bin-path)"
mkdir -p "$release"
cp "$(swift build "${flags[@]}" -Xswiftc -static-executable --scratch-path "$scratch-static" --show-bin-path)/syncctl" \
    "$release/syncctl.new"
mv -f "$release/syncctl.new" "$release/syncctl"
