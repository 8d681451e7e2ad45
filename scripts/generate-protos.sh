#!/usr/bin/env bash
# Generates Sources/TensorBoardProto/*.pb.swift from the .proto files beside them (the subset
# of TensorBoard's protocol buffers `runner export --format tensorboard` writes). The generated
# code is committed: building swift-protobuf's plugin takes minutes, so the package never does.
# Run after editing a .proto: needs protoc (Debian's protobuf-compiler) and protoc-gen-swift
# of the swift-protobuf release Package.swift names (built here from the package mirror when
# not on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*swift-protobuf.git", exact: "\([0-9.]*\)".*/\1/p' Package.swift)
command -v protoc >/dev/null || { echo "generate-protos: needs protoc (apt-get install protobuf-compiler)" >&2; exit 3; }
plugin=$(command -v protoc-gen-swift || true)
if [ -z "$plugin" ]; then
  dir=.build-protoc-gen-swift
  [ -d "$dir" ] || git clone -q https://github.com/apple/swift-protobuf.git "$dir"
  git -C "$dir" checkout -q "$version"
  (cd "$dir" && swift build -c release --product protoc-gen-swift >/dev/null)
  plugin="$dir/.build/release/protoc-gen-swift"
fi
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out=Sources/TensorBoardProto \
  -I Sources/TensorBoardProto -I /usr/include Sources/TensorBoardProto/*.proto
ls Sources/TensorBoardProto/*.pb.swift
