import Foundation
import Reporting
import Results
import Synchronization

/// Keeps an experiment's summary.csv and charts current during a sweep without rebuilding
/// them after every run event: at most once per interval while runs finish, and once at the end.
final class SummaryRefresher: Sendable {
    private struct State {
        var last = 0.0
        var error: AtomicFile.WriteError?
        /// Whether a run trained in this command (else the summary may already be current).
        var trained = false
    }

    private let store: RunStore
    private let interval: Double?
    private let state = Mutex(State())

    /// - Parameter interval: seconds between refreshes while training; nil for none until the end.
    init(store: RunStore, interval: Double?) {
        self.store = store
        self.interval = interval
    }

    private static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// A run that trained has ended: refresh if the last refresh is old enough.
    func runEnded() {
        state.withLock { s in
            s.trained = true
            guard let interval, SummaryRefresher.now - s.last >= interval else { return }
            refresh(&s)
        }
    }

    /// The final refresh, with the report; returns the first write error of the sweep, if any.
    /// Left out when nothing trained, the plan is unchanged (`planChanged` false) and the
    /// files are newer than everything they are made from (`Freshness`): a rerun of a finished
    /// sweep then reads no run's rows.
    func finish(planChanged: Bool) -> AtomicFile.WriteError? {
        state.withLock { s in
            if !s.trained && !planChanged && s.error == nil && Freshness.isCurrent(store) { return nil }
            if let refreshed = refresh(&s) {
                do throws(AtomicFile.WriteError) { try Report(store, refreshed: refreshed).write(to: store) }
                catch { s.error = s.error ?? error }
            }
            return s.error
        }
    }

    @discardableResult
    private func refresh(_ s: inout State) -> Charts.Refreshed? {
        s.last = SummaryRefresher.now
        do throws(AtomicFile.WriteError) { return try Charts.refresh(store) } catch {
            s.error = s.error ?? error
            return nil
        }
    }
}
