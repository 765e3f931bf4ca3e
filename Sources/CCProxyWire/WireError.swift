/// Why bytes from a peer process could not be decoded. Decoding never traps: hostile or
/// broken input becomes one of these, and the receiver treats it as a protocol violation.
public enum WireError: Error, Equatable, Sendable {
    /// The frame ended before a field did.
    case truncated
    /// The frame declares (or is) more bytes than the channel allows.
    case oversized(Int)
    /// The length prefix does not match the bytes received.
    case lengthMismatch(declared: Int, actual: Int)
    /// A message code this version does not know.
    case unknownType(UInt16)
    /// A field holds an impossible value.
    case malformed(field: String)
    /// Bytes were left over after the last field.
    case trailingBytes(Int)
    /// A message arrived with a descriptor it must not carry, or without one it must carry.
    case descriptorMismatch
}
