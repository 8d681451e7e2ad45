import Experiments
import Foundation

/// The specs an experiment's folder was run from, kept beside its results:
///
///     results/<experiment>/specs/<sha256-12>.yaml   each distinct spec text, as run
///     results/<experiment>/specs/sources.tsv        sha, absolute path, first time used
///
/// It also tells when a second, different spec file claims the same experiment name, which
/// would otherwise share (and overwrite the plan of) one folder.
public struct SpecArchive: Sendable {
    public let directory: String

    public init(store: RunStore) { directory = store.file("specs") }

    public struct Source: Sendable, Equatable {
        public var sha: String
        public var path: String
    }

    /// The specs recorded so far.
    public func sources() -> [Source] {
        guard let text = try? String(contentsOfFile: directory + "/sources.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return f.count >= 2 ? Source(sha: String(f[0]), path: SpecArchive.unescape(String(f[1]))) : nil
        }
    }

    /// A spec already recorded here from another file whose text differs: the same name used by
    /// two different specs. Editing a spec in place (same path), or running an unchanged copy
    /// (same text, e.g. another clone of the repository), is not a conflict.
    public func conflict(path: String, bytes: [UInt8]) -> Source? {
        let sha = SpecArchive.sha(bytes)
        let recorded = sources()
        if recorded.contains(where: { $0.path == path || $0.sha == sha }) { return nil }
        return recorded.last
    }

    /// Keeps a copy of the spec's text and notes where it came from.
    public func record(path: String, bytes: [UInt8]) throws(AtomicFile.WriteError) {
        let sha = SpecArchive.sha(bytes)
        try AtomicFile.createRealDirectory(directory)
        let copy = directory + "/\(sha).yaml"
        if !FileManager.default.fileExists(atPath: copy) { try AtomicFile.write(bytes: bytes, to: copy) }
        let recorded = sources()
        if !recorded.contains(Source(sha: sha, path: path)) {
            let lines = (recorded + [Source(sha: sha, path: path)]).map { "\($0.sha)\t\(SpecArchive.escape($0.path))" }
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: directory + "/sources.tsv")
        }
    }

    static func sha(_ bytes: [UInt8]) -> String { ShortDigest.of(bytes) }

    /// A path as one field of sources.tsv: backslash, tab, newline and return escaped (`\\`,
    /// `\t`, `\n`, `\r`), so any path a file system allows is one line and one field.
    static func escape(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The path `escape` wrote.
    static func unescape(_ field: String) -> String {
        var out = "", escaped = false
        for c in field.unicodeScalars {
            if escaped {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
