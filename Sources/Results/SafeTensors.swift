import Experiments
import Foundation

/// The safetensors format (Hugging Face's; what `safetensors.torch.load_file` reads): an
/// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
/// byte range (plus `__metadata__`, text to text), padded with spaces to 8 bytes, then the
/// tensors' little-endian bytes back to back in header order. Written by hand: the format is
/// one page, and no Swift package writes it.
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public enum DType: String, Sendable { case f32 = "F32", i64 = "I64" }
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var bytes: [UInt8]

        public init(_ name: String, shape: [Int], floats: [Float]) {
            precondition(floats.count == shape.reduce(1, *))
            self.name = name
            dtype = .f32
            self.shape = shape
            bytes = floats.withUnsafeBufferPointer { b in
                var out = [UInt8]()
                out.reserveCapacity(b.count * 4)
                for v in b { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
                return out
            }
        }

        public init(_ name: String, int64 value: Int64) {
            self.name = name
            dtype = .i64
            shape = []
            bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
        }
    }

    public var tensors: [Tensor]
    public var metadata: [String: String]

    public init(tensors: [Tensor], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The file's bytes.
    public var bytes: [UInt8] {
        let quote = JSON.quote
        var entries: [String] = []
        if !metadata.isEmpty {
            entries.append("\"__metadata__\":{" + metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0]!))" }
                .joined(separator: ",") + "}")
        }
        var offset = 0
        for t in tensors {
            entries.append("\(quote(t.name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":["
                + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(32) }
        var out = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        out.reserveCapacity(8 + header.count + offset)
        out += header
        for t in tensors { out += t.bytes }
        return out
    }
}

extension SafeTensors {
    public struct ReadError: Error, Sendable {
        public var message: String
        public init(message: String) { self.message = message }
    }

    /// Reads a safetensors file's F32 and I64 tensors and its metadata.
    public init(bytes: [UInt8]) throws(ReadError) {
        guard bytes.count >= 8 else { throw ReadError(message: "too short for a safetensors header") }
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(bytes.count - 8) else { throw ReadError(message: "its header length \(n) runs past the end") }
        let headerEnd = 8 + Int(n)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw ReadError(message: "its header is not a JSON object")
        }
        var tensors: [(Int, Tensor)] = []
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtypeText = entry["dtype"] as? String,
                  let dtype = Tensor.DType(rawValue: dtypeText), let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1], headerEnd + offsets[1] <= bytes.count,
                  offsets[1] - offsets[0] == shape.reduce(1, *) * (dtype == .f32 ? 4 : 8) else {
                throw ReadError(message: "tensor \(name) is not an F32 or I64 tensor whose bytes are in the file")
            }
            var t = Tensor(name, int64: 0)
            t.dtype = dtype
            t.shape = shape
            t.bytes = Array(bytes[(headerEnd + offsets[0])..<(headerEnd + offsets[1])])
            tensors.append((offsets[0], t))
        }
        self.init(tensors: tensors.sorted { $0.0 < $1.0 }.map(\.1), metadata: metadata)
    }

    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }
}

extension SafeTensors.Tensor {
    /// An F32 tensor's values.
    public var floats: [Float] {
        stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}
