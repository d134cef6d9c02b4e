#!/usr/bin/env bash
# Fetch the base photos the sample-case generator derives its pictures from.
#
#   samples/fetch-base-images.sh            # into ${THREADLINE_BASE_IMAGES:-$HOME/.cache/threadline/base-images}
#   THREADLINE_BASE_IMAGES=/some/dir samples/fetch-base-images.sh
#
# Sources (install time only; `threadline sample generate` never touches the network):
#   * PyPI wheel scikit-image==0.26.0, skimage/data/: photographs that the scikit-image docstrings
#     (skimage/data/_fetchers.py) mark as CC0 or public domain. No photos of people.
#   * Debian package mate-backgrounds (bookworm 1.26.0-1), /usr/share/backgrounds/mate/nature/:
#     nature photographs, GPL-2+ (see /usr/share/doc/mate-backgrounds/copyright). Taken from the
#     installed package if present, else fetched with `apt-get download` and unpacked with
#     `dpkg-deb -x` (no root needed); as root, `apt-get install` is the last resort.
#
# The folder ends up with the chosen files and a MANIFEST (`<sha256>  <name>  <source>  <licence>`
# per line, sorted by name). The generator checks every file against the MANIFEST. Re-running the
# script is harmless: files already present with the right hash are kept.
set -euo pipefail

SKIMAGE_VERSION="0.26.0"
DEST="${THREADLINE_BASE_IMAGES:-$HOME/.cache/threadline/base-images}"
case "$DEST" in
  none|procedural|"") echo "THREADLINE_BASE_IMAGES=$DEST selects procedural images; nothing to fetch." >&2; exit 0 ;;
esac

# name-in-skimage/data → licence (from the wheel's docstrings)
SKIMAGE_FILES=(
  "coffee.png|CC0 (Rachel Michetti, Pikolo Espresso Bar)"
  "chelsea.png|CC0 (Stefan van der Walt)"
  "rocket.jpg|public domain (SpaceX)"
  "hubble_deep_field.jpg|public domain (NASA)"
)
# name in /usr/share/backgrounds/mate/nature → all GPL-2+
MATE_FILES=(Aqua.jpg Dune.jpg FreshFlower.jpg Garden.jpg GreenMeadow.jpg LadyBird.jpg Storm.jpg TwoWings.jpg Wood.jpg YellowFlower.jpg)

mkdir -p "$DEST"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

have_all() {
  local f
  for f in "$@"; do [ -s "$DEST/$f" ] || return 1; done
}

# 1. scikit-image wheel.
sk_names=()
for e in "${SKIMAGE_FILES[@]}"; do sk_names+=("skimage-${e%%|*}"); done
if ! have_all "${sk_names[@]}"; then
  echo "downloading scikit-image==$SKIMAGE_VERSION wheel from PyPI" >&2
  PIP="$(command -v pip3 || command -v pip || true)"
  if [ -z "$PIP" ]; then PIP="python3 -m pip"; fi
  $PIP download --quiet --no-deps --only-binary=:all: "scikit-image==$SKIMAGE_VERSION" -d "$TMP/wheel"
  WHEEL="$(ls "$TMP"/wheel/scikit_image-*.whl | head -n 1)"
  patterns=()
  for e in "${SKIMAGE_FILES[@]}"; do patterns+=("skimage/data/${e%%|*}"); done
  unzip -q -o "$WHEEL" "${patterns[@]}" -d "$TMP/sk"
  for e in "${SKIMAGE_FILES[@]}"; do
    n="${e%%|*}"
    cp "$TMP/sk/skimage/data/$n" "$DEST/skimage-$n"
  done
fi

# 2. Debian mate-backgrounds.
mate_names=()
for n in "${MATE_FILES[@]}"; do mate_names+=("mate-$n"); done
if ! have_all "${mate_names[@]}"; then
  SRC=/usr/share/backgrounds/mate/nature
  if [ ! -d "$SRC" ]; then
    if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
      echo "fetching Debian package mate-backgrounds (apt-get download)" >&2
      if (cd "$TMP" && apt-get download -q mate-backgrounds >/dev/null 2>&1); then
        dpkg-deb -x "$(ls "$TMP"/mate-backgrounds_*.deb | head -n 1)" "$TMP/mate"
        SRC="$TMP/mate/usr/share/backgrounds/mate/nature"
      elif [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mate-backgrounds >/dev/null
      fi
    fi
  fi
  if [ -d "$SRC" ]; then
    for n in "${MATE_FILES[@]}"; do
      if [ -f "$SRC/$n" ]; then cp "$SRC/$n" "$DEST/mate-$n"; fi
    done
  else
    echo "warning: mate-backgrounds not available; continuing with the scikit-image photos only" >&2
  fi
fi

# 3. MANIFEST.
{
  for e in "${SKIMAGE_FILES[@]}"; do
    n="skimage-${e%%|*}"
    [ -f "$DEST/$n" ] && printf '%s  %s  %s  %s\n' "$(sha256sum "$DEST/$n" | cut -d' ' -f1)" "$n" "pypi:scikit-image==$SKIMAGE_VERSION:skimage/data/${e%%|*}" "${e#*|}"
  done
  for n in "${MATE_FILES[@]}"; do
    f="mate-$n"
    [ -f "$DEST/$f" ] && printf '%s  %s  %s  %s\n' "$(sha256sum "$DEST/$f" | cut -d' ' -f1)" "$f" "debian:mate-backgrounds:/usr/share/backgrounds/mate/nature/$n" "GPL-2+"
  done
} | sort -k2,2 > "$TMP/MANIFEST"
mv "$TMP/MANIFEST" "$DEST/MANIFEST"
echo "$(wc -l < "$DEST/MANIFEST") base images in $DEST" >&2
