/// Splits a byte stream into newline-delimited lines, with a bound on line length.
///
/// Lines are returned without their `"\n"` (and without a `"\r"` before it); empty lines are
/// skipped. Only the unfinished tail is buffered, so memory stays below `maxLineBytes`.
public struct LineSplitter: Sendable {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []

    /// - Parameter maxLineBytes: the longest line accepted, newline excluded (use
    ///   `Limits.maxStreamJSONLineBytes` for claude's stdout).
    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds `bytes` and returns the lines they complete, in order.
    ///
    /// - Throws: `ClaudeStreamError.lineTooLong` as soon as a line exceeds `maxLineBytes`; the
    ///   splitter must not be used after that.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(ClaudeStreamError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let piece = bytes[start..<newline]
            try checkLength(pending.count + piece.count)
            var line = pending
            line.append(contentsOf: piece)
            pending.removeAll(keepingCapacity: true)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
            start = bytes.index(after: newline)
        }
        let rest = bytes[start...]
        try checkLength(pending.count + rest.count)
        pending.append(contentsOf: rest)
        return lines
    }

    /// The last line when the stream ended without a final newline; nil when nothing is pending.
    public mutating func finish() -> [UInt8]? {
        var line = pending
        pending = []
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line.isEmpty ? nil : line
    }

    private func checkLength(_ count: Int) throws(ClaudeStreamError) {
        if count > maxLineBytes { throw ClaudeStreamError.lineTooLong(limit: maxLineBytes) }
    }
}
