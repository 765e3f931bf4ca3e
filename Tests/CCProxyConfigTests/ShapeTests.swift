import CCProxyConfig
import Testing

/// Unknown keys, wrong types and YAML syntax: the file's shape.
@Suite struct ShapeTests {
    @Test func unknownTopLevelKey() {
        #expect(problems("colour: blue\n") == [#"unknown key "colour""#])
    }

    @Test func unknownKeyWithSuggestion() {
        #expect(problems("session-ttl: 5m\n") == [#"unknown key "session-ttl" (did you mean "session_ttl"?)"#])
        #expect(problems("clade_binary: x\n") == [#"unknown key "clade_binary" (did you mean "claude_binary"?)"#])
    }

    @Test func unknownNestedKeys() {
        let yaml = """
            workspaces: {repo: {path: /srv/repo, pth: /x}}
            models: [{id: a, sytem_prompt: hi}]
            workers: {maximum: 3}
            """
        #expect(
            problems(yaml) == [
                #"workspaces["repo"]: unknown key "pth" (did you mean "path"?)"#,
                #"models[0]: unknown key "sytem_prompt" (did you mean "system_prompt"?)"#,
                #"workers: unknown key "maximum""#,
            ])
    }

    @Test func malformedModelIsNotCheckedTwice() {
        #expect(problems("models: [{id: [a], effort: turbo}]\n") == ["models[0].id must be a string, not a list"])
    }

    @Test func documentMustBeAMapping() {
        #expect(problems("- a\n- b\n") == ["the configuration must be a mapping of keys to values, not a list"])
        #expect(problems("just text\n") == ["the configuration must be a mapping of keys to values, not a string"])
    }

    @Test func wrongTypesNameTheKey() {
        let yaml = """
            listen: [":4141"]
            claude_binary: {path: x}
            allow_passthrough_models: maybe
            model_versions: [sonnet]
            session_ttl: {minutes: 5}
            workspaces: [repo]
            models: {id: a}
            workers: [1]
            """
        #expect(
            problems(yaml) == [
                "listen must be a string, not a list",
                "claude_binary must be a string, not a mapping",
                #"allow_passthrough_models must be true or false, not "maybe""#,
                "model_versions must be a mapping of keys to values, not a list",
                "session_ttl must be a duration, not a mapping",
                "workspaces must be a mapping of keys to values, not a list",
                "models must be a list, not a mapping",
                "workers must be a mapping of keys to values, not a list",
            ])
    }

    @Test func wrongNestedTypes() {
        let yaml = """
            workspaces: {repo: /srv/repo}
            models: [a, {id: b, claude_model: [x]}]
            workers: {min_idle: 2.5, max: lots}
            model_versions: {sonnet: {id: x}}
            """
        #expect(
            problems(yaml) == [
                #"workspaces["repo"] must be a mapping of keys to values, not a string"#,
                "models[0] must be a mapping of keys to values, not a string",
                "models[1].claude_model must be a string, not a list",
                #"workers.min_idle must be an integer, not "2.5""#,
                #"workers.max must be an integer, not "lots""#,
                #"model_versions["sonnet"] must be a string, not a mapping"#,
            ])
    }

    @Test func referenceToMalformedWorkspaceIsNotReportedAgain() {
        #expect(
            problems("workspaces: {repo: /srv/repo}\nmodels: [{id: a, workspace: repo}]\n") == [
                #"workspaces["repo"] must be a mapping of keys to values, not a string"#
            ])
    }

    @Test func syntaxErrorHasAPosition() {
        let found = problems("listen: :4141\nmodels: [\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("YAML syntax error at line ") == true)
    }

    @Test func duplicateKeysAreReported() {
        #expect(problems("listen: :1\nlisten: :2\n") == [#"duplicate key "listen" at line 1"#])
    }
}
