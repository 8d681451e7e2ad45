import Foundation
import Synchronization
import Testing
@testable import MLP

/// The pool under `Trainer+Threads`: every block of every call runs exactly once, on its own
/// participant, whether the helpers are spinning or asleep when the call comes; a pool goes
/// away without leaving a thread behind.
@Suite struct WorkerPoolTests {
    /// Many calls in a row, each with a different number of blocks, each block adding its call's
    /// number to its own counter: any block run twice, skipped, or run with another call's job
    /// or count shows in the sums. `spins: 0` sends the helpers to sleep before nearly every
    /// call (the wake-up path); the default keeps them spinning.
    @Test(arguments: [0, WorkerPool.defaultSpins])
    func everyBlockRunsOncePerCall(spins: Int) {
        let participants = 4, calls = 5_000
        let pool = WorkerPool(participants: participants, spins: spins)
        let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: participants)
        sums.initialize(repeating: 0)
        defer { sums.deallocate() }
        var expected = [Int](repeating: 0, count: participants)
        let caller = pthread_self()
        let callerRanBlockZero = Atomic<Int>(0)
        for call in 1...calls {
            let blocks = 1 + call % participants
            pool.run(blocks) { t in
                sums[t] += call
                if t == 0 && pthread_equal(pthread_self(), caller) != 0 { callerRanBlockZero.add(1, ordering: .relaxed) }
            }
            for t in 0..<blocks { expected[t] += call }
        }
        #expect(Array(sums) == expected)
        #expect(callerRanBlockZero.load(ordering: .relaxed) == calls)
    }

    /// The blocks of one call run at the same time on different threads: each block waits until
    /// every other block of its call has started (an event, not a delay), which could never
    /// happen if they ran one after another.
    @Test func theBlocksOfACallRunTogether() {
        let pool = WorkerPool(participants: 3, spins: 0)
        for _ in 0..<200 {
            let started = Atomic<Int>(0)
            let threads = Mutex<Set<UInt>>([])
            pool.run(3) { _ in
                threads.withLock { _ = $0.insert(threadID()) }
                started.add(1, ordering: .acquiringAndReleasing)
                while started.load(ordering: .acquiring) < 3 { sched_yield() }
            }
            #expect(threads.withLock { $0.count } == 3)
        }
    }

    /// The calling thread, as a number.
    func threadID() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    /// Pools that come and go (a trainer per run) join their helpers, asleep or spinning.
    @Test func poolsComeAndGo() {
        for round in 0..<300 {
            let pool = WorkerPool(participants: 3, spins: round % 2 == 0 ? 0 : WorkerPool.defaultSpins)
            let done = Atomic<Int>(0)
            if round % 3 != 0 { pool.run(3) { _ in done.add(1, ordering: .relaxed) } }
            #expect(done.load(ordering: .relaxed) == (round % 3 != 0 ? 3 : 0))
        }
    }
}
