// Runs in: a worker (`ccproxy-worker`).

import Dispatch
import Foundation
import CCProxyPosix

/// One thread that lives as long as the worker and does all the spawning.
///
/// Linux delivers a child's parent-death signal (PR_SET_PDEATHSIG) when the *thread* that
/// forked it exits, not the process. Swift's executors run work on pool threads that come and
/// go (and an async `main` gives its main thread up to Dispatch), so a claude spawned from
/// one of them would be SIGKILLed as soon as that thread retired. Spawning here keeps the
/// safeguard (claude dies with its worker) without that false alarm.
final class SpawnThread: Sendable {
    static let shared = SpawnThread()

    private let jobs = Locked<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                available.wait()
                let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?()
            }
        }
        thread.name = "spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock {
                $0.append {
                    continuation.resume(with: Result { try body() })
                }
            }
            available.signal()
        }
    }
}
