import CCProxyPosix
import Glibc
import Testing

@Suite("SealedMemoryFile")
struct SealedMemoryFileTests {
    static let F_GET_SEALS: Int32 = 1034
    static let allSeals: Int32 = 0x1 | 0x2 | 0x4 | 0x8  // SEAL, SHRINK, GROW, WRITE

    @Test("create, then readAll returns the bytes", arguments: [0, 1, 1000, 64 * 1024, 64 * 1024 + 1, 300_000])
    func roundTrip(_ size: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let fd = try SealedMemoryFile.create(name: "ccp-test", bytes: bytes)
        defer { closeDescriptor(fd) }
        #expect(try SealedMemoryFile.readAll(fd, maxBytes: size) == bytes)
        #expect(try SealedMemoryFile.readAll(fd, maxBytes: size + 100) == bytes, "readAll reads from the start every time")
    }

    @Test("The file is sealed against writes, resizing and further sealing, and CLOEXEC")
    func sealed() throws {
        let fd = try SealedMemoryFile.create(name: "ccp-test", bytes: [1, 2, 3])
        defer { closeDescriptor(fd) }
        #expect(isCloexec(fd))
        #expect(fcntl(fd, Self.F_GET_SEALS) == Self.allSeals)
        let written1 = write(fd, [9] as [UInt8], 1)
        let writeErrno = errno
        #expect(written1 == -1)
        #expect(writeErrno == EPERM)
        let pwritten = pwrite(fd, [9] as [UInt8], 1, 0)
        let pwriteErrno = errno
        #expect(pwritten == -1)
        #expect(pwriteErrno == EPERM)
        let shrunk = ftruncate(fd, 0)
        let shrinkErrno = errno
        #expect(shrunk == -1)
        #expect(shrinkErrno == EPERM)
        let grown = ftruncate(fd, 100)
        let growErrno = errno
        #expect(grown == -1)
        #expect(growErrno == EPERM)
        let mapped = mmap(nil, 3, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        #expect(mapped == MAP_FAILED)
        if mapped != MAP_FAILED { munmap(mapped, 3) }
        // Reopening through /proc for writing does not get around the seal either.
        let reopened = open("/proc/self/fd/\(fd)", O_WRONLY | O_CLOEXEC)
        if reopened >= 0 {
            let written2 = write(reopened, [9] as [UInt8], 1)
            #expect(written2 == -1)
            closeDescriptor(reopened)
        }
        #expect(try SealedMemoryFile.readAll(fd, maxBytes: 10) == [1, 2, 3])
    }

    @Test("A file larger than maxBytes throws EFBIG")
    func tooBig() throws {
        let fd = try SealedMemoryFile.create(name: "ccp-test", bytes: [UInt8](repeating: 1, count: 100))
        defer { closeDescriptor(fd) }
        #expect(throws: PosixError("pread", errno: EFBIG)) { try SealedMemoryFile.readAll(fd, maxBytes: 99) }
        #expect(throws: PosixError("pread", errno: EFBIG)) { try SealedMemoryFile.readAll(fd, maxBytes: 0) }
    }

    @Test("readAll of a bad descriptor throws EBADF")
    func badDescriptor() {
        #expect(throws: PosixError("pread", errno: EBADF)) { try SealedMemoryFile.readAll(99_994, maxBytes: 10) }
    }

    @Test("A new memory file's offset is at the start, for readers that read sequentially")
    func offsetAtStart() throws {
        let fd = try SealedMemoryFile.create(name: "ccp-test", bytes: [1, 2, 3])
        defer { closeDescriptor(fd) }
        #expect(lseek(fd, 0, SEEK_CUR) == 0)
    }
}

@Suite("SignalPipe", .serialized)
struct SignalPipeTests {
    @Test("Raised signals come out of drain() in order; a failed second init leaves the first intact")
    func signals() throws {
        // Test threads (Dispatch workers) block SIGUSR1/SIGUSR2; raise(3) signals the calling
        // thread, so unblock them here for the duration of the test.
        var set = sigset_t()
        var old = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGUSR1)
        sigaddset(&set, SIGUSR2)
        let unmasked = pthread_sigmask(SIG_UNBLOCK, &set, &old)
        try #require(unmasked == 0)
        defer { _ = pthread_sigmask(SIG_SETMASK, &old, nil) }

        let pipe = try SignalPipe(signals: [SIGUSR1, SIGUSR2])
        #expect(isCloexec(pipe.readFD))
        #expect(isNonBlocking(pipe.readFD))
        #expect(pipe.drain() == [])
        #expect(try Poller().wait(on: [pipe.readFD], timeoutMilliseconds: 0).isEmpty)
        raise(SIGUSR1)
        raise(SIGUSR2)
        raise(SIGUSR1)
        let ready = try Poller().wait(on: [pipe.readFD], timeoutMilliseconds: 1000)
        #expect(ready.first?.readable == true)
        #expect(pipe.drain() == [SIGUSR1, SIGUSR2, SIGUSR1])
        #expect(pipe.drain() == [])

        // Many signals at once: all are drained (more than one read's worth).
        for _ in 0..<200 { raise(SIGUSR2) }
        #expect(pipe.drain() == Array(repeating: SIGUSR2, count: 200))

        // A process-directed signal reaches the pipe too (delivered on any thread that
        // does not block it).
        kill(getpid(), SIGUSR1)
        _ = try Poller().wait(on: [pipe.readFD], timeoutMilliseconds: 2000)
        #expect(pipe.drain() == [SIGUSR1])

        // A SignalPipe that cannot be installed (SIGKILL cannot be caught) throws...
        #expect(throws: PosixError("sigaction", errno: EINVAL)) { try SignalPipe(signals: [SIGKILL]) }
        // ...and must leave the working one alone.
        raise(SIGUSR1)
        #expect(pipe.drain() == [SIGUSR1], "signals must still reach the installed SignalPipe")
    }
}

@Suite("Poller")
struct PollerTests {
    @Test("Timeout with nothing ready, readable after a write, hang-up after close")
    func pipeReadiness() throws {
        let p = try makePipe()
        defer { closeDescriptor(p.read) }
        let poller = Poller()
        let start = monotonicSeconds()
        #expect(try poller.wait(on: [p.read], timeoutMilliseconds: 50).isEmpty)
        #expect(monotonicSeconds() - start >= 0.04)
        let written3 = write(p.write, [1] as [UInt8], 1)
        #expect(written3 == 1)
        let ready = try poller.wait(on: [p.read], timeoutMilliseconds: 1000)
        #expect(ready.count == 1)
        #expect(ready.first?.readable == true)
        #expect(ready.first?.hangup == false)
        closeDescriptor(p.write)
        let both = try poller.wait(on: [p.read], timeoutMilliseconds: 1000)
        #expect(both.first?.readable == true)
        #expect(both.first?.hangup == true)
    }

    @Test("Only ready descriptors are reported, with their numbers")
    func onlyReady() throws {
        let a = try makePipe()
        let b = try makePipe()
        defer { [a.read, a.write, b.read, b.write].forEach(closeDescriptor) }
        let written4 = write(b.write, [1] as [UInt8], 1)
        #expect(written4 == 1)
        let ready = try Poller().wait(on: [a.read, b.read], timeoutMilliseconds: 1000)
        #expect(ready.map(\.fd) == [b.read])
    }

    @Test("An invalid descriptor is reported as hung up (POLLNVAL)")
    func invalidDescriptor() throws {
        let ready = try Poller().wait(on: [99_993], timeoutMilliseconds: 0)
        #expect(ready.count == 1)
        #expect(ready.first?.hangup == true)
        #expect(ready.first?.readable == false)
    }

    @Test("An empty list just waits for the timeout")
    func emptyList() throws {
        #expect(try Poller().wait(on: [Int32](), timeoutMilliseconds: 10).isEmpty)
    }
}

@Suite("PosixError and descriptor helpers")
struct PosixHelperTests {
    @Test("PosixError describes the call and errno")
    func description() {
        #expect(PosixError("open", errno: ENOENT).description == "open: No such file or directory")
        #expect(PosixError("x", errno: EPERM) == PosixError("x", errno: EPERM))
        #expect(PosixError("x", errno: EPERM) != PosixError("y", errno: EPERM))
        errno = EACCES
        #expect(PosixError("z").errno == EACCES, "defaults to the current errno")
    }

    @Test("setNonBlocking sets and clears O_NONBLOCK and keeps other flags")
    func nonBlocking() throws {
        let p = try makePipe()
        defer {
            closeDescriptor(p.read)
            closeDescriptor(p.write)
        }
        #expect(!isNonBlocking(p.read))
        try setNonBlocking(p.read, true)
        #expect(isNonBlocking(p.read))
        try setNonBlocking(p.read, true)
        #expect(isNonBlocking(p.read))
        try setNonBlocking(p.read, false)
        #expect(!isNonBlocking(p.read))
        #expect(isCloexec(p.read))
        #expect(throws: PosixError("fcntl(F_GETFL)", errno: EBADF)) { try setNonBlocking(99_992, true) }
    }

    @Test("closeDescriptor closes, and ignores negative numbers")
    func close() throws {
        let p = try makePipe()
        closeDescriptor(p.read)
        #expect(!isOpen(p.read))
        closeDescriptor(p.write)
        closeDescriptor(-1)
    }

    @Test("writeAll writes everything, including more than a pipe buffer with a reader")
    func writeAllLarge() throws {
        let p = try makePipe()
        defer { closeDescriptor(p.read) }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let readerDone = UnsafeMutablePointer<[UInt8]>.allocate(capacity: 1)
        readerDone.initialize(to: [])
        defer { readerDone.deinitialize(count: 1); readerDone.deallocate() }
        final class Context: @unchecked Sendable {
            let fd: Int32
            let out: UnsafeMutablePointer<[UInt8]>
            init(fd: Int32, out: UnsafeMutablePointer<[UInt8]>) { self.fd = fd; self.out = out }
        }
        let context = Context(fd: p.read, out: readerDone)
        var thread = pthread_t()
        _ = pthread_create(
            &thread, nil,
            { raw in
                let c = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
                c.out.pointee = readToEnd(c.fd)
                return nil
            }, Unmanaged.passUnretained(context).toOpaque())
        try writeAll(p.write, bytes)
        closeDescriptor(p.write)
        pthread_join(thread, nil)
        #expect(readerDone.pointee == bytes)
        try writeAll(-1, [])  // nothing to write: no system call, so not even a bad descriptor fails
    }

    @Test("writeAll to a pipe without readers throws EPIPE (SIGPIPE ignored)")
    func writeAllBrokenPipe() throws {
        SignalPipe.ignoreBrokenPipe()
        let p = try makePipe()
        closeDescriptor(p.read)
        defer { closeDescriptor(p.write) }
        #expect(throws: PosixError("write", errno: EPIPE)) { try writeAll(p.write, [1, 2, 3]) }
    }
}

@Suite("PendingSignals")
struct PendingSignalsTests {
    @Test("SIGKILL pending in the thread's or the process's set, a zombie, or no process: being killed")
    func parsing() {
        let base = "Name:\tnode\nState:\tD (disk sleep)\nSigQ:\t0/1\n"
        #expect(!PendingSignals.hasPendingKill(status: base + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"))
        #expect(PendingSignals.hasPendingKill(status: base + "SigPnd:\t0000000000000100\nShdPnd:\t0000000000000000\n"))
        #expect(PendingSignals.hasPendingKill(status: base + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000004100\n"))
        // SIGTERM alone (bit 14) is not a kill: the process may handle it.
        #expect(!PendingSignals.hasPendingKill(status: base + "SigPnd:\t0000000000004000\nShdPnd:\t0000000000004000\n"))
        #expect(PendingSignals.hasPendingKill(status: "State:\tZ (zombie)\n"))
        #expect(!PendingSignals.isBeingKilled(getpid()))
        #expect(PendingSignals.isBeingKilled(4_194_305), "no such process")
        #expect(!PendingSignals.isBeingKilled(0))
    }
}
