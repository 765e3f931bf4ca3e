/// What of a tool result's text is worth showing a client.
enum ToolResultText {
    private static let reminderOpening = "<system-reminder>"
    private static let reminderClosing = "</system-reminder>"

    /// `text` with every `<system-reminder>…</system-reminder>` block removed: claude appends
    /// these notes for the model (file-state hints, policy reminders), they are not the tool's
    /// output. An opening tag without a closing one is kept as it is, because then it is more
    /// likely the output itself (a `cat` of a file that mentions the tag) than a note.
    static func withoutSystemReminders(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let opening = rest.firstRange(of: reminderOpening),
            let closing = rest[opening.upperBound...].firstRange(of: reminderClosing)
        {
            out += rest[..<opening.lowerBound]
            rest = rest[closing.upperBound...]
        }
        out += rest
        return out
    }

    /// The body of a result block: reminders removed, then leading line breaks and trailing
    /// whitespace dropped (removing a reminder leaves the blank lines that surrounded it).
    /// Leading spaces stay: they may be the output's own indentation.
    static func body(_ text: String) -> Substring {
        let stripped = withoutSystemReminders(text)
        let isLineBreak: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        let isSpace: (Character) -> Bool = { isLineBreak($0) || $0 == " " || $0 == "\t" }
        guard let first = stripped.firstIndex(where: { !isLineBreak($0) }),
            let last = stripped.lastIndex(where: { !isSpace($0) }), first <= last
        else { return "" }
        return stripped[first...last]
    }

    /// The first line of the body that has anything but whitespace, trimmed; nil when there is
    /// none.
    static func firstLine(_ text: String) -> Substring? {
        for line in withoutSystemReminders(text).split(whereSeparator: \.isNewline) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if let last = trimmed.lastIndex(where: { $0 != " " && $0 != "\t" }) {
                return trimmed[...last]
            }
        }
        return nil
    }
}
