import CCProxyConfig
import Testing

@Suite struct ValidationTests {
    @Test func badDefaultVerbosity() {
        #expect(problems("default_verbosity: loud\n") == [#"default_verbosity "loud" must be text-only, verbose, or narrated"#])
    }

    @Test func verbosityAliasesAreNotAllowedAsDefault() {
        #expect(problems("default_verbosity: text\n").count == 1)
    }

    @Test func badDefaultEffort() {
        #expect(problems("default_effort: turbo\n") == [#"default_effort "turbo" must be one of: low, medium, high, xhigh, max (or empty)"#])
    }

    @Test func badDefaultPermissionMode() {
        #expect(
            problems("default_permission_mode: yolo\n") == [
                #"default_permission_mode "yolo" must be one of: acceptEdits, bypassPermissions, default, dontAsk, plan, auto (or empty)"#
            ])
    }

    @Test func badModelVersionKey() {
        #expect(problems("model_versions: {gpt: claude-gpt-1}\n") == [#"model_versions key "gpt" must be one of: opus, sonnet, haiku"#])
    }

    @Test(arguments: ["sonnet", "claude-sonnet-", "claude-", "gpt-4o", ""])
    func badModelVersionValue(value: String) {
        #expect(
            problems("model_versions: {sonnet: \"\(value)\"}\n") == [
                "model_versions[\"sonnet\"] = \"\(value)\" must be a full claude id like claude-sonnet-4-6"
            ])
    }

    @Test func pinToAnotherFamilyIsAllowed() throws {
        #expect(try parse("model_versions: {sonnet: claude-opus-4-6}\n").modelVersions == ["sonnet": "claude-opus-4-6"])
    }

    @Test func noModelsAndNoPassthrough() {
        #expect(
            problems("allow_passthrough_models: false\n") == [
                "models[] is empty and allow_passthrough_models is false: define at least one alias or enable passthrough"
            ])
    }

    @Test func emptyModelID() {
        #expect(problems("models: [{workspace: \"\"}, ~]\n") == ["models[0].id is empty", "models[1].id is empty"])
    }

    @Test func duplicatedModelID() {
        #expect(problems("models: [{id: a}, {id: b}, {id: a}]\n") == [#"models[2].id "a" is duplicated"#])
    }

    @Test(arguments: ["a b", "a:b", "a:session=x", "tab\there"])
    func modelIDWithReservedCharacters(id: String) {
        #expect(
            problems("models: [{id: \"\(id.replacingOccurrences(of: "\t", with: "\\t"))\"}]\n").first?.hasSuffix(
                #"must not contain whitespace or ":" (":session=" is a reserved suffix)"#) == true)
    }

    @Test func unknownWorkspaceReference() {
        #expect(problems("models: [{id: a, workspace: repo}]\n") == [#"models[0].workspace "repo" does not exist in workspaces"#])
    }

    @Test func badModelEffort() {
        #expect(
            problems("models: [{id: a, effort: High}]\n") == [
                #"models[0].effort "High" must be one of: low, medium, high, xhigh, max (or empty)"#
            ])
    }

    @Test func badModelPermissionMode() {
        #expect(
            problems("models: [{id: a, permission_mode: bypass}]\n") == [
                #"models[0].permission_mode "bypass" must be one of: acceptEdits, bypassPermissions, default, dontAsk, plan, auto (or empty)"#
            ])
    }

    @Test func emptyWorkspacePath() {
        #expect(problems("workspaces: {repo: {description: x}, other: ~}\n") == [
            #"workspaces["other"].path is empty"#, #"workspaces["repo"].path is empty"#,
        ])
    }

    @Test func relativeWorkspacePath() {
        #expect(problems("workspaces: {repo: {path: srv/repo}}\n") == [#"workspaces["repo"].path "srv/repo" must be absolute"#])
    }

    @Test func workspaceExistenceIsNotChecked() throws {
        #expect(try parse("workspaces: {repo: {path: /does/not/exist}}\n").workspaces["repo"]?.path == "/does/not/exist")
    }

    @Test func emptyWorkspaceName() {
        #expect(problems("workspaces: {\"\": {path: /x}}\n") == ["workspaces: a workspace name is empty"])
    }

    @Test func theBridgeBindingIsNoWorkspaceName() {
        #expect(problems("workspaces: {\"@bridge\": {path: /x}}\n") == [
            #"workspaces["@bridge"]: the name is reserved (a persistent session bound to its principal's bridge)"#
        ])
    }

    @Test func workerBounds() {
        #expect(problems("workers: {min_idle: 0}\n") == ["workers.min_idle (0) must be at least 1"])
        #expect(problems("workers: {min_idle: 4, max: 3}\n") == ["workers.max (3) must be at least workers.min_idle (4)"])
        #expect(problems("workers: {max: 1025}\n") == ["workers.max (1025) must be at most 1024"])
        #expect(problems("workers: {max_requests: 0}\n") == ["workers.max_requests (0) must be at least 1"])
    }

    @Test func workerLimitsAtTheEdges() throws {
        let workers = try parse("workers: {min_idle: 1, max: 1024, max_requests: 1}\n").workers
        #expect(workers == PoolSettings(minIdle: 1, maxWorkers: 1024, maxRequestsPerWorker: 1))
        #expect(try parse("workers: {min_idle: 5, max: 5}\n").workers.maxWorkers == 5)
    }

    @Test func metricsMustNotShareTheListenPort() {
        #expect(
            problems("listen: :4141\nmetrics_listen: 127.0.0.1:4141\n") == [
                #"metrics_listen "127.0.0.1:4141" must not use the port of listen ":4141""#
            ])
    }

    @Test func metricsMayShareAPortOnAnotherHost() throws {
        #expect(try parse("listen: 127.0.0.1:4141\nmetrics_listen: 10.0.0.1:4141\n").metricsListen?.port == 4141)
    }

    @Test func invalidListenAddressesNameTheirKey() {
        #expect(
            problems("listen: localhost\nmetrics_listen: \"[::1\"\n") == [
                #"listen "localhost": missing port (expected host:port, :port or [ipv6]:port)"#,
                #"metrics_listen "[::1": missing "]" after the IPv6 address"#,
            ])
    }

    @Test func severalProblemsAreReportedTogetherInOrder() throws {
        let yaml = """
            listn: :4141
            default_verbosity: loud
            default_effort: turbo
            allow_passthrough_models: false
            model_versions: {sonnet: gpt, gpt: claude-gpt-1}
            workspaces:
              zeta: {path: relative}
              alpha: {path: ""}
            models:
              - {id: a, workspace: nope}
              - {id: a, effort: turbo}
            workers: {min_idle: 0}
            """
        let error = #expect(throws: ConfigurationError.self) { try parse(yaml) }
        #expect(
            error?.description == """
                config invalid:
                  - unknown key "listn" (did you mean "listen"?)
                  - default_verbosity "loud" must be text-only, verbose, or narrated
                  - default_effort "turbo" must be one of: low, medium, high, xhigh, max (or empty)
                  - models[1].effort "turbo" must be one of: low, medium, high, xhigh, max (or empty)
                  - model_versions key "gpt" must be one of: opus, sonnet, haiku
                  - model_versions["sonnet"] = "gpt" must be a full claude id like claude-sonnet-4-6
                  - models[0].workspace "nope" does not exist in workspaces
                  - models[1].id "a" is duplicated
                  - workspaces["alpha"].path is empty
                  - workspaces["zeta"].path "relative" must be absolute
                  - workers.min_idle (0) must be at least 1
                """)
    }

    @Test func problemOrderIsDeterministic() {
        let yaml = "workspaces: {c: {path: c}, a: {path: a}, b: {path: b}}\nmodel_versions: {x: 1, z: 2, y: 3}\n"
        let first = problems(yaml)
        #expect(first.count == 6)
        for _ in 0..<10 {
            #expect(problems(yaml) == first)
        }
    }
}
