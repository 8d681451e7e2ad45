#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: the C libraries the build links, then the datasets.
# Safe to re-run; skips what is already there. Uses sudo when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libyaml-dev libblis-dev zlib1g-dev)
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
scripts/fetch-data.sh "$@"
