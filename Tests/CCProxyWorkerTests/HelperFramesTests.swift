// What the FUSE helper gets from the daemon: typed and re-encoded by the worker, never the
// daemon's bytes (invariant 3).

import CCProxyBridgeProtocol
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("HelperFrames")
struct HelperFramesTests {
    static let stat = StatResult(name: "a.txt", size: 3, mode: 0o644, mtime: 1, kind: .file)

    @Test("an answer is re-encoded from the method's result type, with the helper's id")
    func reencoded() throws {
        // The daemon's answer with fields the helper does not know and its own key order.
        let daemon = Data(
            #"{"result":{"size":3,"kind":"file","mode":420,"name":"a.txt","mtime":1,"is_dir":false,"junk":{"deep":[[[[1]]]]}},"type":"resp","id":9}"#
                .utf8)
        let frame = HelperFrames.answer(daemon, id: 9, method: .stat)
        #expect(frame == BridgeCodec.response(id: 9, result: Self.stat))
        #expect(!String(decoding: frame, as: UTF8.self).contains("junk"))
    }

    @Test("an answer that is not the method's result becomes an io failure; failures stay failures")
    func malformed() throws {
        let wrongType = BridgeCodec.response(id: 4, result: ReadlinkResult(target: "x"))
        guard case .response(4, let error?) = try BridgeCodec.head(of: HelperFrames.answer(wrongType, id: 4, method: .stat)) else {
            Issue.record("not a failure")
            return
        }
        #expect(error.code == .io && error.message.contains("malformed"))
        let failure = BridgeCodec.failure(id: 5, BridgeError(.notFound, "no such file"))
        #expect(HelperFrames.answer(failure, id: 5, method: .stat) == failure)
        let garbage = HelperFrames.answer(Data("{".utf8), id: 6, method: .read)
        if case .response(6, let error?) = try BridgeCodec.head(of: garbage) { #expect(error.code == .io) } else { Issue.record("\(garbage)") }
    }

    @Test("an answer to no request of the mount, or of a method the mount never asks, is refused")
    func unknownRequests() throws {
        let answer = BridgeCodec.response(id: 7, result: EmptyResult())
        if case .response(7, let error?) = try BridgeCodec.head(of: HelperFrames.answer(answer, id: 7, method: nil)) {
            #expect(error.code == .io)
        } else {
            Issue.record("accepted")
        }
        if case .response(7, let error?) = try BridgeCodec.head(of: HelperFrames.answer(answer, id: 7, method: .exec)) {
            #expect(error.code == .unsupported)
        } else {
            Issue.record("accepted")
        }
        #expect(HelperFrames.answer(answer, id: 7, method: .mkdir) == BridgeCodec.response(id: 7, result: EmptyResult()))
    }
}
