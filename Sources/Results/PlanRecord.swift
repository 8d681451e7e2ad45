import Experiments
import Foundation

/// An experiment's `plan.json`: the runs of the last plan run on its folder, in plan order,
/// each with its config. Written and read by this type; the summary follows its order.
/// (`plan.tsv`, written beside it, is the same plan as a table for people and shell tools;
/// runner never reads it back, except in a folder from before plan.json, see `read`.)
public struct PlanRecord: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// 0-based position in the plan (`--index`).
        public var index: Int
        public var id: String
        public var name: String
        /// nil only in a folder from before plan.json whose run was never started.
        public var config: RunConfig?
    }

    public var experiment: String
    public var runs: [Entry]

    public init(_ plan: Plan) {
        experiment = plan.experiment
        runs = plan.runs.map { Entry(index: $0.index, id: $0.id, name: $0.name, config: $0.config) }
    }

    init(experiment: String, runs: [Entry]) {
        self.experiment = experiment
        self.runs = runs
    }

    /// The file's text: one run a line.
    public var json: String {
        func line(_ e: Entry) -> String {
            let config = e.config.map { Run.json(of: $0) } ?? "null"
            return "{\"index\": \(e.index), \"id\": \(JSON.quote(e.id)), \"name\": \(JSON.quote(e.name)), \"config\": \(config)}"
        }
        return "{\n  \"experiment\": \(JSON.quote(experiment)),\n  \"runs\": [\n"
            + runs.map { "    " + line($0) }.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// The plan last run on `store`'s folder: plan.json; in a folder written before plan.json
    /// existed, plan.tsv's first three columns (index, id, name) with each run's config from
    /// its config.json. nil when there is neither (or plan.json is unreadable).
    public static func read(_ store: RunStore) -> PlanRecord? {
        if let data = FileManager.default.contents(atPath: store.file(RunStore.planRecordFile)) {
            return try? JSONDecoder().decode(PlanRecord.self, from: data)
        }
        guard let tsv = try? String(contentsOfFile: store.file(RunStore.planFile), encoding: .utf8) else { return nil }
        var entries: [Entry] = []
        for line in tsv.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let index = Int(fields[0]) else { continue }
            let id = String(fields[1])
            entries.append(Entry(index: index, id: id, name: String(fields[2]), config: store.record(ofID: id)?.config))
        }
        return PlanRecord(experiment: (store.directory as NSString).lastPathComponent, runs: entries)
    }
}
