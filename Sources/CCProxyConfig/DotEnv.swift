/// A `.env` file: `KEY=VALUE` lines, as docker compose and godotenv read them, for the
/// local development loop (`ccproxy serve` in a checkout). Pure: text in, entries out.
///
/// - Blank lines and lines whose first non-blank character is `#` are skipped.
/// - An `export ` prefix is ignored, so the file can also be sourced by a shell.
/// - Keys: a letter or `_`, then letters, digits, `_`, `.` or `-`. Blanks around `=` are
///   ignored.
/// - Unquoted values end at the end of the line or at a `#` that follows a blank (an inline
///   comment); surrounding blanks are trimmed. `a#b` and `KEY=#x` keep their `#`.
/// - `'single'` quotes are literal. `"double"` quotes understand `\n`, `\r`, `\t`, `\"`,
///   `\\` and `\$`; any other backslash is kept. Quoted values may span lines; after the
///   closing quote only blanks and a comment may follow.
/// - `$VAR` is not expanded: a value means what it says.
/// - A key given twice takes its last value.
public enum DotEnv {
    /// One assignment, with the line it starts on.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int

        public init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// The assignments of `text`, in order.
    /// - Throws: the first line that is not blank, a comment or a valid assignment.
    public static func parse(_ text: String) throws(DotEnvError) -> [Entry] {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        return try parser.entries()
    }

    /// The variables a file adds to `environment`: its entries whose key is not already set
    /// (an existing variable always wins, even an empty one), the last value of a repeated key.
    public static func additions(_ entries: [Entry], to environment: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries where environment[entry.key] == nil {
            result[entry.key] = entry.value
        }
        return result
    }
}

/// Why a `.env` file was refused: the line and what is wrong with it.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

private struct Parser {
    let scalars: [Unicode.Scalar]
    var index = 0
    var line = 1

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private var atEnd: Bool { index >= scalars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : scalars[index] }

    private static func isBlank(_ scalar: Unicode.Scalar?) -> Bool { scalar == " " || scalar == "\t" }
    private static func isNewline(_ scalar: Unicode.Scalar?) -> Bool { scalar == "\n" || scalar == "\r" }

    private static func isKeyStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isKeyPart(_ scalar: Unicode.Scalar) -> Bool {
        isKeyStart(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-"
    }

    /// Consumes one line break (`\n`, `\r\n` or a lone `\r`), counting lines.
    private mutating func consumeNewline() {
        if current == "\r" { index += 1 }
        if current == "\n" { index += 1 }
        line += 1
    }

    private mutating func skipBlanks() {
        while Self.isBlank(current) { index += 1 }
    }

    private mutating func skipToEndOfLine() {
        while let scalar = current, !Self.isNewline(scalar) { index += 1 }
    }

    mutating func entries() throws(DotEnvError) -> [DotEnv.Entry] {
        var result: [DotEnv.Entry] = []
        while !atEnd {
            skipBlanks()
            if Self.isNewline(current) {
                consumeNewline()
                continue
            }
            if current == "#" {
                skipToEndOfLine()
                continue
            }
            if atEnd { break }
            result.append(try entry())
        }
        return result
    }

    private mutating func entry() throws(DotEnvError) -> DotEnv.Entry {
        let start = line
        var key = readKey()
        if key == "export" && Self.isBlank(current) {
            skipBlanks()
            key = readKey()
        }
        guard !key.isEmpty else {
            throw DotEnvError(line: start, reason: "expected KEY=VALUE, found \(quoted(restOfLine()))")
        }
        skipBlanks()
        guard current == "=" else {
            throw DotEnvError(line: start, reason: "expected \"=\" after \(key), found \(quoted(restOfLine()))")
        }
        index += 1
        let blankBeforeValue = Self.isBlank(current)
        skipBlanks()
        let value: String
        switch current {
        case "'": value = try quotedValue(closing: "'", escapes: false, openedOn: start)
        case "\"": value = try quotedValue(closing: "\"", escapes: true, openedOn: start)
        default: value = unquotedValue(afterBlank: blankBeforeValue)
        }
        if value.unicodeScalars.contains("\0") {
            throw DotEnvError(line: start, reason: "the value of \(key) contains a NUL character")
        }
        return DotEnv.Entry(key: key, value: value, line: start)
    }

    /// A key, or "" when the line does not start with one.
    private mutating func readKey() -> String {
        guard let first = current, Self.isKeyStart(first) else { return "" }
        var key = String.UnicodeScalarView()
        while let scalar = current, Self.isKeyPart(scalar) {
            key.append(scalar)
            index += 1
        }
        return String(key)
    }

    /// The rest of the current line (for error messages), without consuming it.
    private func restOfLine() -> String {
        var view = String.UnicodeScalarView()
        var at = index
        while at < scalars.count, !Self.isNewline(scalars[at]) {
            view.append(scalars[at])
            at += 1
        }
        return String(view)
    }

    /// - Parameter afterBlank: whether blanks separated the value from `=` (then a `#` at
    ///   its start begins a comment; `KEY=#x` is the value `#x`).
    private mutating func unquotedValue(afterBlank: Bool) -> String {
        var value = String.UnicodeScalarView()
        var previousWasBlank = afterBlank
        while let scalar = current, !Self.isNewline(scalar) {
            if scalar == "#" && previousWasBlank {
                skipToEndOfLine()
                break
            }
            value.append(scalar)
            previousWasBlank = Self.isBlank(scalar)
            index += 1
        }
        while let last = value.last, Self.isBlank(last) { value.removeLast() }
        return String(value)
    }

    private mutating func quotedValue(closing: Unicode.Scalar, escapes: Bool, openedOn start: Int) throws(DotEnvError) -> String {
        index += 1  // the opening quote
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = current else {
                throw DotEnvError(line: start, reason: "the quote opened here is never closed")
            }
            if scalar == closing {
                index += 1
                break
            }
            if escapes && scalar == "\\", index + 1 < scalars.count {
                let next = scalars[index + 1]
                switch next {
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "\"", "\\", "$": value.append(next)
                default:
                    value.append(scalar)
                    value.append(next)
                }
                if Self.isNewline(next) {
                    line += 1
                }
                index += 2
                continue
            }
            if scalar == "\n" || (scalar == "\r" && (index + 1 >= scalars.count || scalars[index + 1] != "\n")) {
                line += 1
            }
            value.append(scalar)
            index += 1
        }
        skipBlanks()
        if current == "#" {
            skipToEndOfLine()
        }
        guard atEnd || Self.isNewline(current) else {
            throw DotEnvError(line: line, reason: "unexpected \(quoted(restOfLine())) after the closing quote")
        }
        return String(value)
    }
}
