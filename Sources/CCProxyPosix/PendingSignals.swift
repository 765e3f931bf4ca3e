import Foundation

/// Whether a process is being killed, read from `/proc/<id>/status`: the FUSE helper asks it
/// about the caller of a bridge operation it is waiting for, so that a killed caller is
/// answered (EINTR) at once instead of at the operation timeout.
///
/// Why this is needed: the kernel lets a process killed while the helper holds its request
/// leave only once the request is answered, and the helper, one request at a time, cannot
/// read the kernel's FUSE_INTERRUPT meanwhile. SIGKILL is set in each thread's pending set
/// as soon as it is sent, so its bit there says "dying" without waiting for anything.
public enum PendingSignals {
    /// True when the thread or process `id` has SIGKILL pending, or no longer exists.
    public static func isBeingKilled(_ id: Int32) -> Bool {
        guard id > 0 else { return false }
        guard let status = try? String(contentsOfFile: "/proc/\(id)/status", encoding: .utf8) else { return true }
        return hasPendingKill(status: status)
    }

    /// Pure: whether a `/proc/<id>/status` text has SIGKILL (bit 8) in `SigPnd` or `ShdPnd`,
    /// or shows a zombie or a dead process.
    public static func hasPendingKill(status: String) -> Bool {
        let killBit: UInt64 = 1 << 8
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch parts[0] {
            case "SigPnd", "ShdPnd":
                if let mask = UInt64(value, radix: 16), mask & killBit != 0 { return true }
            case "State":
                if value.hasPrefix("Z") || value.hasPrefix("X") { return true }
            default:
                continue
            }
        }
        return false
    }
}
