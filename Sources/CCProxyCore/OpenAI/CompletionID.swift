/// Identifiers of chat completions.
public enum CompletionID {
    /// A fresh id, `chatcmpl-` followed by 32 random lowercase hex digits (128 bits).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return "chatcmpl-" + hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
