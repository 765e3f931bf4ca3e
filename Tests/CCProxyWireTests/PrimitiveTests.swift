import CCProxyWire
import Testing

@Suite("WireWriter and WireReader")
struct PrimitiveTests {
    @Test("Integers are big-endian")
    func bigEndian() {
        var w = WireWriter()
        w.u8(0xAB)
        w.u16(0x0102)
        w.u32(0x0304_0506)
        w.u64(0x0708_090A_0B0C_0D0E)
        w.i32(-2)
        w.bool(true)
        w.bool(false)
        #expect(
            w.bytes == [
                0xAB, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
                0xFF, 0xFF, 0xFF, 0xFE, 0x01, 0x00,
            ])
    }

    @Test("Strings, optional strings and string lists")
    func stringLayouts() {
        var w = WireWriter()
        w.string("")
        w.string("hé")
        w.optionalString(nil)
        w.optionalString("a")
        w.strings([])
        w.strings(["x", ""])
        #expect(
            w.bytes == [
                0, 0, 0, 0,
                0, 0, 0, 3, 0x68, 0xC3, 0xA9,
                0,
                1, 0, 0, 0, 1, 0x61,
                0, 0, 0, 0,
                0, 0, 0, 2, 0, 0, 0, 1, 0x78, 0, 0, 0, 0,
            ])
    }

    @Test("Reading back what was written", arguments: [0, 1, 0x7F, 0x80, 0xFF] as [UInt8])
    func roundTrip(_ seed: UInt8) throws {
        let u16 = UInt16(seed) << 8 | UInt16(seed)
        let u32 = UInt32(u16) << 16 | UInt32(u16)
        let u64 = UInt64(u32) << 32 | UInt64(u32)
        var w = WireWriter()
        w.u8(seed)
        w.u16(u16)
        w.u32(u32)
        w.u64(u64)
        w.i32(Int32(bitPattern: u32))
        w.bool(seed & 1 == 1)
        w.string(String(repeating: "z", count: Int(seed)))
        w.optionalString(seed == 0 ? nil : "s")
        w.strings(Array(repeating: "q", count: Int(seed % 5)))
        var r = WireReader(w.bytes)
        #expect(try r.u8() == seed)
        #expect(try r.u16() == u16)
        #expect(try r.u32() == u32)
        #expect(try r.u64() == u64)
        #expect(try r.i32() == Int32(bitPattern: u32))
        #expect(try r.bool("b") == (seed & 1 == 1))
        #expect(try r.string("s") == String(repeating: "z", count: Int(seed)))
        #expect(try r.optionalString("o") == (seed == 0 ? nil : "s"))
        #expect(try r.strings("l") == Array(repeating: "q", count: Int(seed % 5)))
        #expect(r.remaining == 0)
        try r.finish()
    }

    @Test("Reads past the end throw .truncated and consume nothing")
    func readsPastEnd() throws {
        var r = WireReader([1, 2, 3])
        #expect(throws: WireError.truncated) { try r.u32() }
        #expect(throws: WireError.truncated) { try r.u64() }
        #expect(r.remaining == 3)
        #expect(try r.u16() == 0x0102)
        #expect(throws: WireError.truncated) { try r.u16() }
        #expect(try r.u8() == 3)
        #expect(throws: WireError.truncated) { try r.u8() }
        #expect(throws: WireError.truncated) { try r.bool("b") }
        #expect(throws: WireError.truncated) { try r.optionalString("o") }
        #expect(throws: WireError.truncated) { try r.string("s") }
        #expect(throws: WireError.truncated) { try r.strings("l") }
        try r.finish()
    }

    @Test("finish reports the leftover count")
    func finishLeftover() throws {
        var r = WireReader([0, 0, 0, 9])
        #expect(throws: WireError.trailingBytes(4)) { try r.finish() }
        _ = try r.u8()
        #expect(throws: WireError.trailingBytes(3)) { try r.finish() }
    }

    @Test("A reader can start at an offset")
    func offset() throws {
        var r = WireReader([9, 9, 0, 5], offset: 2)
        #expect(r.remaining == 2)
        #expect(try r.u16() == 5)
    }

    @Test("Field names travel with .malformed")
    func fieldNames() {
        var r = WireReader([7])
        #expect(throws: WireError.malformed(field: "flag")) { try r.bool("flag") }
        var r2 = WireReader([7])
        #expect(throws: WireError.malformed(field: "opt")) { try r2.optionalString("opt") }
        var r3 = WireReader([0, 0, 0, 1, 0xFF])
        #expect(throws: WireError.malformed(field: "str")) { try r3.string("str") }
        var r4 = WireReader([0, 0, 0, 1, 0, 0, 0, 1, 0xFF])
        #expect(throws: WireError.malformed(field: "list")) { try r4.strings("list") }
    }

    @Test("Frame.encode prefixes length and code")
    func frameEncode() throws {
        #expect(Frame.encode(code: 0xBEEF, payload: [1, 2, 3]) == [0, 0, 0, 5, 0xBE, 0xEF, 1, 2, 3])
        #expect(Frame.encode(code: 0, payload: []) == [0, 0, 0, 2, 0, 0])
        var (code, reader) = try Frame.decode([0, 0, 0, 5, 0xBE, 0xEF, 1, 2, 3], maxBytes: 9)
        #expect(code == 0xBEEF)
        #expect(reader.remaining == 3)
        #expect(try reader.u8() == 1)
    }
}
