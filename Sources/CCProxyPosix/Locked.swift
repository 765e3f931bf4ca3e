import Glibc

/// A value that threads share, behind a pthread mutex: `withLock` is the only way in.
///
/// Why not `Synchronization.Mutex`: on Linux its contended path hands the lock over with a
/// priority-inheritance futex inside the standard library, which ThreadSanitizer does not
/// instrument. TSan then misses the hand-over and reports every access made under a
/// contended lock as a race, so `make test-race` would drown real races in false ones (or
/// need suppressions naming our own functions). pthread mutexes are intercepted by TSan,
/// so the race tests see exactly the races there are. The price is one heap allocation per
/// lock, made once.
///
/// `@unchecked Sendable`: the value is only reachable inside `withLock`, under the mutex.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: consuming Value) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // A default (non-recursive) mutex: locking it twice from one thread is a bug
        // (deadlock) that the race tests would show, not something to allow.
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; `body` must not call back into
    /// the same lock.
    public func withLock<Result: ~Copyable, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
