#!/usr/bin/env bash
# The built-in strategy components, committed in core/strategies/ and embedded in ssmpatch with
# include_bytes! (nothing builds them during a normal build). Two uses:
#
#   scripts/build-strategies.sh           rebuild core/strategies/*.wasm from wasm-policies/
#                                          (after changing a strategy, the SDK or the WIT)
#   scripts/build-strategies.sh --check   rebuild from a clone of HEAD at another path and
#                                          compare SHA-256 with the committed files (CI runs it)
#
# Reproducible: the pinned toolchain (rust-toolchain.toml), wasm-policies/Cargo.lock, a release
# profile without debug info (strip = true), and the source, Cargo home and target paths remapped
# so neither where the checkout lives nor where the registry is ends up in the bytes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=wasm32-wasip2
strategies=(put-compliance-items rescan)

# Builds the strategies of the checkout at $1 and copies them to the directory $2.
build() {
    local src="$1" out="$2" tdir cargo_home
    tdir="$(mktemp -d)"
    cargo_home="${CARGO_HOME:-$HOME/.cargo}"
    # One flag per \x1f-separated field, so paths with spaces stay whole.
    local flags
    flags="$(printf '%s\x1f%s\x1f%s' "--remap-path-prefix=$src=/ssmpatch" \
        "--remap-path-prefix=$cargo_home=/cargo" "--remap-path-prefix=$tdir=/target")"
    local args=(build --release --locked --target "$target" --manifest-path "$src/wasm-policies/Cargo.toml"
        --target-dir "$tdir")
    for s in "${strategies[@]}"; do args+=(-p "$s"); done
    (cd "$src" && env -u CARGO_TARGET_DIR -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
        CARGO_ENCODED_RUSTFLAGS="$flags" cargo "${args[@]}") >&2
    mkdir -p "$out"
    for s in "${strategies[@]}"; do
        cp "$tdir/$target/release/${s//-/_}.wasm" "$out/$s.wasm"
    done
    rm -rf "$tdir"
}

if [[ "${1:-}" == "--check" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    # Another path, a different length, so a leaked path would change the bytes.
    git clone --quiet "$root" "$work/elsewhere/another-checkout"
    if [[ -n "$(git -C "$root" status --porcelain -- wasm-policies core/strategies)" ]]; then
        echo "build-strategies: note: wasm-policies/ or core/strategies/ has uncommitted changes; the check builds HEAD" >&2
    fi
    build "$work/elsewhere/another-checkout" "$work/built"
    status=0
    for s in "${strategies[@]}"; do
        committed="$(sha256sum < "$root/core/strategies/$s.wasm" | cut -d' ' -f1)"
        rebuilt="$(sha256sum < "$work/built/$s.wasm" | cut -d' ' -f1)"
        if [[ "$committed" == "$rebuilt" ]]; then
            echo "build-strategies: $s.wasm reproduced ($rebuilt)" >&2
        else
            echo "build-strategies: $s.wasm differs: committed $committed, rebuilt $rebuilt" >&2
            echo "  (after changing wasm-policies/, run scripts/build-strategies.sh and commit core/strategies/)" >&2
            status=1
        fi
    done
    exit "$status"
fi

build "$root" "$root/core/strategies"
(cd "$root/core/strategies" && sha256sum ./*.wasm) >&2
