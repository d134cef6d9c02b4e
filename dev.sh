#!/usr/bin/env bash
# Threadline set-up: the two commands of the README.
#   ./dev.sh run    install what is missing, build, generate the sample case, ingest it, show it
#   ./dev.sh test   install what the tests need, run every test
# Both install their own Debian packages (apt-get) and crates; neither downloads a toolchain or a
# browser. Builds go to $CARGO_TARGET_DIR (default: a cache folder outside the clone, reused when the
# machine keeps it; never required).
set -euo pipefail
cd "$(dirname "$0")"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/threadline/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"

say() { printf '\n==> %s\n' "$*" >&2; }

need_debs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

need_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo (Rust 1.90 or newer) is required and is not on PATH; install Rust with rustup first." >&2
    exit 1
  fi
}

# Packages: a C compiler for the bundled SQLite, pkg-config; coreutils (sha256sum) and util-linux
# (setpriv) for tests; unzip and pip fetch the base photos of the sample generator; hashdeep and
# ripgrep are the benchmark peers (bench only).
BASE_DEBS=(build-essential pkg-config coreutils util-linux unzip python3-pip)

case "${1:-}" in
  run)
    need_rust
    need_debs "${BASE_DEBS[@]}"
    say "building threadline (release)"
    cargo build --release --locked
    bin="$CARGO_TARGET_DIR/release/threadline"
    out="${THREADLINE_SAMPLE_DIR:-$PWD/out/sample}"
    rm -rf "$out"
    mkdir -p "$out"
    say "fetching the base photos of the sample generator (PyPI, Debian; falls back to drawn images)"
    samples/fetch-base-images.sh || echo "warning: base photos not fetched; the sample uses procedurally drawn images" >&2
    say "generating the synthetic sample case 'labour-job-ads' in $out"
    "$bin" sample generate --scenario labour-job-ads --out "$out/evidence" --seed 1
    "$bin" case new "$out/sample.tlcase" --name "Sample: labour exploitation via job ads" --examiner "Sample Examiner"
    for dev in "$out"/evidence/*/; do
      found=0
      for item in "$dev"*.tar "$dev"*.zip "$dev"*.tar.gz "$dev"*.tgz; do
        [ -f "$item" ] || continue
        found=1
        say "ingesting $item"
        "$bin" ingest "$out/sample.tlcase" "$item" --label "$(basename "$dev")/$(basename "$item")"
      done
      if [ "$found" -eq 0 ]; then
        say "ingesting folder $dev"
        "$bin" ingest "$out/sample.tlcase" "$dev" --label "$(basename "$dev")"
      fi
    done
    say "case info"
    "$bin" case info "$out/sample.tlcase"
    say "verify"
    "$bin" verify "$out/sample.tlcase"
    ;;
  test)
    need_rust
    need_debs "${BASE_DEBS[@]}"
    say "fetching the base photos of the sample generator (tests pass with or without them)"
    samples/fetch-base-images.sh || echo "warning: base photos not fetched; tests use procedurally drawn images" >&2
    say "installing the Python peers of the conformance tests (pdqhash, numpy) in a private venv"
    VENV="$HOME/.cache/threadline/venv"
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
      rm -rf "$VENV"
      python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; need_debs python3-venv python3-dev; python3 -m venv "$VENV"; }
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pdqhash==0.2.8 numpy </dev/null
    export THREADLINE_PYTHON="$VENV/bin/python"
    say "running every test"
    cargo test --workspace --locked --no-fail-fast
    ;;
  bench)
    need_rust
    need_debs "${BASE_DEBS[@]}" hashdeep ripgrep
    cargo build --release --locked
    "$CARGO_TARGET_DIR/release/threadline" bench hash --mib "${BENCH_MIB:-1024}"
    "$CARGO_TARGET_DIR/release/threadline" bench ingest --files "${BENCH_FILES:-100000}"
    "$CARGO_TARGET_DIR/release/threadline" bench keywords --mib "${BENCH_TEXT_MIB:-512}" --messages "${BENCH_MESSAGES:-500000}"
    ;;
  *)
    echo "usage: ./dev.sh run | test | bench" >&2
    exit 2
    ;;
esac
