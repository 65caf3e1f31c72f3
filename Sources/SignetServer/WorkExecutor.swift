import Dispatch

/// Where the service's heavy work (hashing, decoding, the detector's signals) runs: threads of a concurrent
/// dispatch queue rather than Swift's cooperative pool. That pool has one thread per core; work that holds a
/// thread for a whole verification would otherwise starve the timers and body reads of every other request.
/// How many run at once is bounded by the service's `HeavyGate`, not here.
final class WorkExecutor: TaskExecutor {
    static let shared = WorkExecutor()
    private let queue = DispatchQueue(label: "signet.serve.work", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
