/// Lowercase hexadecimal helpers for token ids, prefixes and secrets.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Whether `byte` is `0`–`9` or `a`–`f`.
    static func isLowercaseDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// `byteCount` random bytes as `2 * byteCount` lowercase hex characters.
    static func random(byteCount: Int, using generator: inout some RandomNumberGenerator) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount * 2)
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `byteCount` bytes from the system's secure generator, as hex.
    static func random(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return random(byteCount: byteCount, using: &generator)
    }
}
