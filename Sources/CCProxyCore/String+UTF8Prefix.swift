extension String {
    /// The longest prefix with at most `maxBytes` UTF-8 bytes that ends on a scalar boundary
    /// (so it stays valid UTF-8 and never grows by a replacement character).
    public func utf8Prefix(maxBytes: Int) -> String {
        let utf8 = self.utf8
        guard utf8.count > maxBytes else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: max(maxBytes, 0))
        // A continuation byte (10xxxxxx) is the middle of a scalar: step back to its lead byte.
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) {
            end = utf8.index(before: end)
        }
        return String(Substring(utf8[..<end]))
    }
}
