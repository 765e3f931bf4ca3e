import CCProxyClaude
import Testing

@Suite("LineSplitter")
struct LineSplitterTests {
    private func text(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

    @Test("lines split across pieces, CRLF, empty lines, a final unterminated line")
    func chunked() throws {
        var splitter = LineSplitter(maxLineBytes: 100)
        var lines: [[UInt8]] = []
        for piece in ["{\"a\"", ":1}\n{\"b\":2}\r\n\n", "", "{\"c\"", ":3}\n{\"d\":4}"] {
            lines += try splitter.append(Array(piece.utf8))
        }
        #expect(text(lines) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == "{\"d\":4}")
        #expect(splitter.finish() == nil)
    }

    @Test("byte-by-byte feeding gives the same lines")
    func byteByByte() throws {
        let input = Array("one\ntwo\nthree\n".utf8)
        var splitter = LineSplitter(maxLineBytes: 10)
        var lines: [[UInt8]] = []
        for byte in input { lines += try splitter.append(CollectionOfOne(byte)) }
        #expect(text(lines) == ["one", "two", "three"])
    }

    @Test("a line at the limit passes; one byte more fails, even before its newline")
    func tooLong() throws {
        var splitter = LineSplitter(maxLineBytes: 5)
        #expect(text(try splitter.append(Array("12345\n".utf8))) == ["12345"])
        #expect(throws: ClaudeStreamError.lineTooLong(limit: 5)) {
            _ = try splitter.append(Array("123456\n".utf8))
        }
        var unterminated = LineSplitter(maxLineBytes: 5)
        _ = try unterminated.append(Array("123".utf8))
        #expect(throws: ClaudeStreamError.lineTooLong(limit: 5)) {
            _ = try unterminated.append(Array("456".utf8))
        }
    }

    @Test("works on array slices")
    func slices() throws {
        let bytes = Array("xx\nab\ncd\nyy".utf8)
        var splitter = LineSplitter(maxLineBytes: 10)
        #expect(text(try splitter.append(bytes[3..<9])) == ["ab", "cd"])
    }
}
