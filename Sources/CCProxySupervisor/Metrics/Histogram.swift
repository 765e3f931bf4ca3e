// Runs in: the supervisor (`ccproxy serve`).

/// A Prometheus histogram's state: cumulative-ready bucket counts, sum and count.
public struct Histogram: Sendable, Equatable {
    /// Upper bounds of the buckets, ascending (`+Inf` is implicit).
    public let bounds: [Double]
    /// Observations per bucket (not cumulative; the last entry is `+Inf`'s own).
    public private(set) var counts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// `count` buckets starting at `start`, each `factor` times the previous (as the
    /// reference's `prometheus.ExponentialBuckets`).
    public static func exponentialBounds(start: Double, factor: Double, count: Int) -> [Double] {
        var bounds: [Double] = []
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }

    public mutating func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        counts[index] += 1
        sum += value
        count += 1
    }

    /// Cumulative counts per bound, then `+Inf` (= `count`).
    public var cumulative: [UInt64] {
        var running: UInt64 = 0
        return counts.map { count in
            running += count
            return running
        }
    }
}
