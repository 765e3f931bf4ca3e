import CCProxyWire
import Testing

@Suite("Round trips of every message case")
struct RoundTripTests {
    @Test(arguments: Samples.workerMessages)
    func workerMessage(_ message: WorkerMessage) throws {
        let frame = message.encode()
        #expect(try WorkerMessage.decode(frame, maxBytes: frame.count) == message)
        #expect(frameCode(frame) == message.code)
        #expect(message.code % 2 == 0, "worker codes are even")
    }

    @Test(arguments: Samples.supervisorMessages)
    func supervisorMessage(_ message: SupervisorMessage) throws {
        let frame = message.encode()
        #expect(try SupervisorMessage.decode(frame, maxBytes: frame.count) == message)
        #expect(frameCode(frame) == message.code)
        #expect(message.code % 2 == 1, "supervisor codes are odd")
    }

    @Test(arguments: Samples.fuseManagerRequests)
    func fuseManagerRequest(_ request: FuseManagerRequest) throws {
        let frame = request.encode()
        #expect(try FuseManagerRequest.decode(frame, maxBytes: frame.count) == request)
        #expect(FuseManagerRequest.carriesDescriptor(code: request.code) == true)
        #expect(FuseManagerRequest.carriesDescriptor(code: 51) == nil)
    }

    @Test(arguments: Samples.adminRequests)
    func adminRequest(_ request: AdminRequest) throws {
        let frame = request.encode()
        #expect(try AdminRequest.decode(frame, maxBytes: frame.count) == request)
        #expect(frameCode(frame) == request.code)
        #expect(request.code % 2 == 0, "admin request codes are even")
    }

    @Test(arguments: Samples.adminReplies)
    func adminReply(_ reply: AdminReply) throws {
        let frame = reply.encode()
        #expect(try AdminReply.decode(frame, maxBytes: frame.count) == reply)
        #expect(frameCode(frame) == reply.code)
        #expect(reply.code % 2 == 1, "admin reply codes are odd")
    }

    @Test("Every frame's length prefix counts the code and payload")
    func lengthPrefix() throws {
        for frame in Samples.allFrames {
            var r = WireReader(frame)
            #expect(Int(try r.u32()) == frame.count - 4)
            #expect(frame.count >= Frame.headerBytes)
        }
    }

    @Test("Codes are distinct within each vocabulary")
    func distinctCodes() {
        let worker = Samples.workerMessages.map(\.code)
        #expect(Set(worker) == [0, 2, 4, 6, 8, 10, 12, 20, 22, 24, 26, 28, 30, 32, 34, 36])
        let supervisor = Samples.supervisorMessages.map(\.code)
        #expect(Set(supervisor) == [1, 3, 5, 7, 9, 17, 19, 21, 27, 29, 31, 33])
        #expect(Set(Samples.adminReplies.map(\.code)) == [1, 3, 5, 7, 9, 11, 13, 15, 31, 33, 41])
        #expect(Set(Samples.adminRequests.map(\.code)) == [0, 2, 4, 6, 8, 10, 12, 30, 32, 40])
        #expect(AdminRequest.status.code == 0)
        #expect(AdminRequest.reload.code == 2)
    }

    @Test(
        "Only handoff, metricsScrape, bridgeAccepted and continueWaitingTurn (supervisor → worker) and handBack and passToWaitingTurn (worker → supervisor) carry a descriptor"
    )
    func carriesDescriptor() {
        for message in Samples.supervisorMessages {
            switch message {
            case .handoff, .metricsScrape, .bridgeAccepted, .continueWaitingTurn:
                #expect(message.carriesDescriptor)
            default:
                #expect(!message.carriesDescriptor)
            }
            #expect(SupervisorMessage.carriesDescriptor(code: message.code) == message.carriesDescriptor)
        }
        for message in Samples.workerMessages {
            switch message {
            case .handBack, .passToWaitingTurn:
                #expect(message.carriesDescriptor)
            default:
                #expect(!message.carriesDescriptor)
            }
            #expect(WorkerMessage.carriesDescriptor(code: message.code) == message.carriesDescriptor)
        }
        #expect(WorkerMessage.carriesDescriptor(code: 14) == nil)
        #expect(SupervisorMessage.carriesDescriptor(code: 11) == nil)
    }

    @Test("A frame exactly at maxBytes decodes")
    func exactlyAtLimit() throws {
        let message = WorkerMessage.authorize(correlation: 1, bearer: String(repeating: "b", count: 200), scope: "chat", requestID: "r")
        let frame = message.encode()
        #expect(try WorkerMessage.decode(frame, maxBytes: frame.count) == message)
    }

    @Test("Large strings and lists round-trip")
    func largeValues() throws {
        let big = String(repeating: "é", count: 30_000)  // 60 000 UTF-8 bytes
        let grant = TokenGrant(
            tokenID: big, name: "n", scopes: (0..<1000).map { "scope-\($0)" }, principal: big, debugCapture: true,
            defaultVerbosity: "v")
        let message = SupervisorMessage.authorized(correlation: 5, grant: grant)
        let frame = message.encode()
        #expect(try SupervisorMessage.decode(frame, maxBytes: 1 << 20) == message)

        let workers = (0..<500).map { WorkerReport(slot: UInt32($0), pid: Int32($0) + 1000, state: "idle", served: UInt64($0)) }
        let reply = AdminReply.status(StatusReport(supervisorPID: 1, listening: "x", draining: false, queued: 0, workers: workers))
        let replyFrame = reply.encode()
        #expect(try AdminReply.decode(replyFrame, maxBytes: 1 << 20) == reply)
    }

    @Test("Stable constants of the protocol")
    func constants() {
        #expect(Frame.headerBytes == 6)
        #expect(ProtocolVersion.current == 6)
        #expect(WorkerExit.finished.rawValue == 0)
        #expect(WorkerExit.failed.rawValue == 1)
        #expect(WorkerExit.fatalConfiguration.rawValue == 2)
        #expect(WorkerExit.supervisorGone.rawValue == 3)
        #expect(WorkerExit(rawValue: 4) == nil)
        #expect(WorkerDescriptors.channel == 3)
        #expect(WorkerDescriptors.settings == 4)
        #expect(AdminSocket.path(stateDirectory: "/var/lib/ccproxy") == "/var/lib/ccproxy/ccproxy.sock")
    }

    @Test("A follow-up knows whether it fits a worker frame, and one that fits round-trips in passToWaitingTurn")
    func followUpFits() throws {
        let small = Samples.followUps[1]
        #expect(small.fits(maxFrameBytes: 64 * 1024))
        let frame = WorkerMessage.passToWaitingTurn(connectionID: 1, followUp: small).encode()
        #expect(try WorkerMessage.decode(frame, maxBytes: 64 * 1024) == .passToWaitingTurn(connectionID: 1, followUp: small))
        let large = FollowUp(
            requestID: "r", results: [.init(callID: "c", text: String(repeating: "x", count: 64 * 1024))], stream: false,
            includeUsage: false, model: "m", keepAlive: true)
        #expect(!large.fits(maxFrameBytes: 64 * 1024))
    }

    @Test("A follow-up whose result count the frame cannot hold is malformed, not allocated")
    func followUpCountIsChecked() {
        var w = WireWriter()
        w.u64(1)
        w.string("req")
        w.u32(.max)
        let frame = Frame.encode(code: 36, payload: w.bytes)
        #expect(throws: WireError.self) { try WorkerMessage.decode(frame, maxBytes: 64 * 1024) }
    }
}

func frameCode(_ frame: [UInt8]) -> UInt16 { UInt16(frame[4]) << 8 | UInt16(frame[5]) }
