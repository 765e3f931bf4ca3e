import CCProxyConfig
import Foundation
import Testing

/// `key=value` pairs of `text`, in order.
private func pairs(_ text: String) throws -> [String] {
    try DotEnv.parse(text).map { "\($0.key)=\($0.value)" }
}

/// The error `text` is refused with.
private func refusal(_ text: String) -> DotEnvError? {
    do {
        _ = try DotEnv.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct DotEnvTests {
    @Test func plainAssignments() throws {
        #expect(try pairs("A=1\nB=two words\n_C.d-e=x") == ["A=1", "B=two words", "_C.d-e=x"])
    }

    @Test func emptyFileAndCommentsOnly() throws {
        #expect(try pairs("") == [])
        #expect(try pairs("\n\n   \n# a comment\n  # indented comment\n") == [])
    }

    @Test func blanksAroundKeyAndEqualsAreIgnored() throws {
        #expect(try pairs("  A = 1  \n\tB\t=\t2\t") == ["A=1", "B=2"])
    }

    @Test func exportPrefix() throws {
        #expect(try pairs("export A=1\nexport\tB=2") == ["A=1", "B=2"])
        // A variable may be called export.
        #expect(try pairs("export=3") == ["export=3"])
    }

    @Test func emptyValues() throws {
        #expect(try pairs("A=\nB=   \nC=''\nD=\"\"") == ["A=", "B=", "C=", "D="])
    }

    @Test func inlineCommentsNeedABlankBefore() throws {
        #expect(try pairs("A=1 # one\nB=a#b\nC=#x\nD= # only a comment\nE=x\t#tab") == ["A=1", "B=a#b", "C=#x", "D=", "E=x"])
    }

    @Test func valueMayContainEquals() throws {
        #expect(try pairs("URL=http://h/?a=b&c=d") == ["URL=http://h/?a=b&c=d"])
    }

    @Test func singleQuotesAreLiteral() throws {
        #expect(try pairs(#"A='a # not a comment \n $HOME'"#) == [#"A=a # not a comment \n $HOME"#])
    }

    @Test func doubleQuotesUnderstandEscapes() throws {
        #expect(try pairs(#"A="l1\nl2\t\"q\" \\ \$x \w""#) == ["A=l1\nl2\t\"q\" \\ $x \\w"])
    }

    @Test func quotedValueMaySpanLines() throws {
        let entries = try DotEnv.parse("KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\n")
        #expect(entries == [
            DotEnv.Entry(key: "KEY", value: "-----BEGIN-----\nabc\n-----END-----", line: 1),
            DotEnv.Entry(key: "NEXT", value: "1", line: 4),
        ])
    }

    @Test func commentAfterClosingQuote() throws {
        #expect(try pairs("A=\"x\"  # why\nB='y'") == ["A=x", "B=y"])
    }

    @Test func noExpansion() throws {
        #expect(try pairs("A=$HOME/${USER}") == ["A=$HOME/${USER}"])
    }

    @Test func windowsLineEndings() throws {
        let entries = try DotEnv.parse("A=1\r\nB=\"x\"\r\n\r\nC=3")
        #expect(entries.map(\.value) == ["1", "x", "3"])
        #expect(entries.map(\.line) == [1, 2, 4])
    }

    @Test func linesAreCounted() throws {
        #expect(try DotEnv.parse("# c\n\nA=1\n  B=2").map(\.line) == [3, 4])
    }

    @Test func unicodeValues() throws {
        #expect(try pairs("GREETING=héllo wörld ✓") == ["GREETING=héllo wörld ✓"])
    }

    @Test func lineWithoutEquals() {
        #expect(refusal("A=1\nJUSTAWORD\n") == DotEnvError(line: 2, reason: #"expected "=" after JUSTAWORD, found """#))
    }

    @Test func invalidKey() {
        #expect(refusal("1A=x") == DotEnvError(line: 1, reason: #"expected KEY=VALUE, found "1A=x""#))
        #expect(refusal("A B=x") == DotEnvError(line: 1, reason: #"expected "=" after A, found "B=x""#))
        #expect(refusal("=x")?.line == 1)
    }

    @Test func unterminatedQuoteNamesTheLineItOpenedOn() {
        #expect(refusal("A=1\nB=\"never\nclosed\n") == DotEnvError(line: 2, reason: "the quote opened here is never closed"))
        #expect(refusal("A='x")?.line == 1)
    }

    @Test func textAfterClosingQuote() {
        #expect(refusal("A=\"x\" y") == DotEnvError(line: 1, reason: #"unexpected "y" after the closing quote"#))
    }

    @Test func nulIsRefused() {
        #expect(refusal("A=\"a\\\0b\"")?.reason == "the value of A contains a NUL character")
    }

    @Test func errorDescriptionNamesTheLine() {
        #expect(DotEnvError(line: 7, reason: "bad").description == "line 7: bad")
    }

    @Test func existingVariablesWin() throws {
        let entries = try DotEnv.parse("A=file\nB=file\nC=file\n")
        #expect(DotEnv.additions(entries, to: ["A": "env", "B": ""]) == ["C": "file"])
    }

    @Test func lastValueOfARepeatedKeyWins() throws {
        #expect(DotEnv.additions(try DotEnv.parse("A=1\nA=2"), to: [:]) == ["A": "2"])
    }

    @Test func theEnvExampleParses() throws {
        let example = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/env.example")
        let text = try String(contentsOf: example, encoding: .utf8)
        #expect(try DotEnv.parse(text) == [])
        // Uncommented, each of its example lines is an assignment.
        let uncommented = text.split(separator: "\n").map(String.init)
            .filter { $0.range(of: #"^# [A-Z_][A-Z0-9_]*="#, options: .regularExpression) != nil }
            .map { String($0.dropFirst(2)) }
        #expect(uncommented.count >= 8)
        #expect(try DotEnv.parse(uncommented.joined(separator: "\n")).count == uncommented.count)
    }
}

@Suite struct DotEnvFileTests {
    @Test func missingDefaultIsNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try DotEnvFile.load(explicitPath: nil, currentDirectory: directory.path) == nil)
    }

    @Test func defaultIsReadFromTheCurrentDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(".env", "A=1\n")
        let loaded = try #require(try DotEnvFile.load(explicitPath: nil, currentDirectory: directory.path))
        #expect(loaded.path == directory.path + "/.env")
        #expect(loaded.entries.map(\.key) == ["A"])
    }

    @Test func explicitRelativePath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("conf/dev.env", "B=2\n")
        let loaded = try #require(try DotEnvFile.load(explicitPath: "conf/dev.env", currentDirectory: directory.path))
        #expect(loaded.entries.map(\.value) == ["2"])
    }

    @Test func missingExplicitFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: DotEnvFileError("--env-file \(directory.path)/nope.env: no such file")) {
            try DotEnvFile.load(explicitPath: "nope.env", currentDirectory: directory.path)
        }
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(".env", "OK=1\nbroken line\n")
        #expect(throws: DotEnvFileError(#"env file \#(directory.path)/.env: line 2: expected "=" after broken, found "line""#)) {
            try DotEnvFile.load(explicitPath: nil, currentDirectory: directory.path)
        }
    }

    @Test func directoryIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/.env", withIntermediateDirectories: true)
        #expect(throws: DotEnvFileError("env file \(directory.path)/.env: is a directory")) {
            try DotEnvFile.load(explicitPath: nil, currentDirectory: directory.path)
        }
    }
}
