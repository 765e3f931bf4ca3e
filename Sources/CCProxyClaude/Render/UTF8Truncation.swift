/// Cutting text to a budget of UTF-8 bytes without splitting a character.
///
/// Budgets are in bytes because what they protect (chunk sizes, a client's screen) grows with
/// bytes, and bytes are cheap to count. The cut always lands on a Unicode scalar boundary, so
/// the kept part is valid UTF-8 on its own.
enum UTF8Truncation {
    /// The longest prefix of `text` that has at most `maxBytes` UTF-8 bytes and ends on a scalar
    /// boundary, and the number of bytes left off (0 when `text` fits; a negative budget keeps
    /// nothing).
    static func prefix(_ text: Substring, maxBytes: Int) -> (kept: Substring, droppedBytes: Int) {
        let utf8 = text.utf8
        let total = utf8.count
        guard total > maxBytes else { return (text, 0) }
        var end = utf8.index(utf8.startIndex, offsetBy: max(maxBytes, 0))
        // A continuation byte (10xxxxxx) is the middle of a scalar: step back to its lead byte.
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) {
            end = utf8.index(before: end)
        }
        let kept = Substring(utf8[..<end])
        return (kept, total - kept.utf8.count)
    }

    /// `text`, or its prefix of at most `maxBytes` bytes followed by "…" when it is longer.
    static func ellipsized(_ text: Substring, maxBytes: Int) -> String {
        let (kept, dropped) = prefix(text, maxBytes: maxBytes)
        return dropped == 0 ? String(kept) : kept + "…"
    }
}
