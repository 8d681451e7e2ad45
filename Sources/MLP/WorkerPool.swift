#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CFloatEnv
internal import CPause
import Synchronization

/// The threads one run's blocks go to: `threads - 1` helpers that live as long as the run's
/// Trainer, and the calling thread itself. A call hands block `t` to participant `t` (the caller
/// is 0), so a block's elements are computed by the same kernel whoever runs it: the split is
/// what fixes the bits, never the schedule. Between calls a helper spins on the CPU's pause hint
/// for a while (a step's products follow each other within microseconds), then sleeps on a
/// condition variable until the next call, so an idle run does not burn its cores.
///
/// Correctness rests on two things. A call publishes its generation and its block count in one
/// atomic word (`state`), so a helper never pairs one call's count with another's job. And the
/// caller returns only when every helper that has a block has finished it, so `job` stays valid
/// while anyone runs it, and a helper without a block never touches `job` or `finished`. A helper
/// checks `state` under the lock before it waits, and the caller wakes sleepers under the same
/// lock after publishing: no wake-up can be lost between the check and the wait.
final class WorkerPool: @unchecked Sendable {
    /// Spin-wait iterations (each one pause, about 10 to 40 ns) before a helper sleeps: a few
    /// hundred microseconds, longer than the gaps between a step's products.
    static let defaultSpins = 1 << 14

    /// Participants: the caller and its helpers.
    let participants: Int
    /// This pool's spin-wait iterations before a helper sleeps (0: at once; tests use it).
    let spins: Int
    /// generation << 16 | blocks of the newest call.
    private let state = Atomic<Int>(0)
    /// Blocks the helpers finished in the current call.
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Helpers waiting on `wake`; guarded by `lock`.
    private var sleepers = 0
    /// The current call's blocks and floating-point mode: written by the caller before it
    /// publishes `state`, read by helpers after they load it.
    private var job: ((Int) -> Void)?
    private var mode: UInt32 = 0
    /// The caller's count of calls (the generation it publishes next).
    private var generation = 0
    private var helpers: [pthread_t] = []

    /// Starts `participants - 1` helper threads.
    init(participants: Int, spins: Int = WorkerPool.defaultSpins) {
        precondition(participants >= 1 && participants < 1 << 16 && spins >= 0)
        self.participants = participants
        self.spins = spins
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
        for index in 1..<participants {
            let context = Unmanaged.passRetained(Helper(pool: self, index: index)).toOpaque()
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            let status = pthread_create(&thread, nil, { context in
                let helper = Unmanaged<Helper>.fromOpaque(context!).takeRetainedValue()
                helper.pool.serve(helper.index)
                return nil
            }, context)
            precondition(status == 0, "pthread_create failed (\(status))")
            #if canImport(Darwin)
            helpers.append(thread!)
            #else
            helpers.append(thread)
            #endif
        }
    }

    /// What a helper thread needs: its pool (unretained: the pool joins its threads before it
    /// goes) and its participant number.
    private final class Helper {
        unowned(unsafe) let pool: WorkerPool
        let index: Int
        init(pool: WorkerPool, index: Int) { self.pool = pool; self.index = index }
    }

    deinit {
        stopping.store(true, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(lock)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(lock)
        for thread in helpers { pthread_join(thread, nil) }
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        wake.deallocate()
    }

    /// Runs `body(t)` for t in 0..<blocks, block t on participant t, in the caller's
    /// floating-point mode, and returns when all are done. One caller at a time.
    func run(_ blocks: Int, _ body: (Int) -> Void) {
        precondition(blocks >= 1 && blocks <= participants)
        guard blocks > 1 else { return body(0) }
        withoutActuallyEscaping(body) { body in
            job = body
            mode = runner_float_mode()
            finished.store(0, ordering: .relaxed)
            generation += 1
            state.store(generation << 16 | blocks, ordering: .releasing)
            pthread_mutex_lock(lock)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(lock)
            body(0)
            // Spin while the helpers finish; past the spin budget (more threads than free cores:
            // a helper is waiting for one), give the core up between looks.
            var spun = 0
            while finished.load(ordering: .acquiring) < blocks - 1 {
                if spun < spins { spun += 1; runner_spin_pause() } else { sched_yield() }
            }
            job = nil
        }
    }

    /// A helper's life: wait for a call newer than the last it saw; run its block if it has one.
    private func serve(_ index: Int) {
        var seen = 0
        while true {
            var current = state.load(ordering: .acquiring)
            var spun = 0
            while current >> 16 == seen {
                if stopping.load(ordering: .relaxed) { return }
                if spun < spins {
                    spun += 1
                    runner_spin_pause()
                } else {
                    pthread_mutex_lock(lock)
                    sleepers += 1
                    while state.load(ordering: .acquiring) >> 16 == seen && !stopping.load(ordering: .relaxed) {
                        pthread_cond_wait(wake, lock)
                    }
                    sleepers -= 1
                    pthread_mutex_unlock(lock)
                    spun = 0
                }
                current = state.load(ordering: .acquiring)
            }
            seen = current >> 16
            guard index < current & 0xFFFF else { continue }
            let saved = runner_float_mode()
            runner_set_float_mode(mode)
            job!(index)
            runner_set_float_mode(saved)
            finished.add(1, ordering: .releasing)
        }
    }
}
