#!/usr/bin/env bash
# Builds sync-agent, syncctl and sync-top as release executables with the Swift runtime linked in
# (scripts/build-release.sh), and installs them with their shell completions and man pages. The installed programs
# need no Swift toolchain to run: syncctl is fully static; sync-agent and sync-top need only the C and C++ runtime
# every Linux system has (libc, libm, libstdc++, libgcc_s) and, for sync-top, ncursesw.
#
#   scripts/install.sh                        # into ~/.local (bin, share/man/man1, share/*completion*)
#   scripts/install.sh --prefix /usr/local    # anywhere else (run as a user who can write there)
#   scripts/install.sh --destdir "$PWD/pkg" --prefix /usr   # stage a package: files land in pkg/usr/...
#   scripts/install.sh --no-strip             # keep the symbols (bigger files, named frames in a crash report)
#
# The build has its own scratch paths, .build-install (and .build-install-static for syncctl), so it never waits on
# the lock of the .build that another swift command holds. It takes a few minutes the first time, seconds when
# nothing changed.
set -euo pipefail

prefix="$HOME/.local" destdir="" strip=yes scratch=.build-install
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --destdir) destdir="${2:?--destdir needs a directory}"; shift 2 ;;
        --destdir=*) destdir="${1#--destdir=}"; shift ;;
        --no-strip) strip=no; shift ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "error: unknown argument: $1 (see scripts/install.sh --help)" >&2; exit 2 ;;
    esac
done
case "$prefix" in
    /*) ;;
    *) echo "error: --prefix must be an absolute path, not '$prefix'" >&2; exit 2 ;;
esac
prefix="${prefix%/}"
case "$destdir" in
    "" | /*) ;;
    *) destdir="$PWD/$destdir" ;;
esac
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || {
    echo "error: swift is not on PATH; building needs a Swift toolchain (6.1 or newer), running the result does not" >&2
    exit 1
}

# Stripping drops the symbol tables and debug info, about half of each file (the sizes are in the README).
strip_tool=""
if [ "$strip" = yes ]; then
    strip_tool="$(command -v strip || command -v llvm-strip || true)"
    if [ -z "$strip_tool" ]; then
        echo "error: neither strip (binutils) nor llvm-strip is on PATH; install binutils or pass --no-strip" >&2
        exit 1
    fi
fi

programs=(sync-agent syncctl sync-top)
echo "building ${programs[*]}: scripts/build-release.sh --scratch-path $scratch"
for program in "${programs[@]}"; do
    scripts/build-release.sh --scratch-path "$scratch" --product "$program"
done
built="$(scripts/build-release.sh --scratch-path "$scratch" --show-bin-path)"

root="$destdir$prefix"
bin="$root/bin"
man="$root/share/man/man1"
bash_dir="$root/share/bash-completion/completions"
zsh_dir="$root/share/zsh/site-functions"
fish_dir="$root/share/fish/vendor_completions.d"
mkdir -p "$bin" "$man" "$bash_dir" "$zsh_dir" "$fish_dir"

installed=()
for program in "${programs[@]}"; do
    # install(1) replaces the file rather than writing into it, so a running agent does not stop an upgrade.
    install -m 755 "$built/$program" "$bin/$program"
    if [ "$strip" = yes ]; then "$strip_tool" "$bin/$program"; fi
    installed+=("$bin/$program")
done

# Completions and man pages come from the installed programs themselves (ArgumentParser), so they list exactly
# the commands and options those programs take.
for program in "${programs[@]}"; do
    "$bin/$program" --generate-completion-script bash >"$bash_dir/$program"
    "$bin/$program" --generate-completion-script zsh >"$zsh_dir/_$program"
    "$bin/$program" --generate-completion-script fish >"$fish_dir/$program.fish"
    installed+=("$bash_dir/$program" "$zsh_dir/_$program" "$fish_dir/$program.fish")
done

# Man pages: swift-argument-parser's generate-manual tool, which its `generate-manual` command plugin runs too,
# applied to each installed program. Not the plugin itself: it builds every product of the package again, in
# release and without --static-swift-stdlib (`swift package` does not take it), into the same scratch path,
# replacing the static executables. Built with the same flags as the programs, so their shared modules are not
# rebuilt the next time. Dated by the last commit, so that the same sources give the same pages.
scripts/build-release.sh --scratch-path "$scratch" --product generate-manual
date="$(git log -1 --format=%cs 2>/dev/null || true)"
date="${date:-$(date +%F)}"
for program in "${programs[@]}"; do
    "$built/generate-manual" "$bin/$program" --date "$date" --output-directory "$man"
    # The tool copies the help's blank lines, on which man warns ("mdoc warning: Empty input line"); .Pp is
    # mdoc's paragraph break, and the page reads the same.
    sed -i 's/^$/.Pp/' "$man/$program.1"
    installed+=("$man/$program.1")
done

echo "installed into $root:"
for file in "${installed[@]}"; do
    printf '  %-60s %s\n' "$file" "$(du -h --apparent-size "$file" | cut -f1)"
done
if [ -z "$destdir" ]; then
    case ":$PATH:" in
        *":$bin:"*) ;;
        *) echo "note: $bin is not on PATH; add it, e.g. in ~/.profile: export PATH=\"$bin:\$PATH\"" ;;
    esac
    # bash-completion and man find the files beside a bin directory on PATH; zsh reads only its fpath.
    case "$zsh_dir" in
        /usr/share/* | /usr/local/share/*) ;;
        *) echo "note: for zsh completions, add to ~/.zshrc before compinit: fpath+=($zsh_dir)" ;;
    esac
fi
