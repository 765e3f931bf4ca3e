import Glibc

/// The monotonic clock: never jumps with wall-clock changes, so deadlines and backoffs
/// measured with it hold. The corresponding C function is clock_gettime(2) with CLOCK_MONOTONIC.
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed point (boot).
    public static func seconds() -> Double {
        var spec = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &spec)  // cannot fail for CLOCK_MONOTONIC
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Microseconds since the same point: the value sd_notify's `MONOTONIC_USEC=` expects.
    public static func microseconds() -> UInt64 {
        var spec = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1_000
    }
}
