import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import Testing

@Suite("Malformed frames are refused, never trapped on")
struct MalformedFrameTests {
    private func head(_ s: String) -> Result<BridgeFrameHead, BridgeFrameError> {
        Result { () throws(BridgeFrameError) in try BridgeCodec.head(of: Data(s.utf8)) }
    }

    @Test(arguments: ["", "not json", "[]", "42", "null", #"{"id":-1,"type":"req","method":"stat"}"#,
                      #"{"id":"1","type":"req","method":"stat"}"#, #"{"id":1.5,"type":"req","method":"stat"}"#,
                      #"{"type":5}"#, #"{"id":1,"type":"req","method":7}"#, "{\"id\":1,"])
    func malformedEnvelope(_ s: String) {
        guard case .failure(.malformed) = head(s) else {
            Issue.record("expected malformed for \(s), got \(head(s))")
            return
        }
    }

    @Test func missingMembers() {
        #expect(head(#"{"id":1}"#) == .failure(.missingMember("type")))
        #expect(head(#"{"type":"req","method":"stat"}"#) == .failure(.missingMember("id")))
        #expect(head(#"{"id":1,"type":"req"}"#) == .failure(.missingMember("method")))
        #expect(head(#"{"type":"resp"}"#) == .failure(.missingMember("id")))
        #expect(head(#"{"type":"event"}"#) == .failure(.missingMember("method")))
    }

    @Test func unknownType() {
        #expect(head(#"{"id":1,"type":"request","method":"stat"}"#) == .failure(.unknownType("request")))
        #expect(BridgeFrameError.unknownType("x").description == "unknown frame type: x")
    }

    @Test func tooLargeIsRefusedBeforeDecoding() {
        let big = Data(repeating: 0x20, count: Limits.maxBridgeFrameBytes + 1)
        #expect(Result { () throws(BridgeFrameError) in try BridgeCodec.head(of: big) } == .failure(.tooLarge(big.count)))
    }

    @Test func unknownMethodIsUnsupported() {
        let frame = Data(#"{"id":1,"type":"req","method":"teleport","params":{}}"#.utf8)
        #expect(head(String(decoding: frame, as: UTF8.self)) == .success(.request(id: 1, method: "teleport")))
        #expect(throws: BridgeError(.unsupported, "unknown method: teleport")) {
            try BridgeRequest.decode(method: "teleport", frame: frame)
        }
    }

    @Test(arguments: [
        #"{"id":1,"type":"req","method":"read","params":{"path":5}}"#,
        #"{"id":1,"type":"req","method":"read","params":{"offset":"x"}}"#,
        #"{"id":1,"type":"req","method":"write","params":{"data":"!!not base64"}}"#,
        #"{"id":1,"type":"req","method":"stat","params":[1]}"#,
        #"{"id":1,"type":"req","method":"stat","params":"a"}"#,
        #"{"id":1,"type":"req","method":"chmod","params":{"mode":-1}}"#,
        #"{"id":1,"type":"req","method":"exec","params":{"args":"ls"}}"#,
    ])
    func badParamsAreInvalidArgument(_ s: String) throws {
        let frame = Data(s.utf8)
        guard case .request(_, let method) = try BridgeCodec.head(of: frame) else {
            Issue.record("not a request")
            return
        }
        do {
            _ = try BridgeRequest.decode(method: method, frame: frame)
            Issue.record("decoded \(s)")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func absentParamsAreZeroValues() throws {
        let frame = Data(#"{"id":1,"type":"req","method":"read"}"#.utf8)
        #expect(try BridgeRequest.decode(method: "read", frame: frame) == .read(ReadParams(path: "", offset: 0, length: 0)))
        let nullParams = Data(#"{"id":1,"type":"req","method":"remove","params":null}"#.utf8)
        #expect(try BridgeRequest.decode(method: "remove", frame: nullParams) == .remove(RemoveParams(path: "", recursive: false)))
    }

    @Test func unknownErrorCodeDegradesToIO() throws {
        let frame = Data(#"{"id":3,"type":"resp","error":{"code":"quota_exceeded","message":"m"}}"#.utf8)
        #expect(try BridgeCodec.head(of: frame) == .response(id: 3, error: BridgeError(.io, "m")))
    }

    @Test func unknownEventIsIgnored() throws {
        #expect(try BridgeCodec.event(named: "telemetry", of: Data(#"{"type":"event","method":"telemetry"}"#.utf8)) == nil)
        #expect(throws: BridgeFrameError.self) {
            try BridgeCodec.event(named: "watch", of: Data(#"{"type":"event","method":"watch","params":{"path":"a","kind":"exploded"}}"#.utf8))
        }
    }

    @Test func resultOfTheWrongShape() {
        #expect(throws: BridgeFrameError.self) {
            try BridgeCodec.result(ReadResult.self, of: Data(#"{"id":1,"type":"resp","result":{"data":3}}"#.utf8))
        }
    }

    /// Random bytes and random mutations of valid frames: nothing traps.
    @Test func seededFuzz() {
        var rng = SplitMix(seed: 0xB41D6E)
        let seeds = [
            BridgeRequest.write(WriteParams(path: "a/b", offset: 3, data: Data("xyz".utf8))).encoded(id: 5),
            BridgeCodec.event(.watch(WatchEvent(path: "p", kind: .created))),
            BridgeCodec.failure(id: 1, BridgeError(.io, "x")),
        ]
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = Array(seeds[round % seeds.count])
                for _ in 0..<(1 + rng.next() % 4) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let frame = Data(bytes)
            if case .request(_, let method) = try? BridgeCodec.head(of: frame) {
                _ = try? BridgeRequest.decode(method: method, frame: frame)
            }
            _ = try? BridgeCodec.event(named: "watch", of: frame)
            _ = try? BridgeCodec.result(StatResult.self, of: frame)
        }
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
