extension Character {
    /// `0`…`9` only (not other Unicode digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
    /// `a`…`z` and `A`…`Z` only.
    var isASCIILetter: Bool { isASCII && isLetter }
}
