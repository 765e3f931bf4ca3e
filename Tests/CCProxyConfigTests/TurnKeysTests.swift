import CCProxyConfig
import CCProxyCore
import Testing

/// The keys that shape turns and streams: `cors_origins`, `stream_keepalive`, `remote_images`,
/// `system_prompt_mode`, and the closed sets `default_verbosity`, `effort`, `permission_mode`.
@Suite struct TurnKeysTests {
    @Test(arguments: [
        ("\"*\"", "*"),
        ("https://chat.example.com", "https://chat.example.com"),
        ("HTTP://LocalHost:3000", "http://localhost:3000"),
        ("\"http://[::1]:8080\"", "http://[::1]:8080"),
        ("chrome-extension://abcdefghijkl", "chrome-extension://abcdefghijkl"),
        ("http://127.0.0.1:65535", "http://127.0.0.1:65535"),
    ])
    func validOrigins(written: String, stored: String) throws {
        #expect(try parse("cors_origins: [\(written)]\n").corsOrigins == [stored])
    }

    @Test(arguments: [
        "https://chat.example.com/", "https://chat.example.com/path", "chat.example.com", "https://",
        "https://a.example:0", "https://a.example:65536", "https://a.example:", "https://user@a.example",
        "https://*.example.com", "1https://a.example", "https://a.example?x=1", "**", "https://[zz]:1",
    ])
    func invalidOrigins(origin: String) {
        #expect(
            problems("cors_origins: [\"\(origin)\"]\n") == [
                "cors_origins[0] \"\(origin)\" must be \"*\" or scheme://host[:port] without a path, e.g. https://chat.example.com"
            ])
    }

    @Test func originsKeepOrderAndEveryBadOneIsReported() {
        #expect(
            problems("cors_origins: [https://a.example, https://b.example/, \"*\", x]\n").map { $0.prefix(20) } == [
                "cors_origins[1] \"htt", "cors_origins[3] \"x\" ",
            ])
    }

    @Test func originsMustBeAList() throws {
        #expect(problems("cors_origins: https://a.example\n") == ["cors_origins must be a list, not a string"])
        #expect(problems("cors_origins: [[a]]\n") == ["cors_origins[0] must be a string, not a list"])
        #expect(try parse("cors_origins: ~\n").corsOrigins == [])
    }

    @Test(arguments: [("0", 0.0), ("0s", 0), ("5s", 5), ("90", 90), ("1m30s", 90), ("~", 15)])
    func keepalive(written: String, seconds: Double) throws {
        #expect(try parse("stream_keepalive: \(written)\n").streamKeepaliveSeconds == seconds)
    }

    @Test func badKeepalive() {
        #expect(problems("stream_keepalive: -1s\n") == [#"stream_keepalive "-1s" must not be negative"#])
        #expect(
            problems("stream_keepalive: soon\n") == [
                #"stream_keepalive "soon" is not a duration (use e.g. 90s, 30m, 1h30m, or a number of seconds)"#
            ])
    }

    @Test func zeroStillMeansTheDefaultForOtherDurations() throws {
        #expect(try parse("request_timeout: 0\n").requestTimeoutSeconds == 600)
    }

    @Test func remoteImages() throws {
        #expect(try parse("").remoteImages == false)
        #expect(try parse("remote_images: true\n").remoteImages == true)
        #expect(problems("remote_images: sometimes\n") == [#"remote_images must be true or false, not "sometimes""#])
    }

    @Test func remoteImagesAllowPrivate() throws {
        #expect(try parse("").proxySettings().remoteImagesAllowPrivate == false)
        #expect(try parse("remote_images_allow_private: true\n").proxySettings().remoteImagesAllowPrivate == true)
        #expect(problems("remote_images_allow_private: 1\n").count == 1)
    }

    @Test func systemPromptMode() throws {
        let models = try parse("models: [{id: a}, {id: b, system_prompt_mode: replace}, {id: c, system_prompt_mode: append}]\n").models
        #expect(models.map(\.systemPromptMode) == [.append, .replace, .append])
        #expect(
            problems("models: [{id: a, system_prompt_mode: override}]\n") == [
                #"models[0].system_prompt_mode "override" must be one of: append, replace (or empty)"#
            ])
    }

    @Test func closedSetsAreCaseSensitive() {
        #expect(problems("default_verbosity: Verbose\n") == [#"default_verbosity "Verbose" must be text-only, verbose, or narrated"#])
        #expect(problems("default_effort: HIGH\n").count == 1)
        #expect(
            problems("models: [{id: a, permission_mode: plan, effort: Max}]\n") == [
                #"models[0].effort "Max" must be one of: low, medium, high, xhigh, max (or empty)"#
            ])
    }

    @Test func aBadValueDoesNotHideTheEntrysOtherProblems() {
        #expect(
            problems("models: [{id: a, effort: turbo}, {id: a, permission_mode: yolo}]\n") == [
                #"models[0].effort "turbo" must be one of: low, medium, high, xhigh, max (or empty)"#,
                #"models[1].permission_mode "yolo" must be one of: acceptEdits, bypassPermissions, default, dontAsk, plan, auto (or empty)"#,
                #"models[1].id "a" is duplicated"#,
            ])
    }

    @Test func typedValuesReachTheSettings() throws {
        let yaml = """
            default_verbosity: verbose
            default_effort: xhigh
            default_permission_mode: dontAsk
            models: [{id: a, effort: low, permission_mode: plan, system_prompt_mode: replace}]
            """
        let settings = try parse(yaml).proxySettings()
        #expect(settings.defaultVerbosity == .verbose)
        #expect(settings.defaultEffort == .xhigh)
        #expect(settings.defaultPermissionMode == .dontAsk)
        #expect(
            settings.models == [
                ModelAlias(id: "a", effort: .low, permissionMode: .plan, systemPromptMode: .replace)
            ])
    }

    @Test func emptyPermissionModeMeansBypass() throws {
        #expect(try parse("default_permission_mode: \"\"\n").defaultPermissionMode == .bypassPermissions)
    }
}
