import Experiments

extension Selection {
    /// The epoch a run's rows select: the best value of the metric (the first of equal ones);
    /// nil when no row has the metric. The one rule for summaries, reports and the model a
    /// run keeps.
    public func selectedEpoch(_ metrics: [EpochMetrics]) -> Int? {
        var best: (epoch: Int, value: Double)?
        for m in metrics {
            guard let v = m.figure(metric) else { continue }
            if best == nil || (goal == "max" ? v > best!.value : v < best!.value) { best = (m.epoch, v) }
        }
        return best?.epoch
    }
}
