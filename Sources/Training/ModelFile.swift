import Experiments
import Foundation
import MLP
import Results
import Vocabulary

/// A finished run's trained network as `model.safetensors`, named as PyTorch names the
/// `state_dict` of the equivalent `nn.Sequential`: per hidden layer `Linear`, then
/// `BatchNorm1d` (with `batch_norm`), the activation, and `Dropout` (when p > 0), each taking
/// the next index; then the output `Linear`. So
///
///     model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
///     model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
///
/// gives the run's network (the metadata's `architecture` spells that line). Logits come out,
/// as the engine's log-softmax + NLL equals PyTorch's `CrossEntropyLoss` on them; a regression
/// run's outputs are its predictions (trained with `MSELoss`; `runner.task` says which). The metadata
/// also holds the run's config, the epoch the weights are from (with `select:`, the selected
/// epoch's, as the report's figures are), and for a dataset of files its scaling and class names.
public enum ModelFile {
    public static let name = RunStore.modelFile

    /// PyTorch's module for an activation.
    static func module(_ activation: Activation) -> String {
        switch activation {
        case .relu: "nn.ReLU()"
        case .sigmoid: "nn.Sigmoid()"
        case .tanh: "nn.Tanh()"
        }
    }

    /// - Parameters:
    ///   - epoch: the epoch whose weights these are (the run's selected one with `selection`).
    public static func tensors(shape: NetworkShape, config: RunConfig, state: Trainer.State,
                               scaling: Scaling?, classNames: [String]?, record: String, epoch: Int,
                               selection: Selection? = nil) -> SafeTensors {
        var tensors: [SafeTensors.Tensor] = []
        var modules: [String] = []
        let p = state.parameters
        var normStart = 0
        let normUnits = shape.norms.reduce(0) { $0 + $1.units }
        if config.inputDropout > 0 { modules.append("nn.Dropout(\(config.inputDropout))") }  // index 0: the layers shift by one
        for (l, layer) in shape.layers.enumerated() {
            let i = modules.count
            tensors.append(.init("\(i).weight", shape: [layer.outputs, layer.inputs],
                                 floats: Array(p[layer.weightOffset..<layer.biasOffset])))
            tensors.append(.init("\(i).bias", shape: [layer.outputs], floats: Array(p[layer.biasOffset..<(layer.biasOffset + layer.outputs)])))
            modules.append("nn.Linear(\(layer.inputs), \(layer.outputs))")
            guard l < shape.layers.count - 1 else { break }
            if shape.batchNorm, l < shape.norms.count {
                let norm = shape.norms[l], j = modules.count, units = norm.units
                let stats = state.runningStatistics
                tensors.append(.init("\(j).weight", shape: [units], floats: Array(p[norm.gammaOffset..<(norm.gammaOffset + units)])))
                tensors.append(.init("\(j).bias", shape: [units], floats: Array(p[norm.betaOffset..<(norm.betaOffset + units)])))
                tensors.append(.init("\(j).running_mean", shape: [units], floats: Array(stats[normStart..<(normStart + units)])))
                tensors.append(.init("\(j).running_var", shape: [units],
                                     floats: Array(stats[(normUnits + normStart)..<(normUnits + normStart + units)])))
                tensors.append(.init("\(j).num_batches_tracked", int64: Int64(state.steps)))
                modules.append("nn.BatchNorm1d(\(units))")
                normStart += units
            }
            modules.append(module(config.activation))
            if config.dropout > 0 { modules.append("nn.Dropout(\(config.dropout))") }
        }
        var metadata = ["format": "pt", "architecture": "nn.Sequential(" + modules.joined(separator: ", ") + ")",
                        "runner.config": record, "runner.epoch": String(epoch)]
        if let selection { metadata["runner.selected_by"] = "\(selection.metric) (\(selection.goal))" }
        metadata["runner.task"] = config.task.rawValue
        if let scaling { metadata["runner.scaling"] = scaling.json(classNames: classNames) }
        if let classNames {
            metadata["runner.class_names"] = "[" + classNames.map { JSON.quote($0) }.joined(separator: ", ") + "]"
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }
}

extension ModelFile {
    public struct Loaded {
        public var shape: NetworkShape
        public var parameters: [Float]
        public var runningStatistics: [Float]
    }

    /// The network a model file holds, for a run of `config` (whose hidden sizes, batch norm
    /// and dropout, input dropout included, fix the module numbering `tensors` wrote).
    public static func load(_ file: SafeTensors, config: RunConfig) throws(SafeTensors.ReadError) -> Loaded {
        let start = config.inputDropout > 0 ? 1 : 0  // nn.Dropout on the inputs is module 0
        guard let first = file.tensor("\(start).weight"), first.shape.count == 2 else {
            throw SafeTensors.ReadError(message: "it has no \(start).weight, the first Linear layer's weights")
        }
        var index = start, outputs: [Int] = []
        var weights: [[Float]] = [], biases: [[Float]] = [], gammas: [Float] = [], betas: [Float] = []
        var means: [Float] = [], variances: [Float] = []
        for l in 0...config.hidden.count {
            guard let w = file.tensor("\(index).weight"), let b = file.tensor("\(index).bias"), w.shape.count == 2,
                  b.shape == [w.shape[0]], l == 0 || w.shape[1] == outputs.last,
                  l == config.hidden.count || w.shape[0] == config.hidden[l] else {
                throw SafeTensors.ReadError(message: "module \(index) is not the Linear layer the run's config has")
            }
            weights.append(w.floats)
            biases.append(b.floats)
            outputs.append(w.shape[0])
            index += 1
            guard l < config.hidden.count else { break }
            if config.batchNorm {
                guard let g = file.tensor("\(index).weight"), let be = file.tensor("\(index).bias"),
                      let m = file.tensor("\(index).running_mean"), let v = file.tensor("\(index).running_var"),
                      [g, be, m, v].allSatisfy({ $0.shape == [config.hidden[l]] && $0.dtype == .f32 }) else {
                    throw SafeTensors.ReadError(message: "module \(index) is not the BatchNorm1d the run's config has")
                }
                gammas += g.floats
                betas += be.floats
                means += m.floats
                variances += v.floats
                index += 1
            }
            index += config.dropout > 0 ? 2 : 1
        }
        let shape = NetworkShape(inputs: first.shape[1], hidden: config.hidden, classes: outputs.last!, batchNorm: config.batchNorm)
        var parameters: [Float] = []
        for (w, b) in zip(weights, biases) { parameters += w + b }
        if config.batchNorm {
            for (l, norm) in shape.norms.enumerated() {
                let start = shape.norms[..<l].reduce(0) { $0 + $1.units }
                parameters += gammas[start..<(start + norm.units)]
                parameters += betas[start..<(start + norm.units)]
            }
        }
        return Loaded(shape: shape, parameters: parameters, runningStatistics: means + variances)
    }
}
