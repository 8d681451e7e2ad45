import Foundation
import Results
import SwiftProtobuf
import TensorBoardProto

/// `runner export --format tensorboard`: event files TensorBoard reads. Under
/// OUTPUT/EXPERIMENT/, one folder per run (`ExportedRuns.folderName`) with one event file:
/// a scalar per epoch for every metrics.csv column (tag = the column's name, step = the epoch,
/// wall time = when the epoch ended), and the HParams plugin's session start (every
/// parameter; the seed group as the session group) and end (status, time). The experiment's
/// folder gets the HParams experiment: the parameters that vary, with their values, and the
/// metrics, so the HParams tab tabulates runs by them.
///
/// Files are TFRecord-framed `Event` protocol buffers (TensorBoardProto, generated from the
/// subset of TensorBoard's .proto files runner writes). Written atomically; a run's earlier
/// export (an event file of runner's under another name) is replaced, nothing else touched.
public struct TensorBoardExport: Sendable {
    public var runs: ExportedRuns
    public init(_ runs: ExportedRuns) { self.runs = runs }

    /// Maps (a session's parameters) in key order: the same bytes every time.
    static let deterministic: BinaryEncodingOptions = {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }()

    /// The suffix of runner's event files' names (TensorBoard reads any name holding "tfevents").
    static let fileSuffix = ".runner"

    /// Writes the export under `output`; returns the files written.
    @discardableResult
    public func write(to output: String) throws -> [String] {
        let root = (output as NSString).appendingPathComponent(runs.experiment)
        var written: [String] = []
        let first = runs.runs.map(\.started).min() ?? 0
        try AtomicFile.createDirectory(root)
        written.append(try writeEvents([TensorBoardExport.fileVersion(first), try experimentEvent(first)],
                                       in: root, name: "events.out.tfevents.\(Int(first)).hparams" + TensorBoardExport.fileSuffix))
        for run in runs.runs {
            let folder = (root as NSString).appendingPathComponent(ExportedRuns.folderName(run))
            try AtomicFile.createDirectory(folder)
            var events = [TensorBoardExport.fileVersion(run.started), try sessionStart(run)]
            for (m, end) in zip(run.metrics, run.epochEnds) {
                var summary = Tensorboard_Summary()
                summary.value = m.namedFigures.compactMap { figure in
                    guard let value = figure.value else { return nil }
                    var v = Tensorboard_Summary.Value()
                    v.tag = figure.name
                    v.simpleValue = Float(value)
                    return v
                }
                var event = Tensorboard_Event()
                event.wallTime = end
                event.step = Int64(m.epoch)
                event.summary = summary
                events.append(event)
            }
            events.append(try sessionEnd(run))
            written.append(try writeEvents(events, in: folder, name: "events.out.tfevents.\(Int(run.started))" + TensorBoardExport.fileSuffix))
        }
        return written
    }

    /// Writes `events` framed as one file in `folder`, removing runner's event files there
    /// under other names (an earlier export's).
    func writeEvents(_ events: [Tensorboard_Event], in folder: String, name: String) throws -> String {
        var bytes: [UInt8] = []
        for event in events { bytes += TFRecord.frame(try event.serializedBytes(options: TensorBoardExport.deterministic) as [UInt8]) }
        let path = (folder as NSString).appendingPathComponent(name)
        try AtomicFile.write(bytes: bytes, to: path)
        // An earlier export's file of the same kind (run scalars, or the experiment's hparams)
        // under another start time is this one's stale copy; anything else is left alone.
        let suffix = TensorBoardExport.fileSuffix
        func isHparams(_ file: String) -> Bool { file.hasSuffix(".hparams" + suffix) }
        for other in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where other != name && other.hasPrefix("events.out.tfevents.") && other.hasSuffix(suffix) && isHparams(other) == isHparams(name) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(other))
        }
        return path
    }

    static func fileVersion(_ time: Double) -> Tensorboard_Event {
        var event = Tensorboard_Event()
        event.wallTime = time
        event.fileVersion = "brain.Event:2"
        return event
    }

    /// An event holding one HParams plugin summary under `tag`.
    static func hparamsEvent(_ tag: String, _ data: Tensorboard_Hparams_HParamsPluginData, time: Double) throws -> Tensorboard_Event {
        var value = Tensorboard_Summary.Value()
        value.tag = tag
        value.metadata.pluginData.pluginName = "hparams"
        value.metadata.pluginData.content = try data.serializedData(options: TensorBoardExport.deterministic)
        // The plugin's summaries carry an empty float tensor, as TensorBoard's own writer's.
        var tensor = Tensorboard_TensorProto()
        tensor.dtype = .dtFloat
        tensor.tensorShape.dim = [Tensorboard_TensorShapeProto.Dim()]
        value.tensor = tensor
        var event = Tensorboard_Event()
        event.wallTime = time
        event.summary.value = [value]
        return event
    }

    func experimentEvent(_ time: Double) throws -> Tensorboard_Event {
        var experiment = Tensorboard_Hparams_Experiment()
        experiment.name = runs.experiment
        experiment.timeCreatedSecs = time
        experiment.hparamInfos = runs.varying.map { key in
            var info = Tensorboard_Hparams_HParamInfo()
            info.name = key
            var values: [String] = []
            for run in runs.runs {
                let v = run.parameters.first { $0.key == key }?.value ?? ""
                if !values.contains(v) { values.append(v) }
            }
            let numbers = values.compactMap(Double.init)
            var list = Google_Protobuf_ListValue()
            if numbers.count == values.count {
                info.type = .float64
                list.values = numbers.sorted().map { Google_Protobuf_Value(numberValue: $0) }
            } else {
                info.type = .string
                list.values = values.map { Google_Protobuf_Value(stringValue: $0) }
            }
            info.domainDiscrete = list
            return info
        }
        var tags: [String] = []
        for run in runs.runs { for f in run.metrics.last?.namedFigures ?? [] where f.value != nil && !tags.contains(f.name) { tags.append(f.name) } }
        experiment.metricInfos = tags.filter { $0 != "epoch_seconds" }.map { tag in
            var info = Tensorboard_Hparams_MetricInfo()
            info.name.tag = tag
            return info
        }
        var data = Tensorboard_Hparams_HParamsPluginData()
        data.experiment = experiment
        return try TensorBoardExport.hparamsEvent("_hparams_/experiment", data, time: time)
    }

    func sessionStart(_ run: ExportedRuns.Run) throws -> Tensorboard_Event {
        var start = Tensorboard_Hparams_SessionStartInfo()
        for (key, value) in run.parameters {
            start.hparams[key] = isNumeric(key) ? Google_Protobuf_Value(numberValue: Double(value)!) : Google_Protobuf_Value(stringValue: value)
        }
        start.groupName = run.group
        start.startTimeSecs = run.started
        var data = Tensorboard_Hparams_HParamsPluginData()
        data.sessionStartInfo = start
        return try TensorBoardExport.hparamsEvent("_hparams_/session_start_info", data, time: run.started)
    }

    /// Whether every run's value of `key` is a number (then the HParams tab sorts it as one).
    func isNumeric(_ key: String) -> Bool {
        runs.runs.allSatisfy { run in Double(run.parameters.first { $0.key == key }?.value ?? "") != nil }
    }

    func sessionEnd(_ run: ExportedRuns.Run) throws -> Tensorboard_Event {
        var end = Tensorboard_Hparams_SessionEndInfo()
        switch run.status {
        case "done", "stopped", "pruned": end.status = .success
        case "running": end.status = .running
        case "failed", "diverged", "damaged": end.status = .failure
        default: end.status = .unknown
        }
        end.endTimeSecs = run.epochEnds.last ?? run.started
        var data = Tensorboard_Hparams_HParamsPluginData()
        data.sessionEndInfo = end
        return try TensorBoardExport.hparamsEvent("_hparams_/session_end_info", data, time: end.endTimeSecs)
    }
}
