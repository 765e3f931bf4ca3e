/// Who owns what a token's turns leave behind: persistent sessions, the claude home with
/// their transcripts. Tokens of one principal share it; a token without a principal is an
/// owner of its own. Another owner never sees any of it, even under the same session id.
extension TokenGrant {
    /// The owner's identity: `principal:<p>` or `token:<id>`.
    public var owner: String {
        if let principal, !principal.isEmpty { return "principal:" + principal }
        return "token:" + tokenID
    }

    /// The longest principal named by its own hex (the wire layer imports nothing, so this
    /// repeats `Limits.maxPrincipalBytes`; a unit test keeps the two equal).
    public static let maxPrincipalBytes = 64

    /// A file name for the owner, safe in any directory and unique per owner: `t-<token id>`,
    /// or `p-<hex of the principal's UTF-8>`. Principals are at most `maxPrincipalBytes`
    /// (checked when a token is created), so the name stays well under NAME_MAX; a longer
    /// principal from an older database falls back to the token's own name.
    public var ownerDirectoryName: String {
        if let principal, let name = Self.principalDirectoryName(principal) { return name }
        // Token ids are hex (minted by the supervisor); anything else is filtered out.
        return "t-" + String(tokenID.filter { $0.isHexDigit })
    }

    /// `p-<hex of the principal's UTF-8>`: the principal's own file name (its claude home,
    /// its bridge's mount point); nil for an empty or over-long principal.
    public static func principalDirectoryName(_ principal: String) -> String? {
        guard !principal.isEmpty, principal.utf8.count <= maxPrincipalBytes else { return nil }
        let hexDigits: [Character] = Array("0123456789abcdef")
        var name = "p-"
        for byte in principal.utf8 {
            name.append(hexDigits[Int(byte >> 4)])
            name.append(hexDigits[Int(byte & 0x0F)])
        }
        return name
    }
}
