// Runs in: a worker (`ccproxy-worker`).
// Debug capture: one JSONL file per request of a token with `debug_capture` on.

import CCProxyCore
import CCProxyPosix
import Foundation
import Logging

/// The capture file of one request: `<state>/captures/<request id>.jsonl` (directory 0700,
/// file 0600, created exclusively). Lines, in order:
///
/// - `{"kind":"request", "method", "path", "headers" (Authorization redacted), "body"}`
/// - `{"kind":"claude", "line"}`: every line claude printed, parsed when it is JSON
/// - `{"kind":"chunk", "content" | "reasoning_content"}`: every piece of output sent
/// - `{"kind":"response", "outcome": "completed"|"failed", …}`: how the turn ended, with the
///   whole content for a non-streamed answer, or the error the client saw
/// - `{"kind":"done"}`
///
/// Every line has `time` (Unix seconds) and `request_id`. A capture never fails its request:
/// any error (a taken name, a full disk) is logged once and capture stops for that request.
/// The file stops at `captures_max_bytes` (a last `{"kind":"truncated"}` says so); before a
/// new file is made, the oldest captures are removed until the directory is below the bound.
final class TurnCapture {
    private var file: AppendOnlyFile?
    private let requestID: String
    private let maxBytes: Int
    private let logger: Logger

    /// Opens the capture, or returns nil when capture is off or the file cannot be made.
    static func open(stateDirectory: String, requestID: String, maxBytes: Int, logger: Logger) -> TurnCapture? {
        guard maxBytes > 0 else { return nil }
        let directory = stateDirectory + "/captures"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            CaptureDirectory.prune(directory, keepingBelow: maxBytes)
            let file = try AppendOnlyFile(creatingExclusively: directory + "/" + fileName(requestID) + ".jsonl")
            return TurnCapture(file: file, requestID: requestID, maxBytes: maxBytes, logger: logger)
        } catch {
            logger.warning("debug capture not written", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private init(file: AppendOnlyFile, requestID: String, maxBytes: Int, logger: Logger) {
        self.file = file
        self.requestID = requestID
        self.maxBytes = maxBytes
        self.logger = logger
    }

    /// A file name for a request id: letters, digits, `-`, `_` and `.` are kept, anything
    /// else becomes `_`; a leading dot becomes `_` too (no hidden files, no `..`).
    static func fileName(_ requestID: String) -> String {
        var name = String(
            requestID.unicodeScalars.map { scalar -> Character in
                let allowed = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                return allowed ? Character(scalar) : "_"
            })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        return name.isEmpty ? "_" : name
    }

    /// The request as read, with credentials redacted; the body as JSON when it parses.
    func recordRequest(_ request: HTTPRequest) {
        let headers: [[String]] = request.headers.map { header in
            [header.name, Self.redacts(header.name) ? Self.redacted(header.value) : header.value]
        }
        var line: [String: Any] = [
            "kind": "request", "method": request.method.rawValue, "path": request.path, "headers": headers,
        ]
        if let body = try? JSONSerialization.jsonObject(with: Data(request.body), options: [.fragmentsAllowed]) {
            line["body"] = body
        } else {
            line["body"] = String(decoding: request.body, as: UTF8.self)
        }
        write(line)
    }

    func recordClaudeLine(_ raw: [UInt8]) {
        let parsed = try? JSONSerialization.jsonObject(with: Data(raw), options: [.fragmentsAllowed])
        write(["kind": "claude", "line": parsed ?? String(decoding: raw, as: UTF8.self)])
    }

    func recordChunk(_ delta: TurnDeltaRecord) {
        write(["kind": "chunk", delta.field: delta.text])
    }

    func recordResponse(_ fields: [String: Any]) {
        write(fields.merging(["kind": "response"]) { _, new in new })
    }

    /// Writes the done marker and closes the file.
    func finish() {
        write(["kind": "done"])
        file?.close()
        file = nil
    }

    private func write(_ fields: [String: Any]) {
        guard let file else { return }
        var line = fields
        line["time"] = Date().timeIntervalSince1970
        line["request_id"] = requestID
        do {
            var bytes = Array(try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes]))
            bytes.append(UInt8(ascii: "\n"))
            if file.size + bytes.count > maxBytes {
                let marker = try JSONSerialization.data(
                    withJSONObject: ["kind": "truncated", "request_id": requestID, "time": Date().timeIntervalSince1970],
                    options: [.sortedKeys])
                try? file.append(Array(marker) + [UInt8(ascii: "\n")])
                stop()
                return
            }
            try file.append(bytes)
        } catch {
            logger.warning("debug capture stopped", metadata: ["error": "\(error)"])
            stop()
        }
    }

    private func stop() {
        file?.close()
        file = nil
    }

    private static func redacts(_ name: String) -> Bool {
        ["authorization", "proxy-authorization", "cookie", "x-api-key"].contains(name.lowercased())
    }

    /// Keeps the scheme (`Bearer`) so a capture still shows how the client authenticated.
    private static func redacted(_ value: String) -> String {
        let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return scheme.isEmpty || scheme == value ? "[redacted]" : scheme + " [redacted]"
    }
}

/// One piece of output as a capture line shows it.
struct TurnDeltaRecord {
    var field: String
    var text: String
}
