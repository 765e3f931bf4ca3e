/// Reads big-endian fields from received bytes. Every read checks bounds and throws
/// `WireError.truncated` instead of trapping; lengths are checked against the remaining
/// bytes *before* anything is allocated.
public struct WireReader: Sendable {
    private let bytes: [UInt8]
    private var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func u8() throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .malformed(field: field)
        }
    }

    public mutating func u16() throws(WireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func u32() throws(WireError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    public mutating func u64() throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return v
    }

    public mutating func i32() throws(WireError) -> Int32 { Int32(bitPattern: try u32()) }
    public mutating func i64() throws(WireError) -> Int64 { Int64(bitPattern: try u64()) }

    public mutating func optionalI64(_ field: String) throws(WireError) -> Int64? {
        switch try u8() {
        case 0: return nil
        case 1: return try i64()
        default: throw .malformed(field: field)
        }
    }

    public mutating func optionalBool(_ field: String) throws(WireError) -> Bool? {
        switch try u8() {
        case 0: return nil
        case 1: return false
        case 2: return true
        default: throw .malformed(field: field)
        }
    }

    public mutating func string(_ field: String) throws(WireError) -> String {
        let count = Int(try u32())
        guard count <= remaining else { throw .truncated }
        let slice = bytes[offset..<(offset + count)]
        offset += count
        guard let s = String(validating: slice, as: UTF8.self) else { throw .malformed(field: field) }
        return s
    }

    /// Raw bytes written by `WireWriter.blob`; the count is checked against what remains
    /// before anything is copied.
    public mutating func blob() throws(WireError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= remaining else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    public mutating func optionalString(_ field: String) throws(WireError) -> String? {
        switch try u8() {
        case 0: return nil
        case 1: return try string(field)
        default: throw .malformed(field: field)
        }
    }

    public mutating func strings(_ field: String) throws(WireError) -> [String] {
        let count = Int(try u32())
        // Each string needs at least its 4-byte length: refuse counts the bytes cannot hold.
        guard count <= remaining / 4 else { throw .truncated }
        var list: [String] = []
        list.reserveCapacity(count)
        for _ in 0..<count { list.append(try string(field)) }
        return list
    }

    /// Asserts that the whole frame was consumed.
    public func finish() throws(WireError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }
}
