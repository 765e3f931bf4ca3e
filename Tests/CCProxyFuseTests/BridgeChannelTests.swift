import CCProxyBridgeProtocol
import CCProxyFuse
import CCProxyPosix
import Foundation
import Testing

/// The channel against a scripted peer on the other end of a socketpair. The peer's
/// answers are written before the call, so every test runs on one thread.
@Suite("The helper's bridge channel")
struct BridgeChannelTests {
    private func send(_ fd: Int32, _ frame: Data) throws {
        try writeAll(fd, ChannelFrame.encode(frame))
    }

    private func stat(_ name: String) -> StatResult {
        StatResult(name: name, size: 3, mode: 0o100644, mtime: 0, kind: .file)
    }

    @Test func returnsTheResultOfTheMatchingResponse() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        defer { channel.close() }
        // A late answer to an earlier id and an event come first: both are skipped.
        try send(peer, BridgeCodec.response(id: 99, result: stat("stale")))
        try send(peer, BridgeCodec.event(.watch(WatchEvent(path: "a", kind: .modified))))
        try send(peer, BridgeCodec.response(id: 1, result: stat("a")))
        let result = try channel.call(.stat(PathParams(path: "a")), expecting: StatResult.self)
        #expect(result == stat("a"))
        #expect(channel.takeEvents() == [WatchEvent(path: "a", kind: .modified)])
        #expect(channel.takeEvents() == [])
        // What the peer received is the request, framed.
        let header = try readExactly(peer, 4)
        let length = header.reduce(0) { ($0 << 8) | Int($1) }
        let frame = Data(try readExactly(peer, length))
        #expect(try BridgeCodec.head(of: frame) == .request(id: 1, method: "stat"))
    }

    @Test func aRemoteErrorIsThrownWithItsCode() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        defer { channel.close() }
        try send(peer, BridgeCodec.failure(id: 1, BridgeError(.notFound, "no such file")))
        #expect(throws: BridgeCallError.remote(BridgeError(.notFound, "no such file"))) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        #expect(channel.isOpen)
    }

    @Test func aSilentPeerTimesOutAndTheChannelStaysUsable() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 0.2)
        defer { channel.close() }
        #expect(throws: BridgeCallError.timedOut) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        // The answer to the timed-out request (id 1) arrives late and is dropped.
        try send(peer, BridgeCodec.response(id: 1, result: stat("late")))
        try send(peer, BridgeCodec.response(id: 2, result: stat("y")))
        #expect(try channel.call(.stat(PathParams(path: "y")), expecting: StatResult.self) == stat("y"))
    }

    @Test func aCallForACallerThatIsGoneIsGivenUpAtOnce() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 60)
        defer { channel.close() }
        // A thread id no process has (above the kernel's pid_max ceiling).
        channel.caller = 4_194_305
        #expect(throws: BridgeCallError.callerKilled) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        #expect(BridgeCallError.callerKilled.errno == EINTR)
        #expect(channel.isOpen, "giving up one call keeps the channel")
        // A live caller (this test) waits for its answer as before.
        channel.caller = getpid()
        try send(peer, BridgeCodec.response(id: 2, result: stat("y")))
        #expect(try channel.call(.stat(PathParams(path: "y")), expecting: StatResult.self) == stat("y"))
    }

    @Test func aClosedPeerFailsTheCallAndEveryLaterOne() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        closeDescriptor(peer)
        #expect(throws: BridgeCallError.channelClosed) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        #expect(!channel.isOpen)
        #expect(throws: BridgeCallError.channelClosed) {
            try channel.call(.readdir(PathParams(path: "")), expecting: ReaddirResult.self)
        }
    }

    @Test func anOversizedLengthDropsTheChannel() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        try writeAll(peer, [0xff, 0xff, 0xff, 0xff])
        #expect(throws: BridgeCallError.protocolViolation(ChannelFrameError.tooLarge(0xffff_ffff).description)) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        #expect(!channel.isOpen)
    }

    @Test func aMalformedResultDropsTheChannel() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        defer { closeDescriptor(peer) }
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        try send(peer, Data(#"{"id":1,"type":"resp","result":{"size":"three"}}"#.utf8))
        #expect(throws: (any Error).self) {
            try channel.call(.stat(PathParams(path: "x")), expecting: StatResult.self)
        }
        #expect(!channel.isOpen)
    }

    @Test func idleDrainNoticesTheEndOfTheChannel() throws {
        let (mine, peer) = try UnixStreamSocket.makePair()
        let channel = try BridgeChannel(fd: mine, timeoutSeconds: 5)
        try send(peer, BridgeCodec.event(.watch(WatchEvent(path: "a", kind: .created))))
        channel.drainIdle()
        #expect(channel.isOpen)
        #expect(channel.takeEvents() == [WatchEvent(path: "a", kind: .created)])
        closeDescriptor(peer)
        channel.drainIdle()
        #expect(!channel.isOpen)
    }
}
