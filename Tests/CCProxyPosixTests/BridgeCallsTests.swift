import Foundation
import Glibc
import Testing

@testable import CCProxyPosix

/// CapturedCommand spawns children, so its tests join the serialized spawner suite (whose
/// "no child left" checks must see every child of the process).
extension ProcessSpawnerTests {
    private var env: [String] { ["PATH=/usr/bin:/bin"] }

    @Test("CapturedCommand: capturesBothOutputsTheExitCodeAndTheInput") func captured_capturesBothOutputsTheExitCodeAndTheInput() throws {
        let out = try CapturedCommand.run(
            arguments: ["/bin/sh", "-c", "pwd; cat; echo oops >&2; exit 4"], environment: env, workingDirectory: "/tmp",
            input: Array("fed\n".utf8), timeoutSeconds: 30, maxOutputBytes: 1024)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "/tmp\nfed\n")
        #expect(String(decoding: out.stderr, as: UTF8.self) == "oops\n")
        #expect(out.status == .exited(4))
        #expect(!out.timedOut && !out.truncated)
    }

    @Test("CapturedCommand: boundsTheOutput") func captured_boundsTheOutput() throws {
        let out = try CapturedCommand.run(
            arguments: ["/bin/sh", "-c", "head -c 100000 /dev/zero"], environment: env, workingDirectory: "/",
            input: [], timeoutSeconds: 30, maxOutputBytes: 1000)
        #expect(out.stdout.count == 1000)
        #expect(out.truncated)
        #expect(out.status == .exited(0))
    }

    @Test("CapturedCommand: killsTheGroupAtTheTimeout") func captured_killsTheGroupAtTheTimeout() throws {
        let out = try CapturedCommand.run(
            arguments: ["/bin/sh", "-c", "sleep 600 & sleep 600"], environment: env, workingDirectory: "/",
            input: [], timeoutSeconds: 0.3, maxOutputBytes: 1000)
        #expect(out.timedOut)
        #expect(out.status == .signaled(SIGKILL, coreDumped: false))
    }

    @Test("CapturedCommand: missingProgramIsAnError") func captured_missingProgramIsAnError() {
        #expect(throws: PosixError.self) {
            try CapturedCommand.run(
                arguments: ["/nonexistent/prog"], environment: env, workingDirectory: "/", input: [], timeoutSeconds: 5,
                maxOutputBytes: 10)
        }
    }
}

@Suite("Inotify")
struct InotifyTests {
    @Test func parsesEventRecords() {
        func record(_ wd: Int32, _ mask: UInt32, _ name: String, pad: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for v in [UInt32(bitPattern: wd), mask, 0, UInt32(name.utf8.count + pad)] {
                bytes += withUnsafeBytes(of: v.littleEndian, Array.init)
            }
            return bytes + Array(name.utf8) + [UInt8](repeating: 0, count: pad)
        }
        let bytes = record(1, UInt32(IN_CREATE) | UInt32(IN_ISDIR), "dir", pad: 5) + record(2, UInt32(IN_MODIFY), "f.txt", pad: 3)
            + [1, 2, 3]  // a torn record at the end is ignored
        let events = Inotify.parse(bytes[...])
        #expect(events.map(\.name) == ["dir", "f.txt"])
        #expect(events[0].created && events[0].isDirectory && !events[0].removed)
        #expect(events[1].modified && events[1].watch == 2)
    }

    @Test func seesAFileWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ino-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inotify = try Inotify()
        let wd = try inotify.watchDirectory(dir.path)
        try Data("x".utf8).write(to: dir.appendingPathComponent("new.txt"))
        let events = try inotify.read()
        #expect(events.contains { $0.watch == wd && $0.name == "new.txt" && ($0.created || $0.modified) })
    }
}

@Suite("DirectoryCalls")
struct DirectoryCallsTests {
    @Test func refusesToOpenALinkAsADirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("real"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: "real")
        let fd = try DirectoryCalls.openDirectory(dir.path)
        defer { closeDescriptor(fd) }
        #expect(throws: PosixError.self) { try DirectoryCalls.openSubdirectory(fd, "link") }
        #expect(try DirectoryCalls.status(fd, "link").isSymlink)
        #expect(try DirectoryCalls.readLink(fd, "link") == "real")
        #expect(try DirectoryCalls.list(fd, nil).sorted() == ["link", "real"])
        let sub = try DirectoryCalls.openSubdirectory(fd, "real")
        closeDescriptor(sub)
    }
}
