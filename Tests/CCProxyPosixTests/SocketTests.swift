import CCProxyPosix
import Glibc
import Testing

@Suite("TCPListener")
struct TCPListenerTests {
    @Test("Binding 127.0.0.1 port 0 gives a CLOEXEC, non-blocking listener on a real port")
    func bindLoopback() throws {
        let listener = try TCPListener.bind(host: "127.0.0.1", port: 0)
        defer { closeDescriptor(listener) }
        let port = try #require(TCPListener.localPort(listener))
        #expect(port > 0 && port <= 65535)
        #expect(isCloexec(listener))
        #expect(isNonBlocking(listener))
        #expect(socketFamily(listener) == AF_INET)
    }

    @Test("accept returns nil with nothing pending, then a blocking CLOEXEC connection")
    func accept() throws {
        let listener = try TCPListener.bind(host: "127.0.0.1", port: 0)
        defer { closeDescriptor(listener) }
        #expect(try TCPListener.accept(listener) == nil)
        let port = try #require(TCPListener.localPort(listener))
        let client = try connectIPv4Loopback(port: port)
        defer { closeDescriptor(client) }
        let server = try #require(try acceptWaiting(listener))
        defer { closeDescriptor(server) }
        #expect(isCloexec(server))
        #expect(!isNonBlocking(server), "accepted sockets are blocking")
        // Bytes flow both ways.
        let written1 = write(client, [1, 2, 3] as [UInt8], 3)
        #expect(written1 == 3)
        var buffer = [UInt8](repeating: 0, count: 3)
        let n1 = read(server, &buffer, 3)
        #expect(n1 == 3)
        #expect(buffer == [1, 2, 3])
        let written2 = write(server, [4] as [UInt8], 1)
        #expect(written2 == 1)
        let n2 = read(client, &buffer, 1)
        #expect(n2 == 1)
        #expect(buffer[0] == 4)
        // Nothing else pending.
        #expect(try TCPListener.accept(listener) == nil)
    }

    @Test("The wildcard host listens dual-stack when IPv6 is available", .enabled(if: hasIPv6Loopback))
    func wildcardDualStack() throws {
        let listener = try TCPListener.bind(host: "", port: 0)
        defer { closeDescriptor(listener) }
        #expect(socketFamily(listener) == AF_INET6)
        let port = try #require(TCPListener.localPort(listener))
        let v4 = try connectIPv4Loopback(port: port)
        defer { closeDescriptor(v4) }
        let first = try #require(try acceptWaiting(listener))
        closeDescriptor(first)
        let v6 = try connectIPv6Loopback(port: port)
        defer { closeDescriptor(v6) }
        let second = try #require(try acceptWaiting(listener))
        closeDescriptor(second)
    }

    @Test("IPv6 loopback binds and reports its port", .enabled(if: hasIPv6Loopback))
    func ipv6Loopback() throws {
        let listener = try TCPListener.bind(host: "::1", port: 0)
        defer { closeDescriptor(listener) }
        #expect(socketFamily(listener) == AF_INET6)
        let port = try #require(TCPListener.localPort(listener))
        let client = try connectIPv6Loopback(port: port)
        defer { closeDescriptor(client) }
        let server = try #require(try acceptWaiting(listener))
        closeDescriptor(server)
    }

    @Test("A port already listened on throws EADDRINUSE")
    func addressInUse() throws {
        let listener = try TCPListener.bind(host: "127.0.0.1", port: 0)
        defer { closeDescriptor(listener) }
        let port = try #require(TCPListener.localPort(listener))
        #expect(throws: PosixError("bind 127.0.0.1:\(port)", errno: EADDRINUSE)) {
            try TCPListener.bind(host: "127.0.0.1", port: port)
        }
    }

    @Test("A port outside 0...65535 is refused, not truncated to another port", arguments: [65536, 65536 + 8080, 70000, -1])
    func portOutOfRange(_ port: Int) throws {
        let result = Result { () throws(PosixError) -> Int32 in try TCPListener.bind(host: "127.0.0.1", port: port) }
        if case .success(let fd) = result {
            Issue.record("port \(port) was accepted and bound to port \(TCPListener.localPort(fd) ?? -1)")
            closeDescriptor(fd)
        }
    }

    @Test("A host that is not an address of this machine throws")
    func foreignAddress() {
        // 192.0.2.1 (TEST-NET-1) is never a local address; nothing is sent anywhere.
        #expect(throws: PosixError.self) { try TCPListener.bind(host: "192.0.2.1", port: 0) }
    }

    @Test("localPort of something that is not a socket is nil")
    func localPortOfNonSocket() throws {
        let p = try makePipe()
        defer {
            closeDescriptor(p.read)
            closeDescriptor(p.write)
        }
        #expect(TCPListener.localPort(p.read) == nil)
        #expect(TCPListener.localPort(99_996) == nil)
    }

    @Test("accept on something that is not a listener throws")
    func acceptOnNonListener() throws {
        #expect(throws: PosixError("accept4", errno: EBADF)) { try TCPListener.accept(99_995) }
    }
}

@Suite("UnixStreamSocket")
struct UnixStreamSocketTests {
    @Test("listen, connect, accept; peer credentials are our uid; the socket file is 0600")
    func listenConnect() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/admin.sock"
        let maskBefore = umask(0o022)
        umask(maskBefore)
        let listener = try UnixStreamSocket.listen(path: path)
        defer { closeDescriptor(listener) }
        #expect(isCloexec(listener))
        #expect(isNonBlocking(listener))
        let maskAfter = umask(0o022)
        umask(maskAfter)
        #expect(maskAfter == maskBefore, "listen restores the umask")

        var st = stat()
        let statted = stat(path, &st)
        #expect(statted == 0)
        #expect(st.st_mode & S_IFMT == S_IFSOCK)
        #expect(st.st_mode & 0o777 == 0o600)

        #expect(try TCPListener.accept(listener) == nil, "nothing pending")
        let client = try UnixStreamSocket.connect(path: path)
        defer { closeDescriptor(client) }
        #expect(isCloexec(client))
        #expect(!isNonBlocking(client))
        let server = try #require(try acceptWaiting(listener))
        defer { closeDescriptor(server) }
        #expect(UnixStreamSocket.peerUID(server) == getuid())
        #expect(UnixStreamSocket.peerUID(client) == getuid())

        let written3 = write(client, [0, 0, 0, 2, 0, 0] as [UInt8], 6)

        #expect(written3 == 6)
        var buffer = [UInt8](repeating: 0, count: 6)
        let n = read(server, &buffer, 6)
        #expect(n == 6)
        #expect(buffer == [0, 0, 0, 2, 0, 0])
    }

    @Test("listen replaces a stale socket file")
    func replacesStaleSocket() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/admin.sock"
        let first = try UnixStreamSocket.listen(path: path)
        closeDescriptor(first)
        let second = try UnixStreamSocket.listen(path: path)
        defer { closeDescriptor(second) }
        let client = try UnixStreamSocket.connect(path: path)
        closeDescriptor(client)
    }

    @Test("A path too long for sun_path throws ENAMETOOLONG")
    func pathTooLong() {
        let path = "/tmp/" + String(repeating: "x", count: 120)
        #expect(throws: PosixError("socket path \(path)", errno: ENAMETOOLONG)) { try UnixStreamSocket.listen(path: path) }
        #expect(throws: PosixError("socket path \(path)", errno: ENAMETOOLONG)) { try UnixStreamSocket.connect(path: path) }
    }

    @Test("The longest path that fits works")
    func longestPath() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/" + String(repeating: "s", count: 107 - directory.utf8.count - 1)
        #expect(path.utf8.count == 107)
        let listener = try UnixStreamSocket.listen(path: path)
        defer { closeDescriptor(listener) }
        let client = try UnixStreamSocket.connect(path: path)
        closeDescriptor(client)
    }

    @Test("Connecting where nothing listens throws")
    func connectNowhere() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        #expect(throws: PosixError("connect \(directory)/none.sock", errno: ENOENT)) {
            try UnixStreamSocket.connect(path: directory + "/none.sock")
        }
        // A socket file whose listener is gone.
        let path = directory + "/gone.sock"
        closeDescriptor(try UnixStreamSocket.listen(path: path))
        #expect(throws: PosixError("connect \(path)", errno: ECONNREFUSED)) { try UnixStreamSocket.connect(path: path) }
    }

    @Test("peerUID of something that is not a socket is nil")
    func peerUIDOfNonSocket() throws {
        let p = try makePipe()
        defer {
            closeDescriptor(p.read)
            closeDescriptor(p.write)
        }
        #expect(UnixStreamSocket.peerUID(p.read) == nil)
    }
}

@Suite struct MountInfoTests {
    let table = """
        22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        88 22 0:50 / /var/lib/ccproxy/bridges/p-61 rw,nosuid,nodev,relatime shared:40 - fuse.ccproxy-bridge ccproxy-bridge rw,user_id=0
        89 22 0:51 / /mnt/with\\040space rw - fuse fuse rw
        90 22 0:52 / /mnt/tmp rw - tmpfs tmpfs rw
        """

    @Test func findsFuseMountsByTheirPointAndType() {
        #expect(MountPoint.isFuseMounted(at: "/var/lib/ccproxy/bridges/p-61", mountInfo: table))
        #expect(MountPoint.isFuseMounted(at: "/mnt/with space", mountInfo: table))
        #expect(!MountPoint.isFuseMounted(at: "/mnt/tmp", mountInfo: table), "not FUSE")
        #expect(!MountPoint.isFuseMounted(at: "/var/lib/ccproxy/bridges", mountInfo: table))
        #expect(!MountPoint.isFuseMounted(at: "/var/lib/ccproxy/bridges/p-6", mountInfo: table))
        #expect(!MountPoint.isFuseMounted(at: "/nowhere"), "the real table")
    }
}
