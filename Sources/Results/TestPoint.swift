import Foundation
import Synchronization

/// Named points in the runner's life where a test can stop or kill the process, so that tests
/// of crashes and races synchronise on an event instead of a delay (in the manner of fail-rs's
/// fail points and FoundationDB's simulation hooks).
///
/// Off unless the process is started with `RUNNER_TEST_POINT=<action>:<point>@<n>`, where
/// `<action>` is `kill` (the process sends itself SIGKILL, exactly as a crash there would) or
/// `stop` (it sends itself SIGSTOP; the test resumes it with SIGCONT), and the action happens
/// the `<n>`-th time (1-based, counted over the whole process) it reaches `<point>`:
///
/// | point | reached |
/// |---|---|
/// | `batch` | after each training batch, before the next |
/// | `temp:<file>` | when `<file>`'s temporary copy is written and flushed, before it is renamed over `<file>` |
/// | `write:<file>` | right after `<file>` is renamed into place |
/// | `locked` | when a run's lock is taken, before anything is written in its folder |
/// | `claim` | when the experiment names are checked, holding the results folder's lock, before the specs are recorded |
///
/// `<file>` is a file name such as `config.json`, `metrics.csv`, `status.json`, `checkpoint.bin`.
/// Before acting the process writes `runner: test point <point>@<n>: <action>` on standard
/// error, so a test can wait for that line. The variable is read once, by `arm(environment:)`,
/// which the `runner` executable calls first; library code only calls `reached(_:)`.
public enum TestPoint {
    public enum Action: String, Sendable { case kill, stop }

    struct Trigger: Sendable, Equatable {
        var action: Action
        var point: String
        var count: Int
    }

    private struct State {
        var trigger: Trigger?
        var seen = 0
    }

    private static let state = Mutex(State(trigger: nil))

    /// The environment variable that arms a point.
    public static let variable = "RUNNER_TEST_POINT"

    /// Parses `kill:batch@12`; nil when the text is not of that form.
    static func parse(_ text: String) -> Trigger? {
        guard let colon = text.firstIndex(of: ":"), let at = text.lastIndex(of: "@"), colon < at,
              let action = Action(rawValue: String(text[..<colon])),
              let count = Int(text[text.index(after: at)...]), count >= 1 else { return nil }
        let point = String(text[text.index(after: colon)..<at])
        return point.isEmpty ? nil : Trigger(action: action, point: point, count: count)
    }

    /// Arms the point named in `RUNNER_TEST_POINT`, if any.
    /// - Returns: an error message when the variable is set but malformed (nil otherwise).
    public static func arm(environment: [String: String]) -> String? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let trigger = parse(text) else {
            return "\(variable)=\(text): expected <kill|stop>:<point>@<n>, e.g. kill:batch@12"
        }
        state.withLock { $0.trigger = trigger; $0.seen = 0 }
        return nil
    }

    /// Marks that the process reached `point`; kills or stops it when that is the armed one's
    /// n-th time. A few nanoseconds when nothing is armed.
    public static func reached(_ point: String) {
        let fire: (action: Action, count: Int)? = state.withLock { s in
            guard let t = s.trigger, t.point == point else { return nil }
            s.seen += 1
            return s.seen == t.count ? (t.action, s.seen) : nil
        }
        guard let (action, count) = fire else { return }
        let line = Array("runner: test point \(point)@\(count): \(action.rawValue)\n".utf8)
        _ = line.withUnsafeBytes { Foundation.write(2, $0.baseAddress, $0.count) }
        switch action {
        case .kill: kill(getpid(), SIGKILL)
        case .stop: kill(getpid(), SIGSTOP)
        }
    }
}
