// Runs in: a worker (`ccproxy-worker`).
// Follows the raw bytes of a connection to know where HTTP/1.1 requests end, so that a
// kept-alive connection is handed back only when no byte of a further request has been read.

/// Tracks HTTP/1.1 request framing on the raw bytes read from a connection: request heads
/// (up to the empty line), `Content-Length` bodies and chunked bodies with trailers.
///
/// It does not parse requests (SwiftNIO does that); it only answers "is the connection
/// exactly between two requests, and how many requests have fully arrived?". Anything it
/// does not understand (a head too large, a bad chunk size, a request with both framings)
/// makes it `lost`, and a lost connection is never handed back, only closed after its response.
struct MessageBoundaryScanner: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Between requests: no byte of the next one seen.
        case idle
        /// Inside a head (kept in `line`, for the header fields).
        case head
        /// Inside a `Content-Length` body.
        case body(remaining: Int)
        /// Reading a chunk-size line (in `line`).
        case chunkSize
        /// Inside chunk data and its CRLF.
        case chunkData(remaining: Int)
        /// Reading trailer lines after the last chunk (the current one in `line`).
        case trailers
        /// Framing not understood.
        case lost
    }

    private(set) var state: State = .idle
    /// Requests whose last byte has arrived.
    private(set) var completedMessages = 0
    /// The head, chunk-size line or trailer line being read.
    private var line: [UInt8] = []
    let maxHeadBytes: Int

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Exactly between two requests.
    var atBoundary: Bool { state == .idle }
    var isLost: Bool { state == .lost }

    mutating func consume(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .lost:
                return
            case .body(let remaining) where remaining > 1:
                let skip = min(remaining - 1, bytes.count - index)
                state = .body(remaining: remaining - skip)
                index += skip
            case .chunkData(let remaining) where remaining > 2:
                let skip = min(remaining - 2, bytes.count - index)
                state = .chunkData(remaining: remaining - skip)
                index += skip
            default:
                step(bytes[index])
                index += 1
            }
        }
    }

    private mutating func step(_ byte: UInt8) {
        switch state {
        case .lost:
            return
        case .idle:
            // Empty lines before a request line are allowed (RFC 9112 §2.2).
            if byte == 0x0D || byte == 0x0A { return }
            line = [byte]
            state = .head
        case .head:
            line.append(byte)
            guard line.count <= maxHeadBytes + 4 else { return lose() }
            let n = line.count
            guard byte == 0x0A, n >= 2 else { return }
            if line[n - 2] == 0x0A || (n >= 4 && line[n - 2] == 0x0D && line[n - 3] == 0x0A && line[n - 4] == 0x0D) {
                headEnded()
            }
        case .body:
            messageEnded()
        case .chunkSize:
            line.append(byte)
            guard line.count <= 1024 else { return lose() }
            guard byte == 0x0A else { return }
            let digits = line.prefix { $0 != 0x3B && $0 != 0x0D && $0 != 0x0A && $0 != 0x20 && $0 != 0x09 }
            guard !digits.isEmpty, digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
                return lose()
            }
            line = []
            state = size == 0 ? .trailers : .chunkData(remaining: size + 2)
        case .chunkData(let remaining):
            if remaining == 2 {
                guard byte == 0x0D else { return lose() }
                state = .chunkData(remaining: 1)
            } else {
                guard byte == 0x0A else { return lose() }
                line = []
                state = .chunkSize
            }
        case .trailers:
            line.append(byte)
            guard line.count <= maxHeadBytes else { return lose() }
            guard byte == 0x0A else { return }
            if line == [0x0A] || line == [0x0D, 0x0A] {
                messageEnded()
            } else {
                line = []
            }
        }
    }

    private mutating func lose() {
        line = []
        state = .lost
    }

    private mutating func headEnded() {
        var length: Int?
        var chunked = false
        let text = String(decoding: line, as: UTF8.self)
        line = []
        for field in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }).dropFirst() {
            guard let colon = field.firstIndex(of: ":") else { continue }
            let name = field[..<colon].lowercased()
            let value = field[field.index(after: colon)...].trimmingWhitespace()
            if name == "content-length" {
                guard let parsed = Int(value), parsed >= 0, length == nil || length == parsed else { return lose() }
                length = parsed
            } else if name == "transfer-encoding" {
                chunked = value.lowercased().split(separator: ",").last.map { $0.trimmingWhitespace() == "chunked" } ?? false
                if !chunked { return lose() }
            }
        }
        if chunked {
            if length != nil { return lose() }
            state = .chunkSize
        } else if let length, length > 0 {
            state = .body(remaining: length)
        } else {
            messageEnded()
        }
    }

    private mutating func messageEnded() {
        completedMessages += 1
        state = .idle
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
