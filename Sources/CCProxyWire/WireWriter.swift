/// Appends big-endian fields to a byte buffer. The counterpart of `WireReader`.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xff))
    }
    public mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(shift)) & 0xff)) }
    }
    public mutating func u64(_ v: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(shift)) & 0xff)) }
    }
    public mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    /// An optional integer: a presence byte, then the integer.
    public mutating func optionalI64(_ v: Int64?) {
        if let v {
            u8(1)
            i64(v)
        } else {
            u8(0)
        }
    }
    /// An optional flag: 0 absent, 1 false, 2 true.
    public mutating func optionalBool(_ v: Bool?) { u8(v.map { $0 ? 2 : 1 } ?? 0) }
    /// A string: u32 byte count, then UTF-8.
    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    /// Raw bytes: u32 byte count, then the bytes as they are (no UTF-8 check).
    public mutating func blob(_ data: [UInt8]) {
        u32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }
    /// An optional string: a presence byte, then the string.
    public mutating func optionalString(_ s: String?) {
        if let s {
            u8(1)
            string(s)
        } else {
            u8(0)
        }
    }
    /// A list of strings: u32 count, then each string.
    public mutating func strings(_ list: [String]) {
        u32(UInt32(list.count))
        for s in list { string(s) }
    }
}
