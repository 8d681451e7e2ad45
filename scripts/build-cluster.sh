#!/usr/bin/env bash
# Builds a runner binary for a cluster's compute nodes: release, with the Swift runtime and
# Foundation linked in statically (--static-swift-stdlib), so the nodes need no Swift
# toolchain. What it still loads are Debian/Ubuntu system libraries from /lib and /usr/lib:
# libblis4, libyaml-0-2, zlib1g, libcurl4 (Foundation's networking, which the dashboard's
# server library links), libstdc++6, libgomp1 and libc (install those packages on
# the nodes, or use a node image that has them). Prints the binary's path and what it loads.
#
#   scripts/build-cluster.sh [OUT]     default OUT: .build-cluster/runner
#
# Then: runner slurm SPEC --runner "$(pwd)/.build-cluster/runner" ...
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build-cluster/runner}
swift build -c release --product runner --static-swift-stdlib --scratch-path .build-cluster/build >&2
mkdir -p "$(dirname "$out")"
cp "$(swift build -c release --static-swift-stdlib --scratch-path .build-cluster/build --show-bin-path)/runner" "$out.tmp"
mv "$out.tmp" "$out"
echo "build-cluster: $out" >&2
echo "build-cluster: it loads these shared libraries:" >&2
ldd "$out" | sed 's/^/  /' >&2
# Anything from outside the system's library folders would be missing on a node.
if ldd "$out" | awk '$2 == "=>" && $3 !~ "^/(usr/)?lib(64)?/" { bad = 1 } END { exit !bad }'; then
  echo "build-cluster: error: the binary still loads libraries from outside /lib and /usr/lib" >&2
  exit 1
fi
echo "$out"
