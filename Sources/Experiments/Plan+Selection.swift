/// The runs one invocation trains of a plan: all, or those `--index` names, and only if the
/// plan is the one a job was written for (`--expect-plan`).
extension Plan {
    /// Why a selection was refused: a message for the spec's path.
    public struct SelectionError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// - Parameters:
    ///   - indices: 0-based plan positions (`--index`), nil for every run.
    ///   - digest: the plan digest a job was written for, if any.
    /// - Throws: `SelectionError` when the plan changed since the job was written, an index is
    ///   outside the plan, or single runs are asked of a pruned sweep (whose rungs decide
    ///   between runs).
    public func runs(at indices: [Int]?, expecting digest: String?) throws(SelectionError) -> [Run] {
        if indices != nil && pruning != nil {
            throw SelectionError(message: "--index trains single runs, but this spec prunes (prune:), deciding between "
                + "runs at every rung; run the whole spec")
        }
        if let digest, digest != self.digest {
            throw SelectionError(message: "the plan is not the one this job was written for (digest \(digest), now "
                + "\(self.digest)): the spec or its overrides changed since; write the job again with runner slurm")
        }
        guard let indices else { return runs }
        if let outside = indices.first(where: { $0 < 0 || $0 >= runs.count }) {
            throw SelectionError(message: "--index \(outside) is outside the plan's runs 0...\(runs.count - 1)")
        }
        return indices.map { runs[$0] }
    }
}
