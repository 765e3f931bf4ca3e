// Runs in: ccproxy-bridge (the laptop-side daemon).
import CCProxyPosix
import Foundation

/// `--confirm`: asks the person at the terminal before a write, a removal or an exec.
///
/// The prompt goes to stderr, `[ccproxy-bridge] <op> "<path>"? [y/N] `, and the answer is
/// read from stdin: `y` or `yes` (any case) approves, anything else, end of input or a read
/// error refuses. Prompts are asked one at a time. When stdin is not a terminal nobody
/// could answer: the daemon warns once at start and approves (the reference's behaviour).
public final class TerminalConfirmer: @unchecked Sendable {
    private let lock = NSLock()
    public let interactive: Bool

    public init() {
        interactive = DirectoryCalls.isTerminal(0)
    }

    public func approve(operation: String, subject: String) -> Bool {
        guard interactive else { return true }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data("[ccproxy-bridge] \(operation) \"\(subject)\"? [y/N] ".utf8))
        guard let answer = readLine(strippingNewline: true) else { return false }
        return Self.isYes(answer)
    }

    /// Whether an answer approves.
    static func isYes(_ answer: String) -> Bool {
        let a = answer.trimmingCharacters(in: .whitespaces).lowercased()
        return a == "y" || a == "yes"
    }
}
