#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: the C libraries the build links, then the datasets.
# Safe to re-run; skips what is already there. Uses sudo when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libyaml-dev libblis-dev zlib1g-dev libcurl4-openssl-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
if [ $# -gt 0 ]; then
  scripts/fetch-data.sh "$@"
else
  # MNIST is needed (the seed study and the tests); Fashion-MNIST only by specs that ask for it.
  scripts/fetch-data.sh mnist
  scripts/fetch-data.sh fashion-mnist \
    || echo "setup: Fashion-MNIST could not be fetched; only specs with 'dataset: fashion-mnist' need it" >&2
fi
