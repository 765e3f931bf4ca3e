import CCProxyBridgeProtocol
import Foundation
import Testing

/// The compatibility contract of protocol version 1: these bytes must not change.
@Suite("Golden frames")
struct GoldenFrameTests {
    private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test func referenceHelloRequestDecodes() throws {
        let frame = Data(#"{"id":1,"type":"req","method":"hello","params":{"server_version":"ccproxy/1.2.3"}}"#.utf8)
        #expect(try BridgeCodec.head(of: frame) == .request(id: 1, method: "hello"))
        let request = try BridgeRequest.decode(method: "hello", frame: frame)
        #expect(request == .hello(HelloParams(serverVersion: "ccproxy/1.2.3", protocolVersion: 1)))
    }

    @Test func helloRequestEncodes() {
        let frame = BridgeRequest.hello(HelloParams(serverVersion: "ccproxy/2.0")).encoded(id: 1)
        #expect(text(frame) == #"{"id":1,"method":"hello","params":{"protocol_version":1,"server_version":"ccproxy/2.0"},"type":"req"}"#)
    }

    @Test func helloResultEncodes() {
        let result = HelloResult(
            daemonVersion: "ccproxy-bridge/0.1.0", protocolVersion: 1, root: "/home/u/src", capabilities: ["stat", "read"],
            allowWrite: true, allowExec: false, watch: true)
        #expect(
            text(BridgeCodec.response(id: 1, result: result))
                == #"{"id":1,"result":{"allow_exec":false,"allow_write":true,"capabilities":["stat","read"],"daemon_version":"ccproxy-bridge/0.1.0","protocol_version":1,"root":"/home/u/src","watch":true},"type":"resp"}"#
        )
    }

    @Test func referenceHelloResultDecodes() throws {
        let frame = Data(
            #"{"id":1,"type":"resp","result":{"daemon_version":"ccproxy-bridge/devel","root":"/abs/root","allow_write":true,"allow_exec":false}}"#
                .utf8)
        #expect(try BridgeCodec.head(of: frame) == .response(id: 1, error: nil))
        let hello = try BridgeCodec.result(HelloResult.self, of: frame)
        #expect(hello.protocolVersion == 1)
        #expect(hello.root == "/abs/root")
        #expect(hello.capabilities == [])
        #expect(hello.watch == false)
    }

    @Test func errorResponseEncodes() throws {
        let frame = BridgeCodec.failure(id: 7, BridgeError(.notFound, "no such file or directory: a/b"))
        #expect(text(frame) == #"{"error":{"code":"not_found","message":"no such file or directory: a/b"},"id":7,"type":"resp"}"#)
        #expect(try BridgeCodec.head(of: frame) == .response(id: 7, error: BridgeError(.notFound, "no such file or directory: a/b")))
    }

    @Test func readResultIsBase64() throws {
        let frame = BridgeCodec.response(id: 3, result: ReadResult(data: Data("hi".utf8), eof: true))
        #expect(text(frame) == #"{"id":3,"result":{"data":"aGk=","eof":true},"type":"resp"}"#)
        #expect(try BridgeCodec.result(ReadResult.self, of: frame) == ReadResult(data: Data("hi".utf8), eof: true))
    }

    @Test func statResultEncodes() {
        let frame = BridgeCodec.response(
            id: 4, result: StatResult(name: "a.txt", size: 5, mode: 0o100644, mtime: 1_700_000_000_123_456_789, kind: .file))
        #expect(
            text(frame)
                == #"{"id":4,"result":{"is_dir":false,"kind":"file","mode":33188,"mtime":1700000000123456789,"name":"a.txt","size":5},"type":"resp"}"#
        )
    }

    @Test func execResultEncodes() {
        let frame = BridgeCodec.response(id: 9, result: ExecResult(stdout: Data("ok\n".utf8), stderr: Data(), exitCode: 0))
        #expect(text(frame) == #"{"id":9,"result":{"exit_code":0,"stderr":"","stdout":"b2sK","timed_out":false,"truncated":false},"type":"resp"}"#)
    }

    @Test func emptyResultEncodes() {
        #expect(text(BridgeCodec.response(id: 2, result: EmptyResult())) == #"{"id":2,"result":{},"type":"resp"}"#)
    }

    @Test func watchEventEncodes() throws {
        let frame = BridgeCodec.event(.watch(WatchEvent(path: "src/main.swift", kind: .modified)))
        #expect(text(frame) == #"{"method":"watch","params":{"kind":"modified","path":"src/main.swift"},"type":"event"}"#)
        #expect(try BridgeCodec.head(of: frame) == .event(name: "watch"))
        #expect(try BridgeCodec.event(named: "watch", of: frame) == .watch(WatchEvent(path: "src/main.swift", kind: .modified)))
    }

    @Test func byeEventEncodes() throws {
        let frame = BridgeCodec.event(.bye(ByeEvent(reason: "daemon stopping")))
        #expect(text(frame) == #"{"method":"bye","params":{"reason":"daemon stopping"},"type":"event"}"#)
        #expect(try BridgeCodec.event(named: "bye", of: Data(#"{"type":"event","method":"bye"}"#.utf8)) == .bye(ByeEvent(reason: nil)))
    }

    @Test func writeRequestEncodes() {
        let frame = BridgeRequest.write(WriteParams(path: "a", offset: 4, data: Data([0, 255]), truncate: false)).encoded(id: 12)
        #expect(text(frame) == #"{"id":12,"method":"write","params":{"data":"AP8=","offset":4,"path":"a","truncate":false},"type":"req"}"#)
    }

    @Test(arguments: [
        BridgeRequest.hello(HelloParams(serverVersion: "s", protocolVersion: 1, capabilities: ["x"])),
        .stat(PathParams(path: "a/b")), .readdir(PathParams(path: "")),
        .read(ReadParams(path: "f", offset: 1 << 40, length: 4096)),
        .write(WriteParams(path: "f", offset: 0, data: Data("x".utf8), truncate: true)),
        .create(ModeParams(path: "n", mode: 0o600)), .mkdir(ModeParams(path: "d", mode: 0o700)),
        .remove(RemoveParams(path: "d", recursive: true)), .rename(RenameParams(from: "a", to: "b")),
        .chmod(ModeParams(path: "f", mode: 0o755)), .exec(ExecParams(cmd: "ls", args: ["-l"], stdin: Data("in".utf8))),
        .truncate(TruncateParams(path: "f", size: 10)), .symlink(SymlinkParams(path: "l", target: "f")),
        .readlink(PathParams(path: "l")), .utimens(UtimensParams(path: "f", atime: 1, mtime: -1)),
        .fsync(PathParams(path: "f")),
    ])
    func everyRequestRoundTrips(_ request: BridgeRequest) throws {
        let frame = request.encoded(id: 42)
        #expect(try BridgeCodec.head(of: frame) == .request(id: 42, method: request.method.rawValue))
        #expect(try BridgeRequest.decode(method: request.method.rawValue, frame: frame) == request)
    }

    @Test func everyMethodIsCovered() {
        #expect(BridgeMethod.allCases.count == 16)
        #expect(BridgeMethod.allCases.filter(\.writes).map(\.rawValue).sorted()
            == ["chmod", "create", "mkdir", "remove", "rename", "symlink", "truncate", "utimens", "write"])
    }
}
