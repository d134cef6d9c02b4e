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

# Pillow's source distribution carries `Tests/images`: about a thousand odd and corrupt images
# (truncated files, bombs, fuzzer finds, rare colour types) for tests/pillow_images.rs. The wheels
# do not carry them, hence the sdist; pinned, and checked against its PyPI SHA-256.
PILLOW_VERSION="12.0.0"
PILLOW_SHA256="87d4f8125c9988bfbed67af47dd7a953e2fc7b0cc1e7800ec6d2080d490bb353"
PILLOW_DIR="$HOME/.cache/threadline/pillow-$PILLOW_VERSION"

# fetch_pillow_images PYTHON: Tests/images of the Pillow sdist into $PILLOW_DIR (once; kept).
fetch_pillow_images() {
  local py="$1" tmp tgz
  [ -f "$PILLOW_DIR/.complete" ] && [ -d "$PILLOW_DIR/Tests/images" ] && return 0
  tmp="$(mktemp -d)"
  # pip prepares the sdist's metadata in an isolated build environment (about two minutes once).
  "$py" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: "pillow==$PILLOW_VERSION" -d "$tmp" </dev/null \
    || { echo "pip download pillow==$PILLOW_VERSION (sdist) failed" >&2; rm -rf "$tmp"; return 1; }
  tgz="$(ls "$tmp"/pillow-"$PILLOW_VERSION".tar.gz 2>/dev/null | head -n 1)"
  [ -n "$tgz" ] || { echo "no pillow-$PILLOW_VERSION.tar.gz in the download" >&2; rm -rf "$tmp"; return 1; }
  [ "$(sha256sum "$tgz" | cut -d' ' -f1)" = "$PILLOW_SHA256" ] \
    || { echo "pillow-$PILLOW_VERSION.tar.gz: SHA-256 differs from the pinned one" >&2; rm -rf "$tmp"; return 1; }
  tar -xzf "$tgz" -C "$tmp" --no-same-owner "pillow-$PILLOW_VERSION/Tests/images" \
    || { echo "extracting Tests/images from $tgz failed" >&2; rm -rf "$tmp"; return 1; }
  rm -rf "$PILLOW_DIR" && mkdir -p "$PILLOW_DIR" && mv "$tmp/pillow-$PILLOW_VERSION/Tests" "$PILLOW_DIR/Tests" \
    && printf 'pillow==%s sdist %s\n' "$PILLOW_VERSION" "$PILLOW_SHA256" > "$PILLOW_DIR/.complete"
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

# Packages: a C compiler for the bundled SQLite, pkg-config; cmake and nasm build the
# libjpeg-turbo 3.x bundled in turbojpeg-sys (Debian 12's libturbojpeg0-dev is 2.1.5, too old for
# the turbojpeg 1.x bindings); coreutils (sha256sum) and util-linux (setpriv) for tests; unzip and
# pip fetch the base photos of the sample generator; hashdeep and ripgrep are benchmark peers (bench only).
BASE_DEBS=(build-essential pkg-config cmake nasm coreutils util-linux unzip python3-pip)

# Benchmark peers (./dev.sh bench): pinned versions, installed into the cache, never system-wide.
PEERS="$HOME/.cache/threadline/peers"
CZKAWKA_VERSION="12.0.2"
PY_PEERS=(pdqhash==0.2.8 numpy ImageHash==4.3.2 pillow faiss-cpu==1.15.1)

# A private Python venv (~/.cache/threadline/venv) with the given pip packages.
need_venv() {
  VENV="$HOME/.cache/threadline/venv"
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$VENV"
    python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; need_debs python3-venv python3-dev; python3 -m venv "$VENV"; }
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" </dev/null
  export THREADLINE_PYTHON="$VENV/bin/python"
}

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
    say "fetching Pillow's odd and corrupt test images (sdist pillow==$PILLOW_VERSION from PyPI) for the robustness test"
    if fetch_pillow_images "$VENV/bin/python"; then
      export THREADLINE_PILLOW_IMAGES="$PILLOW_DIR/Tests/images"
      echo "$(find "$THREADLINE_PILLOW_IMAGES" -type f | wc -l) files in $THREADLINE_PILLOW_IMAGES" >&2
    else
      echo "WARNING: Pillow's test images are not available: tests/pillow_images.rs will be SKIPPED (and FAIL under CI=true)" >&2
    fi
    say "fetching third-party artefact databases (PyPI, crates.io) for tests/thirdparty.rs"
    THIRDPARTY="${THREADLINE_THIRDPARTY:-$HOME/.cache/threadline/thirdparty}"
    if THREADLINE_THIRDPARTY="$THIRDPARTY" tests/fetch-thirdparty.sh; then
      export THREADLINE_THIRDPARTY="$THIRDPARTY"
    else
      echo "WARNING: third-party databases not all fetched: tests/thirdparty.rs will be SKIPPED (and FAIL under CI=true)" >&2
    fi
    say "running every test"
    cargo test --workspace --locked --no-fail-fast
    ;;
  bench)
    need_rust
    need_debs "${BASE_DEBS[@]}" hashdeep ripgrep
    if [ ! -x "$PEERS/bin/czkawka_cli" ]; then
      # A long build (about 10-20 minutes on 2 cores), once; kept in the cache.
      say "installing the benchmark peer czkawka_cli $CZKAWKA_VERSION into $PEERS (cargo install)"
      cargo install czkawka_cli --version "$CZKAWKA_VERSION" --locked --root "$PEERS" \
        --target-dir "$HOME/.cache/threadline/peers-target" </dev/null
      rm -rf "$HOME/.cache/threadline/peers-target"
    fi
    export THREADLINE_CZKAWKA="$PEERS/bin/czkawka_cli"
    say "installing the Python peers (${PY_PEERS[*]}) in a private venv"
    need_venv "${PY_PEERS[@]}"
    say "fetching the base photos the 12 MP benchmark images are made from"
    samples/fetch-base-images.sh
    cargo build --release --locked
    bin="$CARGO_TARGET_DIR/release/threadline"
    "$bin" bench hash --mib "${BENCH_MIB:-1024}"
    "$bin" bench ingest --files "${BENCH_FILES:-100000}"
    "$bin" bench images --files "${BENCH_IMAGES:-60}"
    "$bin" bench pairs --n "${BENCH_PAIRS:-100000}"
    "$bin" bench keywords --mib "${BENCH_TEXT_MIB:-512}" --messages "${BENCH_MESSAGES:-500000}"
    ;;
  *)
    echo "usage: ./dev.sh run | test | bench" >&2
    exit 2
    ;;
esac
