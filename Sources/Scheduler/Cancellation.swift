import Synchronization

/// A flag every running run polls after each batch: once set, runs stop at the next batch
/// boundary and record themselves as interrupted.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    public func cancel() { flag.store(true, ordering: .relaxed) }
}
