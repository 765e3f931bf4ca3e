import Yams

/// One-line messages for errors of the YAML parser itself.
enum YAMLSyntaxProblem {
    /// `YAML syntax error at line 3, column 7: <problem>` (position when known).
    static func message(for error: any Error) -> String {
        guard let yamlError = error as? YamlError else {
            return "YAML syntax error: \(error)"
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let contextText = context.map { "\($0.text): " } ?? ""
            return "YAML syntax error at line \(mark.line), column \(mark.column): \(contextText)\(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { quoted($0) }.joined(separator: ", ")
            return "duplicate key \(keys) at line \(context.mark.line)"
        case .reader(let problem, _, _, _):
            return "YAML syntax error: \(problem)"
        default:
            return "YAML syntax error: \(yamlError)"
        }
    }
}
