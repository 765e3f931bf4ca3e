import Testing

@testable import CCProxyWorker

/// The raw-byte framing tracker that decides whether a kept-alive connection may be handed back.
@Suite struct MessageBoundaryScannerTests {
    func scan(_ text: String, in pieces: Int = 1) -> MessageBoundaryScanner {
        var scanner = MessageBoundaryScanner(maxHeadBytes: 1024)
        let bytes = Array(text.utf8)
        let size = max(1, bytes.count / pieces)
        var index = 0
        while index < bytes.count {
            scanner.consume(Array(bytes[index..<min(bytes.count, index + size)]))
            index += size
        }
        return scanner
    }

    @Test(arguments: [1, 3, 1000])
    func requestsWithoutBodyWithLengthAndChunked(pieces: Int) {
        let text =
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /a HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n"
        let scanner = scan(text, in: pieces)
        #expect(scanner.completedMessages == 3)
        #expect(scanner.atBoundary)
    }

    @Test func aPartialNextRequestIsNotABoundary() {
        let scanner = scan("GET / HTTP/1.1\r\n\r\nGET /next HT")
        #expect(scanner.completedMessages == 1)
        #expect(!scanner.atBoundary && !scanner.isLost)
        #expect(!scan("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").atBoundary)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000),
    ])
    func framingItDoesNotUnderstandIsLost(_ text: String) {
        #expect(scan(text).isLost)
    }

    @Test func headProbeWantsAWholeHead() {
        #expect(HeadProbe.verdict(Array("GET / HTTP/1.1\r\nHo".utf8), maxHeadBytes: 1024) == .incomplete(pendingBytes: 18))
        #expect(HeadProbe.verdict([], maxHeadBytes: 1024) == .incomplete(pendingBytes: 0))
        #expect(HeadProbe.verdict(Array("GET / HTTP/1.1\r\n\r\n".utf8), maxHeadBytes: 1024) == .complete)
        #expect(HeadProbe.verdict(Array("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab".utf8), maxHeadBytes: 1024) == .complete)
        #expect(HeadProbe.verdict([UInt8](repeating: 0x61, count: 1025), maxHeadBytes: 1024) == .complete, "too long: NIO answers 431")
    }
}
