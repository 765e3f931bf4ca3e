import CCProxyBridgeProtocol
import Foundation
import Testing

@testable import CCProxyBridgeDaemon

/// The confinement walk on a real temporary tree (in-process; the black-box tests do the
/// same through the websocket).
@Suite("Rooted file system")
final class RootedFileSystemTests {
    let base: URL
    let root: URL
    let fs: RootedFileSystem

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("rfs-\(UUID().uuidString)")
        root = base.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("outside"), withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: base.appendingPathComponent("outside/s.txt"))
        try Data("in".utf8).write(to: root.appendingPathComponent("sub/f.txt"))
        fs = try RootedFileSystem(root: root.path)
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    private func link(_ name: String, _ target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(name).path, withDestinationPath: target)
    }

    /// The code a call failed with (nil: it succeeded; `.internal`: not a BridgeError).
    private func code(_ body: () throws -> Void) -> BridgeErrorCode? {
        do {
            try body()
            return nil
        } catch {
            return (error as? BridgeError)?.code ?? .internal
        }
    }

    @Test func intermediateLinkOutOfTheRootIsRefused() throws {
        try link("out", base.appendingPathComponent("outside").path)
        try link("sub/up", "../../outside")
        #expect(code { _ = try fs.read(ReadParams(path: "out/s.txt", offset: 0, length: 0)) } == .outOfRoot)
        #expect(code { _ = try fs.read(ReadParams(path: "sub/up/s.txt", offset: 0, length: 0)) } == .outOfRoot)
        #expect(code { _ = try fs.write(WriteParams(path: "out/new", offset: 0, data: Data("x".utf8))) } == .outOfRoot)
        #expect(code { try fs.mkdir(ModeParams(path: "sub/up/d", mode: 0)) } == .outOfRoot)
        #expect(!FileManager.default.fileExists(atPath: base.appendingPathComponent("outside/new").path))
        // The link itself is an entry of the root, reported as a link.
        #expect(try fs.stat(PathParams(path: "out")).kind == .symlink)
    }

    @Test func linksInsideAreFollowed() throws {
        try link("alias", "sub")
        try link("sub/abs", root.appendingPathComponent("sub/f.txt").path)
        #expect(try fs.read(ReadParams(path: "alias/f.txt", offset: 0, length: 0)).data == Data("in".utf8))
        #expect(try fs.read(ReadParams(path: "sub/abs", offset: 0, length: 0)).data == Data("in".utf8))
        #expect(try fs.readdir(PathParams(path: "alias")).entries.map(\.name) == ["abs", "f.txt"])
    }

    @Test func chmodThroughALinkChangesTheTargetInside() throws {
        try link("alias", "sub/f.txt")
        try fs.chmod(ModeParams(path: "alias", mode: 0o600))
        let mode = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("sub/f.txt").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try link("away", base.appendingPathComponent("outside/s.txt").path)
        #expect(code { try fs.chmod(ModeParams(path: "away", mode: 0o777)) } == .outOfRoot)
    }

    @Test func linkLoopsEnd() throws {
        try link("a", "b")
        try link("b", "a")
        #expect(code { _ = try fs.read(ReadParams(path: "a", offset: 0, length: 0)) } == .io)
    }

    @Test func deniedNamesAreAbsentAndThePolicyFollowsTheIgnoreFile() throws {
        try Data("k".utf8).write(to: root.appendingPathComponent("notes.md"))
        #expect(try fs.readdir(PathParams(path: "")).entries.map(\.name) == ["notes.md", "sub"])
        try Data("*.md\n".utf8).write(to: root.appendingPathComponent(".ccproxyignore"))
        #expect(try fs.readdir(PathParams(path: "")).entries.map(\.name) == ["sub"])
        #expect(code { _ = try fs.stat(PathParams(path: "notes.md")) } == .notFound)
        #expect(code { _ = try fs.stat(PathParams(path: ".ccproxyignore")) } == .notFound)
        #expect(code { try fs.create(ModeParams(path: "other.md", mode: 0)) } == .notFound)
        try FileManager.default.removeItem(at: root.appendingPathComponent(".ccproxyignore"))
        #expect(try fs.stat(PathParams(path: "notes.md")).size == 1)
    }

    @Test func readsAreChunkedAndReportTheEnd() throws {
        try Data(repeating: 7, count: 10).write(to: root.appendingPathComponent("ten"))
        let head = try fs.read(ReadParams(path: "ten", offset: 0, length: 4))
        #expect((head.data.count, head.eof) == (4, false))
        let tail = try fs.read(ReadParams(path: "ten", offset: 8, length: 4))
        #expect((tail.data.count, tail.eof) == (2, true))
        #expect(code { _ = try fs.read(ReadParams(path: "ten", offset: -1, length: 4)) } == .invalidArgument)
    }

    @Test func tooLargeWriteIsRefused() {
        let big = Data(count: 1024 * 1024 + 1)
        #expect(code { _ = try fs.write(WriteParams(path: "big", offset: 0, data: big)) } == .tooLarge)
    }

    @Test func removalsStayInside() throws {
        #expect(code { try fs.remove(RemoveParams(path: "", recursive: true)) } == .permissionDenied)
        #expect(code { try fs.remove(RemoveParams(path: "..", recursive: true)) } == .permissionDenied)
        try link("out", base.appendingPathComponent("outside").path)
        try fs.remove(RemoveParams(path: "out", recursive: true))
        #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("outside/s.txt").path))
    }
}
