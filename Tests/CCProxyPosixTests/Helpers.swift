import CCProxyPosix
import Glibc
import Testing

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A pipe with both ends CLOEXEC.
func makePipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw PosixError("pipe") }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return (fds[0], fds[1])
}

/// Reads until EOF (blocking fd).
func readToEnd(_ fd: Int32) -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { break }
        result.append(contentsOf: buffer[0..<n])
    }
    return result
}

func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

func descriptorFlags(_ fd: Int32) -> Int32 { fcntl(fd, F_GETFD) }
func statusFlags(_ fd: Int32) -> Int32 { fcntl(fd, F_GETFL) }
func isCloexec(_ fd: Int32) -> Bool { descriptorFlags(fd) & FD_CLOEXEC != 0 }
func isNonBlocking(_ fd: Int32) -> Bool { statusFlags(fd) & O_NONBLOCK != 0 }
func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }

func fileIdentity(_ fd: Int32) -> (dev: UInt64, ino: UInt64)? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    return (UInt64(st.st_dev), UInt64(st.st_ino))
}

/// A fresh private directory under /tmp.
func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/ccp-posix-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw PosixError("mkdtemp") }
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

func removeTree(_ path: String) {
    // Test directories hold only a few plain files and sockets.
    if let dir = opendir(path) {
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { _ = unlink(path + "/" + name) }
        }
        closedir(dir)
    }
    _ = rmdir(path)
}

func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// Waits up to `seconds` for a child to end without blocking forever; nil on timeout.
func waitWithTimeout(_ pid: pid_t, seconds: Double) -> CCProxyPosix.ExitStatus? {
    let deadline = monotonicSeconds() + seconds
    while monotonicSeconds() < deadline {
        if let status = ChildReaper.wait(for: pid, nonBlocking: true) { return status }
        usleep(5_000)
    }
    return nil
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Kills and reaps a child that a failed test left behind.
func killAndReap(_ pid: pid_t) {
    _ = kill(pid, SIGKILL)
    _ = ChildReaper.wait(for: pid)
}

/// Whether `fd` reaches end-of-file within `seconds` (all writers closed). A pipe read
/// end only: it is switched to non-blocking.
func reachesEOF(_ fd: Int32, within seconds: Int32 = 2) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    _ = poll(&entry, 1, seconds * 1000)
    try? setNonBlocking(fd, true)
    var byte: UInt8 = 0
    return read(fd, &byte, 1) == 0
}

/// Spawns with stdin and stderr on /dev/null and stdout on a pipe; returns how the child
/// ended and what it printed.
func run(
    _ executable: String, _ arguments: [String], environment: [String] = ["PATH=/usr/bin:/bin"],
    workingDirectory: String? = nil, extra: [(parent: Int32, child: Int32)] = [],
    newProcessGroup: Bool = false
) throws -> (status: CCProxyPosix.ExitStatus, output: String) {
    let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { closeDescriptor(devNull) }
    let out = try makePipe()
    defer { closeDescriptor(out.read) }
    let pid: pid_t
    do {
        pid = try ProcessSpawner.spawn(
            ProcessSpawner.Request(
                executable: executable, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory,
                descriptors: [(devNull, 0), (out.write, 1), (devNull, 2)] + extra,
                newProcessGroup: newProcessGroup))
    } catch {
        closeDescriptor(out.write)
        throw error
    }
    closeDescriptor(out.write)
    let output = readToEnd(out.read)
    guard let status = waitWithTimeout(pid, seconds: 10) else {
        killAndReap(pid)
        throw TestFailure("child \(executable) did not exit")
    }
    return (status, string(output))
}

/// A blocking TCP connection to 127.0.0.1:port.
func connectIPv4Loopback(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw PosixError("socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else {
        let error = PosixError("connect")
        closeDescriptor(fd)
        throw error
    }
    return fd
}

/// A blocking TCP connection to [::1]:port.
func connectIPv6Loopback(port: Int) throws -> Int32 {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw PosixError("socket") }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_port = UInt16(port).bigEndian
    _ = inet_pton(AF_INET6, "::1", &address.sin6_addr)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }
    guard rc == 0 else {
        let error = PosixError("connect")
        closeDescriptor(fd)
        throw error
    }
    return fd
}

func socketFamily(_ fd: Int32) -> Int32 {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int32(storage.ss_family)
}

/// Accepts with a wait: polls the (non-blocking) listener first.
func acceptWaiting(_ listener: Int32) throws -> Int32? {
    _ = try Poller().wait(on: [listener], timeoutMilliseconds: 2000)
    guard let accepted = try TCPListener.accept(listener) else { return nil }
    return accepted.relinquish()
}

/// Whether this machine has an IPv6 loopback.
var hasIPv6Loopback: Bool {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { closeDescriptor(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    _ = inet_pton(AF_INET6, "::1", &address.sin6_addr)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }
    return rc == 0
}
