// In-process harness for the worker: a fake supervisor on the other end of a real
// SOCK_SEQPACKET channel, a real TCP connection served by `ConnectionServer`, and the fake
// `claude` (Tests/fakeclaude/fake-claude) as the claude binary.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import CCProxyWorker

// MARK: - Paths

enum TestPaths {
    /// The repository root, from this file's location.
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let fakeClaude = repository + "/Tests/fakeclaude/fake-claude"
    static func fixture(_ name: String) -> String { repository + "/Tests/CCProxyClaudeTests/Fixtures/" + name }
}

// MARK: - Waiting

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls `check` until it returns true or `timeout` seconds pass; then throws an error that
/// says what was being waited for and what was seen last.
func waitUntil(
    _ what: String, timeout: Double, interval: Double = 0.02, saw: () -> String = { "" }, _ check: () -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !check() {
        if Date() >= deadline {
            let seen = saw()
            throw TimedOut(description: "timed out after \(timeout) s waiting for \(what)" + (seen.isEmpty ? "" : "; saw: \(seen)"))
        }
        try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
    }
}

/// Runs blocking work on its own thread, so the cooperative pool (which also runs the
/// server under test) is never blocked by the test's socket I/O.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}

// MARK: - The fake supervisor

/// Plays the supervisor's side of the channel on a background thread: answers `hello` and
/// `authorize`, records everything else.
final class FakeSupervisor: Sendable {
    static let goodBearer = "good"
    static let grant = TokenGrant(tokenID: "tok_test_1", name: "test token", scopes: ["chat"])
    /// A second bearer whose token may also use every workspace.
    static let workspaceBearer = "good-ws"
    static let workspaceGrant = TokenGrant(tokenID: "tok_test_ws", name: "workspace token", scopes: ["chat", "workspace:*"])

    let channel: SeqPacketChannel
    private let received = Locked<[WorkerMessage]>([])
    private let problems = Locked<[String]>([])
    private let stopped = Locked(false)

    init(channel: SeqPacketChannel) {
        self.channel = channel
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "fake-supervisor"
        thread.start()
    }

    var messages: [WorkerMessage] { received.withLock { $0 } }
    var protocolProblems: [String] { problems.withLock { $0 } }
    var isStopped: Bool { stopped.withLock { $0 } }

    private func loop() {
        defer { stopped.withLock { $0 = true } }
        while true {
            let result: SeqPacketChannel.Received
            do {
                result = try channel.receive(maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                problems.withLock { $0.append("receive failed: \(error)") }
                return
            }
            guard case .message(let bytes, let descriptor) = consume result else { return }
            if let descriptor {
                descriptor.close()
                problems.withLock { $0.append("a worker message carried a descriptor") }
            }
            let message: WorkerMessage
            do {
                message = try WorkerMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                problems.withLock { $0.append("undecodable worker message: \(error)") }
                continue
            }
            received.withLock { $0.append(message) }
            let answer: SupervisorMessage?
            switch message {
            case .hello:
                answer = .welcome(protocolVersion: ProtocolVersion.current, slot: 7)
            case .authorize(let correlation, let bearer, _, _):
                if bearer == Self.goodBearer {
                    answer = .authorized(correlation: correlation, grant: Self.grant)
                } else if bearer == Self.workspaceBearer {
                    answer = .authorized(correlation: correlation, grant: Self.workspaceGrant)
                } else {
                    answer = .refused(
                        correlation: correlation, status: 401, type: "authentication_error", code: "invalid_api_key",
                        message: "refused by the fake supervisor")
                }
            default:
                answer = nil
            }
            if let answer {
                do {
                    try channel.send(answer.encode())
                } catch {
                    problems.withLock { $0.append("send failed: \(error)") }
                }
            }
        }
    }
}

// MARK: - The worker under test

/// One worker context wired to a fake supervisor, with its own state directory and log of
/// the fake claude's invocations.
final class WorkerHarness: Sendable {
    let supervisor: FakeSupervisor
    let client: SupervisorClient
    let workerEnd: SeqPacketChannel
    let supervisorEnd: SeqPacketChannel
    let group: MultiThreadedEventLoopGroup
    let context: WorkerContext
    let stateDirectory: String
    let argvLog: String
    private let supervisorGone: Flag
    private let nextConnection = Locked<UInt64>(1)
    private let connections = Locked<[ServedConnection]>([])

    private init(
        supervisor: FakeSupervisor, client: SupervisorClient, workerEnd: SeqPacketChannel, supervisorEnd: SeqPacketChannel,
        group: MultiThreadedEventLoopGroup, context: WorkerContext, stateDirectory: String, argvLog: String,
        supervisorGone: Flag
    ) {
        self.supervisorGone = supervisorGone
        self.supervisor = supervisor
        self.client = client
        self.workerEnd = workerEnd
        self.supervisorEnd = supervisorEnd
        self.group = group
        self.context = context
        self.stateDirectory = stateDirectory
        self.argvLog = argvLog
    }

    /// Builds everything and completes the hello/welcome handshake.
    /// - Parameters:
    ///   - fixture: file name under Tests/CCProxyClaudeTests/Fixtures for the fake claude.
    ///   - environment: extra `KEY=VALUE` entries for the fake claude.
    static func start(
        fixture: String = "text.ndjson", environment: [String] = [], configure: (inout ProxySettings) -> Void = { _ in }
    ) async throws -> WorkerHarness {
        SignalPipe.ignoreBrokenPipe()
        let (workerEnd, supervisorEnd) = try SeqPacketChannel.makePair()
        let supervisor = FakeSupervisor(channel: supervisorEnd)
        supervisor.start()
        let state = NSTemporaryDirectory() + "ccproxy-worker-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let argvLog = state + "/fake-claude-argv.jsonl"
        // The fake claude is driven by FAKE_CLAUDE_* variables and logs its argv into the
        // state directory: it runs unconfined (the sandbox hides the state directory; the
        // black-box tests exercise the sandbox with the real CLI).
        var settings = ProxySettings(
            claudeBinary: TestPaths.fakeClaude, stateDirectory: state, requestTimeoutSeconds: 60,
            isolation: .none, claudeEnvironment: ProxySettings.defaultClaudeEnvironment + ["FAKE_CLAUDE_*"])
        configure(&settings)
        let fakeNames: Set<String> = ["FAKE_CLAUDE_FIXTURE", "FAKE_CLAUDE_DELAY_MS", "FAKE_CLAUDE_EXIT", "FAKE_CLAUDE_ARGV_LOG"]
        let environment =
            ProcessSpawner.currentEnvironment(removing: fakeNames)
            + ["FAKE_CLAUDE_FIXTURE=" + TestPaths.fixture(fixture), "FAKE_CLAUDE_ARGV_LOG=" + argvLog] + environment
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let gone = Flag()
        let client = SupervisorClient(channel: workerEnd) { gone.set() }
        var logger = Logger(label: "ccproxy-worker-tests")
        logger.logLevel = .critical
        let context = WorkerContext(
            settings: settings, supervisor: client, logger: logger, eventLoopGroup: group, claudeEnvironment: environment)
        let harness = WorkerHarness(
            supervisor: supervisor, client: client, workerEnd: workerEnd, supervisorEnd: supervisorEnd, group: group,
            context: context, stateDirectory: state, argvLog: argvLog, supervisorGone: gone)
        let slot = try await client.connect()
        #expect(slot == 7, "welcome carried slot 7, the worker saw \(slot)")
        return harness
    }

    /// Tears everything down: the supervisor end is shut down (the worker's reader thread sees
    /// EOF), both threads are awaited, descriptors closed, the event loop stopped, the state
    /// directory removed.
    func shutdown() async throws {
        // Every connection is closed and fully served before the event loop goes away.
        let open = connections.withLock { $0 }
        for connection in open { connection.close() }
        try await waitUntil(
            "every ConnectionServer.serve to return at teardown", timeout: 10,
            saw: { "\(open.filter { !$0.isServed }.count) of \(open.count) still serving" }
        ) { open.allSatisfy(\.isServed) }
        _ = Glibc.shutdown(supervisorEnd.fd, Int32(SHUT_RDWR))
        try await waitUntil("the fake supervisor's thread to end", timeout: 5) { supervisor.isStopped }
        try await waitUntil("the SupervisorClient to report the channel closed", timeout: 5) {
            supervisorGone.isSet
        }
        workerEnd.close()
        supervisorEnd.close()
        try await group.shutdownGracefully()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    /// Runs `body` with a started harness and always shuts it down.
    static func with(
        fixture: String = "text.ndjson", environment: [String] = [], configure: (inout ProxySettings) -> Void = { _ in },
        _ body: (WorkerHarness) async throws -> Void
    ) async throws {
        let harness = try await start(fixture: fixture, environment: environment, configure: configure)
        do {
            try await body(harness)
        } catch {
            try? await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }

    // MARK: Connections

    /// A client socket connected to a socket that `ConnectionServer.serve` is serving.
    /// - Parameter exposition: serve it as a metrics scrape with this exposition.
    func open(exposition: [UInt8]? = nil) async throws -> ServedConnection {
        let (clientFD, serverFD) = try TCPPair.make()
        let id = nextConnection.withLock { id -> UInt64 in
            defer { id += 1 }
            return id
        }
        let connection = ServedConnection(fd: clientFD)
        connections.withLock { $0.append(connection) }
        let server = ConnectionServer(context: context)
        Task {
            await server.serve(descriptor: serverFD, connectionID: id, exposition: exposition)
            connection.markServed()
        }
        return connection
    }

    /// Sends one raw request and reads the whole response until EOF.
    func exchange(_ request: [UInt8], timeout: Double = 20, exposition: [UInt8]? = nil) async throws -> HTTPResponse {
        let connection = try await open(exposition: exposition)
        defer { connection.close() }
        let raw = try await connection.exchange(request, timeout: timeout)
        try await waitUntil("ConnectionServer.serve to return after the response", timeout: 5) { connection.isServed }
        return try HTTPResponse.parse(raw)
    }

    func exchange(_ request: String, timeout: Double = 20, exposition: [UInt8]? = nil) async throws -> HTTPResponse {
        try await exchange(Array(request.utf8), timeout: timeout, exposition: exposition)
    }

    // MARK: The fake claude's invocations

    struct Invocation {
        var argv: [String]
        var cwd: String
        var pid: Int32
        var stdin: String
    }

    /// Entries the fake claude appended to its argv log.
    func invocations() -> [Invocation] {
        guard let text = try? String(contentsOfFile: argvLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Invocation(
                argv: object["argv"] as? [String] ?? [], cwd: object["cwd"] as? String ?? "",
                pid: Int32((object["pid"] as? Int) ?? -1), stdin: object["stdin"] as? String ?? "")
        }
    }
}

/// A thread-safe one-way flag.
final class Flag: Sendable {
    private let value = Locked(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

// MARK: - TCP

enum TCPPair {
    /// A connected loopback TCP pair: the client end (blocking) and the accepted server end.
    static func make() throws -> (client: Int32, server: Int32) {
        let listener = try TCPListener.bind(host: "127.0.0.1", port: 0, backlog: 4)
        defer { closeDescriptor(listener) }
        guard let port = TCPListener.localPort(listener) else { throw TimedOut(description: "no local port for the listener") }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard client >= 0 else { throw PosixError("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let error = PosixError("connect")
            closeDescriptor(client)
            throw error
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let server = try TCPListener.accept(listener) { return (client, server.relinquish()) }
            usleep(1000)
        }
        closeDescriptor(client)
        throw TimedOut(description: "accept on 127.0.0.1:\(port) returned nothing within 5 s")
    }
}

/// The client side of one served connection.
final class ServedConnection: Sendable {
    let fd: Int32
    private let served = Locked(false)
    private let closed = Locked(false)

    init(fd: Int32) {
        self.fd = fd
    }

    func markServed() { served.withLock { $0 = true } }
    var isServed: Bool { served.withLock { $0 } }

    func close() {
        let first = closed.withLock { was -> Bool in
            defer { was = true }
            return !was
        }
        if first { closeDescriptor(fd) }
    }

    /// Writes everything (on its own thread); returns the bytes written and the error, if any.
    func write(_ bytes: [UInt8]) async -> (written: Int, error: String?) {
        let fd = self.fd
        return await onThread {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { raw in
                    Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    return (offset, String(cString: strerror(errno)))
                }
                offset += n
            }
            return (offset, nil)
        }
    }

    /// Reads until EOF, or until `stop` says the bytes so far are enough, or `timeout`.
    /// Returns what was read, and whether EOF was seen; a reset is reported as an error.
    func read(timeout: Double, until stop: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }) async throws -> (
        bytes: [UInt8], eof: Bool
    ) {
        let fd = self.fd
        let result: Result<([UInt8], Bool), TimedOut> = await onThread {
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                if stop(data) { return .success((data, false)) }
                if Date() >= deadline {
                    return .failure(
                        TimedOut(
                            description: "no EOF within \(timeout) s; read \(data.count) bytes: "
                                + String(decoding: data.prefix(2000), as: UTF8.self)))
                }
                let n = Glibc.read(fd, &buffer, buffer.count)
                if n == 0 { return .success((data, true)) }
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                    let reason = String(cString: strerror(errno))
                    return .failure(
                        TimedOut(
                            description: "read failed (\(reason)) after \(data.count) bytes: "
                                + String(decoding: data.prefix(2000), as: UTF8.self)))
                }
                data.append(contentsOf: buffer[0..<n])
            }
        }
        return try result.get()
    }

    /// Writes the request while reading the response until EOF (concurrently, so a large
    /// body cannot deadlock against an early response).
    func exchange(_ request: [UInt8], timeout: Double) async throws -> [UInt8] {
        async let written = write(request)
        let response = try await read(timeout: timeout)
        _ = await written
        return response.bytes
    }
}

// MARK: - Responses

struct HTTPResponse: CustomStringConvertible {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var raw: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var description: String { String(decoding: raw.prefix(4000), as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TimedOut(description: "body is not a JSON object: \(text)")
        }
        return object
    }

    /// The OpenAI error object (`error.type`, `error.code`, `error.message`).
    func openAIError() throws -> [String: Any] {
        guard let error = try json()["error"] as? [String: Any] else {
            throw TimedOut(description: "body has no error object: \(text)")
        }
        return error
    }

    /// `data:` payloads of an event stream, in order.
    var events: [String] {
        text.components(separatedBy: "\n\n").compactMap { frame in
            let trimmed = frame.trimmingCharacters(in: .newlines)
            guard trimmed.hasPrefix("data: ") else { return nil }
            return String(trimmed.dropFirst("data: ".count))
        }
    }

    static func parse(_ raw: [UInt8]) throws -> HTTPResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = raw.firstRange(of: separator) else {
            throw TimedOut(description: "no complete response head in \(raw.count) bytes: \(String(decoding: raw.prefix(2000), as: UTF8.self))")
        }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TimedOut(description: "bad status line: \(statusLine)")
        }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
        var response = HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: [], raw: raw)
        let rest = Array(raw[end.upperBound...])
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try dechunk(rest)
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            guard rest.count >= length else {
                throw TimedOut(description: "body shorter (\(rest.count)) than Content-Length \(length)")
            }
            response.body = Array(rest.prefix(length))
        } else {
            response.body = rest
        }
        return response
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: crlf) else {
                throw TimedOut(description: "chunked body ended without a last chunk after \(out.count) bytes")
            }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw TimedOut(description: "bad chunk size line \(sizeText.debugDescription)")
            }
            index = lineEnd.upperBound
            if size == 0 { return out }
            guard index + size <= bytes.count else {
                throw TimedOut(description: "chunk of \(size) bytes truncated after \(out.count) bytes")
            }
            out.append(contentsOf: bytes[index..<(index + size)])
            index += size + 2
        }
    }
}

// MARK: - Requests

enum Request {
    static func get(_ path: String, headers: [String] = []) -> String {
        "GET \(path) HTTP/1.1\r\nHost: test\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    static func method(_ method: String, _ path: String, headers: [String] = []) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    static func post(_ path: String, body: String, bearer: String? = FakeSupervisor.goodBearer, headers: [String] = []) -> String {
        var head = "POST \(path) HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        if let bearer { head += "Authorization: Bearer \(bearer)\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\n"
        head += headers.map { $0 + "\r\n" }.joined()
        return head + "\r\n" + body
    }

    /// A chat completion body with one user message.
    static func chat(model: String = "sonnet", prompt: String = "hello", stream: Bool = false) -> String {
        let quoted = JSONString.quote(prompt)
        return #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":\#(quoted)}]}"#
    }
}

// MARK: - Processes

enum ProcessProbe {
    /// Whether a process with this pid exists and is not a zombie.
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    /// Whether any process is left in the process group.
    static func groupExists(_ group: Int32) -> Bool {
        guard group > 0 else { return false }
        return kill(-group, 0) == 0 || errno == EPERM
    }

    static func describe(_ pid: Int32) -> String {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "no /proc entry"
        return "pid \(pid): \(stat.trimmingCharacters(in: .newlines)); group alive: \(groupExists(pid))"
    }
}
