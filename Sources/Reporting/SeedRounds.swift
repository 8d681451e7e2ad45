import Experiments
import Foundation
import Results
import Statistics

/// The rounds of a `seeds:` sweep: after each, every comparison of `compare`'s values is looked
/// at with `SequentialComparison` (α spent over the rounds); the groups of the comparisons not
/// settled get more seeds. `seeds.json` in the results folder records every round: what each
/// comparison showed and decided, and each group's seeds, so the report can say how many seeds
/// each group took and why it stopped.
public struct SeedRounds: Sendable {
    public static let journalFile = "seeds.json"

    /// One comparison at one look.
    public struct Look: Codable, Sendable, Equatable {
        /// "relu vs sigmoid at dropout=0.5".
        public var comparison: String
        public var groups: [String]
        public var seeds: [Int]
        public var difference: Double?
        /// The interval at the look's level (α_k).
        public var interval: [Double]?
        public var level: Double
        /// "difference", "narrow", "go on", or "no spread" (fewer than two done runs a side).
        public var decision: String
    }

    public struct Round: Codable, Sendable, Equatable {
        public var round: Int
        public var looks: [Look]
        /// Each group's seeds after this round's decision (the next round's plan).
        public var next: [String: Int]
    }

    public let adaptive: AdaptiveSeeds
    public let design: SequentialComparison

    public init(_ adaptive: AdaptiveSeeds) {
        self.adaptive = adaptive
        design = SequentialComparison(looks: adaptive.looks, width: adaptive.width)
    }

    /// Round `round`'s looks at `groups` (comparisons settled in `earlier` rounds are not looked
    /// at again), and each group's seeds for the next round: `step` more for every group of a
    /// comparison still going on, up to `max`.
    public func decide(round: Int, groups: Groups, earlier: [Round]) -> Round {
        let settled = Set(earlier.flatMap(\.looks).filter { $0.decision == "difference" || $0.decision == "narrow" }.map(\.comparison))
        var looks: [Look] = []
        var more = Set<String>()
        let comparison = try? Comparison(groups, by: adaptive.compare, figure: groups.headline.final)
        for pair in comparison?.pairs ?? [] {
            let at = pair.context.isEmpty ? "" : " at " + pair.context.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            let name = "\(pair.b) vs \(pair.a)\(at)"
            guard !settled.contains(name) else { continue }
            let k = min(round, design.looks - 1)
            let decision = design.decide(look: k, pair.sampleA, pair.sampleB)
            let interval = design.interval(look: k, pair.sampleA, pair.sampleB)
            looks.append(Look(comparison: name, groups: [pair.groupB, pair.groupA], seeds: [pair.sampleB.n, pair.sampleA.n],
                              difference: pair.test?.difference, interval: interval.map { [$0.lowerBound, $0.upperBound] },
                              level: design.level(look: k), decision: decision?.rawValue ?? "no spread"))
            if decision == nil || decision == .goOn { more.insert(pair.groupA); more.insert(pair.groupB) }
        }
        var next: [String: Int] = [:]
        for group in groups.groups {
            let have = group.rows.count
            next[group.name] = more.contains(group.name) && round + 1 < design.looks ? min(have + adaptive.step, adaptive.max) : have
        }
        return Round(round: round, looks: looks, next: next)
    }

    /// After a round's runs (`plan`) have finished: its looks (`decide`) and each
    /// configuration's seeds for the next round (keyed as `Plan`'s `seedCounts`: the config
    /// with the spec's seed); `grew` when any group gets more.
    public func advance(round: Int, plan: Plan, spec: ExperimentSpec, store: RunStore, counts: [RunConfig: Int], earlier: [Round])
        -> (round: Round, counts: [RunConfig: Int], grew: Bool) {
        // Only this round's runs: a folder may hold more seeds (an earlier, larger plan's).
        var summary = Summary.load(store)
        let ids = Set(plan.runs.map(\.id))
        summary.rows = summary.rows.filter { ids.contains($0.id) }
        let groups = Groups(summary)
        let decided = decide(round: round, groups: groups, earlier: earlier)
        var counts = counts, grew = false
        for group in groups.groups {
            guard var config = group.rows.first?.config, let next = decided.next[group.name] else { continue }
            config.seed = spec.base.seed
            if next > (counts[config] ?? adaptive.start) { grew = true }
            counts[config] = next
        }
        return (decided, counts, grew)
    }

    /// Where a `seeds:` sweep stands, from the runs on disk: each round whose runs have all
    /// finished is looked at again (the same figures, the same decisions, as the sweep made
    /// them), up to the first round with runs not finished: the round to train (`decided`
    /// false), or the end. What `runner slurm` submits round by round, and what an array task's
    /// `--index` counts in.
    /// - Parameter planned: the plan for given seed counts (`Plan(spec, seedCounts:)`).
    public func standing(spec: ExperimentSpec, store: RunStore, planned: ([RunConfig: Int]) throws -> Plan, finished: (Run) -> Bool) rethrows
        -> (plan: Plan, rounds: [Round], decided: Bool) {
        var counts: [RunConfig: Int] = [:], rounds: [Round] = []
        var plan = try planned(counts)
        for round in 0..<adaptive.looks {
            guard plan.runs.allSatisfy(finished) else { return (plan, rounds, false) }
            let step = advance(round: round, plan: plan, spec: spec, store: store, counts: counts, earlier: rounds)
            rounds.append(step.round)
            guard step.grew else { break }
            counts = step.counts
            plan = try planned(counts)
        }
        return (plan, rounds, true)
    }

    /// The rounds recorded in `store` (none when there is no journal or it cannot be read).
    public static func recorded(in store: RunStore) -> [Round] {
        guard let data = FileManager.default.contents(atPath: store.file(journalFile)) else { return [] }
        return (try? JSONDecoder().decode([Round].self, from: data)) ?? []
    }

    /// Lines for the report: each comparison's last look (how many seeds, what it decided, at
    /// which level), and what the seeds were for.
    public static func summary(_ rounds: [Round]) -> [String] {
        var last: [String: (Int, Look)] = [:], order: [String] = []
        for round in rounds {
            for look in round.looks {
                if last[look.comparison] == nil { order.append(look.comparison) }
                last[look.comparison] = (round.round, look)
            }
        }
        return order.map { name in
            let (round, look) = last[name]!
            let interval = look.interval.map { String(format: "[%.3f, %.3f]", $0[0], $0[1]) } ?? "no interval"
            let why: String
            switch look.decision {
            case "difference": why = "decided: a difference, interval \(interval) excludes 0"
            case "narrow": why = "decided: no difference wider than the interval \(interval), narrower than the width asked"
            default: why = "undecided at the most seeds allowed (interval \(interval))"
            }
            return "\(name): \(look.seeds[0]) and \(look.seeds[1]) seeds after round \(round + 1); \(why) "
                + String(format: "(level %.3g at this look)", look.level)
        }
    }
}
