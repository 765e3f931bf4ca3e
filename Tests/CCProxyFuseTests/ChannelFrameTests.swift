import CCProxyCore
import CCProxyBridgeProtocol
import CCProxyFuse
import Foundation
import Testing

@Suite("Channel framing between ccproxy-fuse and a bridge worker")
struct ChannelFrameTests {
    @Test func encodesABigEndianLengthPrefix() throws {
        let bytes = try ChannelFrame.encode(Data("{}".utf8))
        #expect(bytes == [0, 0, 0, 2, UInt8(ascii: "{"), UInt8(ascii: "}")])
    }

    @Test func refusesToEncodeEmptyOrOversizedFrames() {
        #expect(throws: ChannelFrameError.empty) { try ChannelFrame.encode(Data()) }
        let big = Data(count: Limits.maxBridgeFrameBytes + 1)
        #expect(throws: ChannelFrameError.tooLarge(UInt32(Limits.maxBridgeFrameBytes + 1))) { try ChannelFrame.encode(big) }
    }

    @Test func reassemblesFramesFedOneByteAtATime() throws {
        let stream = try ChannelFrame.encode(Data("abc".utf8)) + ChannelFrame.encode(Data("de".utf8))
        var decoder = ChannelFrameDecoder()
        var frames: [Data] = []
        for byte in stream {
            frames += try decoder.feed([byte])
        }
        #expect(frames == [Data("abc".utf8), Data("de".utf8)])
        #expect(decoder.pendingBytes == 0)
    }

    @Test func returnsEveryFrameOfOneReadAndKeepsTheRest() throws {
        let stream = try ChannelFrame.encode(Data("one".utf8)) + ChannelFrame.encode(Data("two".utf8)) + [0, 0, 0, 5, 1]
        var decoder = ChannelFrameDecoder()
        #expect(try decoder.feed(stream) == [Data("one".utf8), Data("two".utf8)])
        #expect(decoder.pendingBytes == 1)
        #expect(try decoder.feed([2, 3, 4, 5]) == [Data([1, 2, 3, 4, 5])])
    }

    @Test func refusesAnOversizedLengthBeforeTheBodyArrives() {
        var decoder = ChannelFrameDecoder()
        let n = UInt32(Limits.maxBridgeFrameBytes + 1)
        let header: [UInt8] = [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        #expect(throws: ChannelFrameError.tooLarge(n)) { try decoder.feed(header) }
    }

    @Test func acceptsAFrameOfExactlyTheLimit() throws {
        var decoder = ChannelFrameDecoder()
        let frame = Data(repeating: 7, count: Limits.maxBridgeFrameBytes)
        #expect(try decoder.feed(ChannelFrame.encode(frame)) == [frame])
    }

    @Test func refusesAZeroLength() {
        var decoder = ChannelFrameDecoder()
        #expect(throws: ChannelFrameError.empty) { try decoder.feed([0, 0, 0, 0]) }
    }
}

@Suite struct FuseManagerMountPointTests {
    @Test func onlyDirectEntriesOfTheMountRootAreMountable() throws {
        try FuseManager.check(mountPoint: "/var/lib/ccproxy/bridges/p-616c", root: "/var/lib/ccproxy/bridges")
        try FuseManager.check(mountPoint: "/var/lib/ccproxy/bridges/p-616c", root: "/var/lib/ccproxy/bridges/")
        for bad in [
            "/var/lib/ccproxy/bridges", "/var/lib/ccproxy/bridges/", "/var/lib/ccproxy/bridges/.",
            "/var/lib/ccproxy/bridges/..", "/var/lib/ccproxy/bridges/a/b", "/etc", "/var/lib/ccproxy/bridgesX/a",
            "/var/lib/ccproxy/bridges/" + String(repeating: "x", count: 256),
        ] {
            #expect(throws: FuseMountRequestError.self, "\(bad)") {
                try FuseManager.check(mountPoint: bad, root: "/var/lib/ccproxy/bridges")
            }
        }
    }
}
