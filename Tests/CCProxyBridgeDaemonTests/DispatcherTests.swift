import CCProxyBridgeProtocol
import Foundation
import Logging
import Testing

@testable import CCProxyBridgeDaemon

/// The switches and the hello answer, request by request (no connection).
@Suite("Dispatcher")
final class DispatcherTests {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("disp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("f"))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    private func dispatcher(allowWrite: Bool = true, allowExec: Bool = false) throws -> BridgeDispatcher {
        let options = BridgeDaemonOptions(
            server: try #require(BridgeServerAddress("ws://h/bridge")), root: root.path, token: "t", allowWrite: allowWrite,
            allowExec: allowExec)
        return BridgeDispatcher(fs: try RootedFileSystem(root: root.path), options: options, confirmer: nil, audit: nil, logger: Logger(label: "t"))
    }

    private func failure(_ d: BridgeDispatcher, _ r: BridgeRequest) -> BridgeError? {
        if case .failure(let e) = d.perform(r) { return e }
        return nil
    }

    @Test func helloAdvertisesWhatIsAllowed() throws {
        guard case .success(let value) = try dispatcher().perform(.hello(HelloParams(serverVersion: "s", protocolVersion: 7))),
            let hello = value as? HelloResult
        else {
            Issue.record("hello failed")
            return
        }
        #expect(hello.protocolVersion == 1, "the lower of both sides")
        #expect(!hello.capabilities.contains("exec"))
        #expect(hello.capabilities.contains("fsync"))
        #expect(hello.root == (try DirectoryCallsRoot.real(root.path)))
        guard case .success(let v2) = try dispatcher(allowExec: true).perform(.hello(HelloParams(serverVersion: "s"))),
            let withExec = v2 as? HelloResult
        else { return }
        #expect(withExec.capabilities.contains("exec") && withExec.allowExec)
    }

    @Test func everyWritingMethodIsRefusedWithWritesOff() throws {
        let d = try dispatcher(allowWrite: false)
        let writes: [BridgeRequest] = [
            .write(WriteParams(path: "f", offset: 0, data: Data())), .create(ModeParams(path: "n", mode: 0)),
            .mkdir(ModeParams(path: "d", mode: 0)), .remove(RemoveParams(path: "f")), .rename(RenameParams(from: "f", to: "g")),
            .chmod(ModeParams(path: "f", mode: 0o777)), .truncate(TruncateParams(path: "f", size: 0)),
            .symlink(SymlinkParams(path: "l", target: "f")), .utimens(UtimensParams(path: "f", mtime: 0)),
        ]
        #expect(writes.count == BridgeMethod.allCases.filter(\.writes).count)
        for r in writes { #expect(failure(d, r)?.code == .permissionDenied, "\(r.method)") }
        #expect(failure(d, .stat(PathParams(path: "f"))) == nil)
        #expect(try String(contentsOf: root.appendingPathComponent("f"), encoding: .utf8) == "x")
    }

    @Test func execNeedsTheFlag() throws {
        let e = failure(try dispatcher(), .exec(ExecParams(cmd: "true")))
        #expect(e == BridgeError(.permissionDenied, "exec disabled (start daemon with --allow-exec)"))
        // Running a command is the black-box tests' part: a child spawned here would upset the
        // serialized spawner suite's "no child left" checks, which share this test process.
        #expect(failure(try dispatcher(allowExec: true), .exec(ExecParams(cmd: ""))) == BridgeError(.invalidArgument, "empty command"))
    }
}

/// The root as the daemon reports it (link-free), for comparisons.
enum DirectoryCallsRoot {
    static func real(_ path: String) throws -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
