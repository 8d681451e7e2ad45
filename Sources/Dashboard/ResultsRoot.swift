import Foundation
import Results

/// The results folder the dashboard serves, and the only way a request names anything in it:
/// an experiment is a folder directly inside the root, listed from disk, whose real path
/// (symbolic links resolved) is inside the root's. A name that is not one of those (`..`, an
/// encoded traversal, a link leading out, a file) is not found.
public struct ResultsRoot: Sendable {
    public let path: String
    let realPath: String

    public init(_ path: String) {
        self.path = path
        realPath = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// The experiments in the root, by name, sorted.
    public func experiments() -> [String] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted().filter { store(named: $0) != nil }
    }

    /// The store of experiment `name`, or nil when no such experiment is in the root.
    public func store(named name: String) -> RunStore? {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.hasPrefix("."),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        let dir = (path as NSString).appendingPathComponent(name)
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().standardizedFileURL.path
        guard real.hasPrefix(realPath + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let store = RunStore(directory: dir)
        guard FileManager.default.fileExists(atPath: store.file(RunStore.planFile)) else { return nil }
        return store
    }
}
