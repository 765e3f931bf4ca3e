/// Comparison whose duration does not depend on where two secrets first differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Runs in time proportional to the longer input;
    /// only the lengths (public for bearer secrets) can be learnt from its timing.
    static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        var left = a.makeIterator()
        var right = b.makeIterator()
        for _ in 0..<max(a.count, b.count) {
            difference |= (left.next() ?? 0) ^ (right.next() ?? 0)
        }
        return difference == 0
    }
}
