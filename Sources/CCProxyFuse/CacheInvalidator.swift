// Runs in: ccproxy-fuse (the FUSE helper), on a thread of its own.
import CCPFuse3
import Foundation

/// Sends the kernel the cache invalidations the loop decides on, from a thread of its own.
///
/// A notification is a write to the FUSE device that the kernel may complete only after it
/// takes the directory's lock; if a process holds that lock while its own request waits in
/// the device for the loop, the loop must not be the one writing (libfuse's advice: notify
/// from another thread). `stop()` is called after the unmount, which makes a blocked write
/// return, and before the session is destroyed.
final class CacheInvalidator: @unchecked Sendable {
    enum Notice {
        case inode(UInt64)
        case entry(parent: UInt64, name: String)
    }

    private let session: OpaquePointer
    private let condition = NSCondition()
    private var notices: [Notice] = []
    private var stopping = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(session: OpaquePointer) {
        self.session = session
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "ccproxy-fuse invalidate"
        self.thread = thread
        thread.start()
    }

    func post(_ more: [Notice]) {
        guard !more.isEmpty else { return }
        condition.lock()
        notices += more
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once it has sent (or failed to send) what it holds, waiting at most
    /// `seconds`. False when the thread is still blocked in a write (a lazily detached mount
    /// kept alive by open files): the session must then not be destroyed under it.
    func stop(waitingAtMost seconds: Double) -> Bool {
        guard thread != nil else { return true }
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        thread = nil
        return true
    }

    private func run() {
        while true {
            condition.lock()
            while notices.isEmpty && !stopping { condition.wait() }
            let batch = notices
            notices.removeAll()
            let stop = stopping
            condition.unlock()
            for notice in batch {
                // -ENOENT (nothing cached) and -ENODEV (unmounted) are both fine to ignore.
                switch notice {
                case .inode(let inode):
                    _ = fuse_lowlevel_notify_inval_inode(session, inode, 0, 0)
                case .entry(let parent, let name):
                    _ = fuse_lowlevel_notify_inval_entry(session, parent, name, name.utf8.count)
                }
            }
            if stop { break }
        }
        done.signal()
    }
}
