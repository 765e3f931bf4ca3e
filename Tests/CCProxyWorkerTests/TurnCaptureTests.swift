// Debug capture's pure parts: file names from request ids, and the directory bound.

import Foundation
import Testing

@testable import CCProxyWorker

@Suite struct TurnCaptureTests {
    @Test(
        "request ids become file names that stay in the directory",
        arguments: [
            ("abc-123_X.y", "abc-123_X.y"),
            ("../../etc/passwd", "_._.._etc_passwd"),
            ("..", "_."),
            (".hidden", "_hidden"),
            ("a/b\\c d", "a_b_c_d"),
            ("ünï", "_n_"),
            ("", "_"),
        ])
    func fileNames(requestID: String, expected: String) {
        let name = TurnCapture.fileName(requestID)
        #expect(name == expected)
        #expect(!name.contains("/") && !name.hasPrefix("."))
    }

    @Test func pruneRemovesTheOldestUntilBelowTheBound() throws {
        let directory = NSTemporaryDirectory() + "capture-prune-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (index, name) in ["old", "middle", "new"].enumerated() {
            let path = directory + "/" + name + ".jsonl"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: 100)))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: Double(1000 + index))], ofItemAtPath: path)
        }
        CaptureDirectory.prune(directory, keepingBelow: 1000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 3, "below the bound: kept")
        CaptureDirectory.prune(directory, keepingBelow: 250)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == ["middle.jsonl", "new.jsonl"], "300 bytes ≥ 250: the oldest goes, 200 < 250 stays")
        CaptureDirectory.prune(directory, keepingBelow: 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
