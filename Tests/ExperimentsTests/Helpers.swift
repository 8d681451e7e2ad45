import SpecYAML
@testable import Experiments

/// Parses a spec held in a string, named `s.yaml` in errors.
func spec(_ text: String, overrides: [String] = []) throws -> ExperimentSpec {
    try ExperimentSpec.parse(Source(name: "s.yaml", text: text), defaultName: "s", overrides: overrides)
}

/// Parses and expands a spec.
func plan(_ text: String, overrides: [String] = [], maxRuns: Int = Plan.defaultMaxRuns) throws -> Plan {
    try Plan(try spec(text, overrides: overrides), maxRuns: maxRuns)
}

/// The rendered error of loading and expanding `text`, or nil when it succeeds.
func specError(_ text: String, overrides: [String] = [], maxRuns: Int = Plan.defaultMaxRuns) -> String? {
    do {
        _ = try plan(text, overrides: overrides, maxRuns: maxRuns)
        return nil
    } catch {
        return "\(error)"
    }
}
