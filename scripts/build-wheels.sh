#!/usr/bin/env bash
# Build the Python package's wheel and sdist into dist/ (at the repository root).
#
#   scripts/build-wheels.sh                  release wheel + sdist (for publishing)
#   scripts/build-wheels.sh --profile dev    the same, unoptimised (minutes, not half an hour)
#   scripts/build-wheels.sh --from-sdist     build the wheel from the sdist, in an empty target directory
#                                            (cold: proves the sdist builds on its own; CI does this, with --profile dev)
#   scripts/build-wheels.sh --no-sdist       the wheel only
#   scripts/build-wheels.sh --out DIR        somewhere other than dist/
#
# One wheel serves every CPython >= 3.9 (the stable ABI: pyo3's abi3-py39 in python/Cargo.toml) on any
# x86_64 Linux with glibc >= 2.17 (manylinux2014 = manylinux_2_17; Amazon Linux 2 has 2.26). The wheel is
# linked by zig (maturin --zig, the `ziglang` package) against glibc 2.17's symbols, so no manylinux
# container is needed. The AWS SDK's default TLS/crypto (rustls on aws-lc-rs; aws-lc-sys is C built by
# the cc crate) compiles under zig as it is, so the backend is unchanged.
#
# --from-sdist builds the wheel from the sdist (maturin build --sdist), proving the sdist holds everything
# a build needs (the core crate, core/strategies/*.wasm, the WIT...). It uses a new, empty target
# directory each time: the sdist's files carry a fixed old timestamp, so cargo would take artifacts
# compiled earlier from other sources as up to date.
#
# Tools come from PyPI into a virtualenv of their own, ${SSMPATCH_WHEEL_TOOLS:-.wheel-tools}: maturin
# (pinned as in python/requirements-dev.txt), ziglang and auditwheel. Needs what scripts/setup.sh
# provides (the pinned Rust toolchain, python3 >= 3.9) and PyPI. At the end `auditwheel show` must find a
# manylinux tag no newer than manylinux_2_26, else the script fails; it prints the tag and the size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

profile=release
sdist=1
from_sdist=0
out="$root/dist"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --profile) profile="${2:?--profile needs a cargo profile name (release, dev)}"; shift 2 ;;
        --profile=*) profile="${1#--profile=}"; shift ;;
        --no-sdist) sdist=0; shift ;;
        --from-sdist) from_sdist=1; shift ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --out=*) out="${1#--out=}"; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "build-wheels: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

# The manylinux floor: glibc 2.17 (manylinux2014). MAX_GLIBC_MINOR is what Amazon Linux 2 has (2.26).
compatibility=manylinux2014
max_glibc_minor=26
ZIGLANG_VERSION=0.17.1
AUDITWHEEL_VERSION=6.8.2

maturin_pin="$(grep -E '^maturin==' python/requirements-dev.txt || true)"
if [[ -z "$maturin_pin" ]]; then
    echo "build-wheels: python/requirements-dev.txt has no 'maturin==VERSION' line to pin maturin by" >&2
    exit 1
fi

tools="${SSMPATCH_WHEEL_TOOLS:-$root/.wheel-tools}"
case "$tools" in /*) ;; *) tools="$root/$tools" ;; esac
wanted="$maturin_pin ziglang==$ZIGLANG_VERSION auditwheel==$AUDITWHEEL_VERSION"
if [[ ! -x "$tools/bin/python" ]]; then
    echo "build-wheels: creating the tool virtualenv $tools" >&2
    python3 -m venv "$tools"
fi
if [[ "$(cat "$tools/.ssmpatch-tools" 2>/dev/null)" != "$wanted" ]]; then
    echo "build-wheels: installing $wanted into $tools" >&2
    # shellcheck disable=SC2086
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check $wanted
    echo "$wanted" > "$tools/.ssmpatch-tools"
fi
export PATH="$tools/bin:$PATH"
# maturin develop's environment (scripts/python-dev.sh) must not leak into the build.
unset VIRTUAL_ENV CONDA_PREFIX

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
mkdir -p "$out"
rm -f "$out"/ssmpatch-"$version"-*.whl "$out"/ssmpatch-"$version".tar.gz

args=(build --manifest-path python/Cargo.toml --profile "$profile" --zig --compatibility "$compatibility"
      --interpreter "$tools/bin/python" --strip --out "$out")
start=$SECONDS
if [[ "$from_sdist" == 1 ]]; then
    # From the sdist, cargo drops the lock entries of the workspace members the sdist leaves out (the
    # CLI, examples): that counts as updating Cargo.lock, so no --locked here. Every version that
    # remains is the locked one.
    args+=(--sdist)
    sdist_target="$(mktemp -d "$root/.wheel-from-sdist.XXXXXX")"
    trap 'rm -rf "$sdist_target"' EXIT
    echo "build-wheels: CARGO_TARGET_DIR=${sdist_target#"$root"/} maturin ${args[*]}" >&2
    CARGO_TARGET_DIR="$sdist_target" maturin "${args[@]}" >&2
else
    args+=(--locked)
    if [[ "$sdist" == 1 ]]; then
        echo "build-wheels: maturin sdist --manifest-path python/Cargo.toml --out ${out#"$root"/}" >&2
        maturin sdist --manifest-path python/Cargo.toml --out "$out" >&2
    fi
    echo "build-wheels: maturin ${args[*]}" >&2
    maturin "${args[@]}" >&2
fi
elapsed=$((SECONDS - start))

shopt -s nullglob
wheels=("$out"/ssmpatch-"$version"-cp39-abi3-*.whl)
shopt -u nullglob
if [[ ${#wheels[@]} -ne 1 ]]; then
    echo "build-wheels: expected one abi3 wheel in $out, found ${#wheels[@]}: $(ls "$out")" >&2
    exit 1
fi
wheel="${wheels[0]}"
show="$(auditwheel show "$wheel")"
echo "$show" >&2
tag="$(grep -oE '"manylinux_2_[0-9]+_x86_64"' <<<"$show" | head -1 | tr -d '"' || true)"
if [[ -z "$tag" ]]; then
    echo "build-wheels: auditwheel show found no manylinux tag for $wheel" >&2
    exit 1
fi
minor="${tag#manylinux_2_}"; minor="${minor%%_*}"
if (( minor > max_glibc_minor )); then
    echo "build-wheels: $wheel needs glibc 2.$minor ($tag); the floor is 2.$max_glibc_minor (Amazon Linux 2)" >&2
    exit 1
fi
size="$(du -h "$wheel" | cut -f1)"
printf 'build-wheels: %s (profile %s) in %dm%02ds\n' "${wheel#"$root"/}" "$profile" $((elapsed / 60)) $((elapsed % 60)) >&2
printf 'build-wheels: auditwheel: %s; size %s (%d bytes)\n' "$tag" "$size" "$(stat -c %s "$wheel")" >&2
if [[ "$sdist" == 1 || "$from_sdist" == 1 ]]; then
    [[ -f "$out/ssmpatch-$version.tar.gz" ]] || { echo "build-wheels: no sdist $out/ssmpatch-$version.tar.gz" >&2; exit 1; }
    printf 'build-wheels: sdist %s (%s)%s\n' "${out#"$root"/}/ssmpatch-$version.tar.gz" \
        "$(du -h "$out/ssmpatch-$version.tar.gz" | cut -f1)" "$([[ "$from_sdist" == 1 ]] && echo '; the wheel was built from it')" >&2
fi
# The wheel's path on stdout, for scripts: wheel="$(scripts/build-wheels.sh --profile dev)".
echo "$wheel"
