import CCProxyPosix
import Glibc
import Testing

@Suite("SeqPacketChannel")
struct SeqPacketChannelTests {
    /// A pair, closed at the end of `body`.
    func withPair(_ body: (SeqPacketChannel, SeqPacketChannel) throws -> Void) throws {
        let (a, b) = try SeqPacketChannel.makePair()
        defer {
            a.close()
            b.close()
        }
        try body(a, b)
    }

    func expectMessage(
        _ received: consuming SeqPacketChannel.Received, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int32? {
        switch consume received {
        case .message(let got, let descriptor):
            #expect(got == bytes, sourceLocation: sourceLocation)
            return descriptor?.relinquish()
        case .closed:
            Issue.record("expected a message, got closed", sourceLocation: sourceLocation)
        case .wouldBlock:
            Issue.record("expected a message, got wouldBlock", sourceLocation: sourceLocation)
        case .descriptorLost:
            Issue.record("expected a message, got descriptorLost", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test("A pair is SOCK_SEQPACKET and CLOEXEC on both ends")
    func pairProperties() throws {
        try withPair { a, b in
            #expect(a != b)
            for channel in [a, b] {
                #expect(isCloexec(channel.fd))
                var type: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                let rc = getsockopt(channel.fd, SOL_SOCKET, SO_TYPE, &type, &length)
                #expect(rc == 0)
                #expect(type == Int32(SOCK_SEQPACKET.rawValue))
            }
        }
    }

    @Test("Message boundaries are preserved, in both directions")
    func boundaries() throws {
        try withPair { a, b in
            let messages: [[UInt8]] = [[1], [2, 3, 4], [UInt8](repeating: 0xAA, count: 1000), [5, 6], Array(0...255)]
            for message in messages { try a.send(message) }
            for message in messages {
                let descriptor = expectMessage(try b.receive(maxBytes: 4096), message)
                #expect(descriptor == nil)
            }
            try b.send([9, 9, 9])
            _ = expectMessage(try a.receive(maxBytes: 16), [9, 9, 9])
        }
    }

    @Test("A message of exactly maxBytes is received; one byte more throws EMSGSIZE", arguments: [1, 6, 100, 65536])
    func maxBytesBoundary(_ maxBytes: Int) throws {
        try withPair { a, b in
            let exact = [UInt8](repeating: 7, count: maxBytes)
            try a.send(exact)
            _ = expectMessage(try b.receive(maxBytes: maxBytes), exact)
            try a.send(exact + [8])
            #expect(throws: PosixError("recvmsg", errno: EMSGSIZE)) { _ = try b.receive(maxBytes: maxBytes) }
        }
    }

    @Test("An over-long message throws and is discarded whole; the next one is intact")
    func overLongMessage() throws {
        try withPair { a, b in
            try a.send([UInt8](repeating: 1, count: 5000))
            try a.send([2, 2])
            #expect(throws: PosixError("recvmsg", errno: EMSGSIZE)) { _ = try b.receive(maxBytes: 64) }
            _ = expectMessage(try b.receive(maxBytes: 64), [2, 2])
        }
    }

    @Test("A descriptor arrives as a new number for the same open file, CLOEXEC")
    func descriptorPassing() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let file = open(directory + "/f", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(file >= 0)
        defer { closeDescriptor(file) }
        try withPair { a, b in
            try a.send([0, 0, 0, 10, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8], attaching: file)
            let received = try #require(expectMessage(try b.receive(maxBytes: 64), [0, 0, 0, 10, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8]))
            defer { closeDescriptor(received) }
            #expect(received != file)
            let original = try #require(fileIdentity(file))
            let copy = try #require(fileIdentity(received))
            #expect(copy.dev == original.dev)
            #expect(copy.ino == original.ino)
            #expect(isCloexec(received))
            // It is the same open file: a write through the copy is visible through the original.
            let bytes: [UInt8] = Array("through the copy".utf8)
            let written1 = write(received, bytes, bytes.count)
            #expect(written1 == bytes.count)
            var back = [UInt8](repeating: 0, count: bytes.count)
            let n = pread(file, &back, back.count, 0)
            #expect(n == bytes.count)
            #expect(back == bytes)
            // The sender's descriptor is still its own.
            #expect(isOpen(file))
        }
    }

    @Test("A descriptor can travel on a non-blocking receive, and each message carries its own")
    func severalDescriptors() throws {
        let p1 = try makePipe()
        let p2 = try makePipe()
        defer { [p1.read, p1.write, p2.read, p2.write].forEach(closeDescriptor) }
        try withPair { a, b in
            try a.send([1], attaching: p1.write)
            try a.send([2])
            try a.send([3], attaching: p2.write)
            let d1 = try #require(expectMessage(try b.receive(maxBytes: 8, nonBlocking: true), [1]))
            #expect(expectMessage(try b.receive(maxBytes: 8, nonBlocking: true), [2]) == nil)
            let d3 = try #require(expectMessage(try b.receive(maxBytes: 8, nonBlocking: true), [3]))
            defer {
                closeDescriptor(d1)
                closeDescriptor(d3)
            }
            #expect(fileIdentity(d1)?.ino == fileIdentity(p1.write)?.ino)
            #expect(fileIdentity(d3)?.ino == fileIdentity(p2.write)?.ino)
        }
    }

    @Test("An over-long message's descriptor is closed by the receiver, not leaked")
    func overLongMessageClosesDescriptor() throws {
        let p = try makePipe()
        defer { closeDescriptor(p.read) }
        try withPair { a, b in
            try a.send([UInt8](repeating: 0, count: 100), attaching: p.write)
            closeDescriptor(p.write)
            #expect(throws: PosixError("recvmsg", errno: EMSGSIZE)) { _ = try b.receive(maxBytes: 10) }
            // If the receiver had kept the descriptor, the pipe would still have a writer.
            #expect(reachesEOF(p.read))
        }
    }

    @Test("A message with two descriptors is refused and both are closed")
    func twoDescriptors() throws {
        let p1 = try makePipe()
        let p2 = try makePipe()
        defer {
            closeDescriptor(p1.read)
            closeDescriptor(p2.read)
        }
        try withPair { a, b in
            #expect(sendWithTwoDescriptors(a.fd, [0xAB], p1.write, p2.write) == 1)
            closeDescriptor(p1.write)
            closeDescriptor(p2.write)
            #expect(throws: PosixError("recvmsg", errno: EMSGSIZE)) { _ = try b.receive(maxBytes: 64) }
            #expect(reachesEOF(p1.read))
            #expect(reachesEOF(p2.read))
        }
    }

    @Test("Receive reports .closed once the peer has closed, after draining what was sent")
    func closed() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        defer { b.close() }
        try a.send([1, 2])
        a.close()
        _ = expectMessage(try b.receive(maxBytes: 8), [1, 2])
        guard case .closed = try b.receive(maxBytes: 8) else {
            Issue.record("expected .closed")
            return
        }
        // Stays closed, blocking or not.
        guard case .closed = try b.receive(maxBytes: 8, nonBlocking: true) else {
            Issue.record("expected .closed")
            return
        }
    }

    @Test("Sending to a closed peer throws EPIPE instead of raising SIGPIPE")
    func sendToClosedPeer() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        defer { a.close() }
        b.close()
        #expect(throws: PosixError("sendmsg", errno: EPIPE)) { try a.send([1, 2, 3]) }
        #expect(throws: PosixError("sendmsg", errno: EPIPE)) { try a.send([1], attaching: 0) }
    }

    @Test("A non-blocking receive with nothing queued returns .wouldBlock")
    func wouldBlock() throws {
        try withPair { a, b in
            guard case .wouldBlock = try b.receive(maxBytes: 8, nonBlocking: true) else {
                Issue.record("expected .wouldBlock")
                return
            }
            // Also when the socket itself is non-blocking.
            try setNonBlocking(b.fd, true)
            guard case .wouldBlock = try b.receive(maxBytes: 8) else {
                Issue.record("expected .wouldBlock on an O_NONBLOCK socket")
                return
            }
            try a.send([4])
            _ = expectMessage(try b.receive(maxBytes: 8, nonBlocking: true), [4])
        }
    }

    @Test("Attaching an invalid descriptor throws EBADF and sends nothing")
    func invalidDescriptor() throws {
        try withPair { a, b in
            #expect(throws: PosixError("sendmsg", errno: EBADF)) { try a.send([1], attaching: 99_999) }
            guard case .wouldBlock = try b.receive(maxBytes: 8, nonBlocking: true) else {
                Issue.record("nothing should have been sent")
                return
            }
        }
    }

    @Test("Receiving on a closed descriptor throws EBADF")
    func receiveOnBadDescriptor() {
        let channel = SeqPacketChannel(fd: 99_998)
        #expect(throws: PosixError("recvmsg", errno: EBADF)) { _ = try channel.receive(maxBytes: 8) }
        #expect(throws: PosixError("sendmsg", errno: EBADF)) { try channel.send([1]) }
    }

    @Test("The Poller sees a channel become readable, and hang up when the peer closes")
    func pollerOnChannel() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        defer { b.close() }
        let poller = Poller()
        #expect(try poller.wait(on: [b.fd], timeoutMilliseconds: 0).isEmpty)
        try a.send([1])
        let ready = try poller.wait(on: [b.fd], timeoutMilliseconds: 1000)
        #expect(ready.count == 1)
        #expect(ready.first?.fd == b.fd)
        #expect(ready.first?.readable == true)
        #expect(ready.first?.hangup == false)
        _ = try b.receive(maxBytes: 8)
        a.close()
        let hung = try poller.wait(on: [b.fd], timeoutMilliseconds: 1000)
        #expect(hung.first?.hangup == true)
    }
}

/// sendmsg(2) with two SCM_RIGHTS descriptors: what a broken peer might send. The control
/// message layout is that of 64-bit Linux (cmsghdr is 16 bytes).
func sendWithTwoDescriptors(_ socket: Int32, _ payload: [UInt8], _ fd1: Int32, _ fd2: Int32) -> Int {
    #if arch(x86_64) || arch(arm64)
        var control = [UInt8](repeating: 0, count: 24)  // CMSG_SPACE(2 * sizeof(int))
        control.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(24), toByteOffset: 0, as: UInt64.self)  // cmsg_len = CMSG_LEN(8)
            raw.storeBytes(of: Int32(1), toByteOffset: 8, as: Int32.self)  // SOL_SOCKET
            raw.storeBytes(of: Int32(1), toByteOffset: 12, as: Int32.self)  // SCM_RIGHTS
            raw.storeBytes(of: fd1, toByteOffset: 16, as: Int32.self)
            raw.storeBytes(of: fd2, toByteOffset: 20, as: Int32.self)
        }
        var payload = payload
        return payload.withUnsafeMutableBytes { p in
            control.withUnsafeMutableBytes { c in
                var iov = iovec(iov_base: p.baseAddress, iov_len: p.count)
                return withUnsafeMutablePointer(to: &iov) { iovPointer in
                    var message = msghdr()
                    message.msg_iov = iovPointer
                    message.msg_iovlen = 1
                    message.msg_control = c.baseAddress
                    message.msg_controllen = c.count
                    return sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
                }
            }
        }
    #else
        return -1
    #endif
}
