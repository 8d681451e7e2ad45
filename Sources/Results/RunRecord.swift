import Experiments
import Foundation

/// A run's `config.json`: its id, its name and its config, written and read by this type.
///
///     {
///       "id": "3f2a9c0d1b7e",
///       "name": "activation=relu,dropout=0.5",
///       "config": {"activation": "relu", "dropout": 0.5, ...}
///     }
///
/// The config holds its identifying parameters only (`Run.json(of:)`); one written before a
/// parameter existed decodes it to the value it had then (`RunConfig`'s `Codable`).
public struct RunRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var config: RunConfig

    public init(id: String, name: String, config: RunConfig) {
        self.id = id
        self.name = name
        self.config = config
    }

    public init(_ run: Run) { self.init(id: run.id, name: run.name, config: run.config) }

    /// The file's text: the fields one a line, the config on one line in parameter order.
    public var json: String {
        "{\n  \"id\": \(JSON.quote(id)),\n  \"name\": \(JSON.quote(name)),\n"
            + "  \"config\": \(Run.json(of: config))\n}\n"
    }

    /// Reads a config.json; nil when it is missing or not a run record of a known shape.
    public static func read(_ path: String) -> RunRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunRecord.self, from: data)
    }
}
