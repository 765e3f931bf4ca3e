import CCProxyConfig
import Testing

@Suite struct LocateTests {
    @Test func explicitPathWins() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let explicit = try directory.write("explicit.yaml")
        try directory.write("env.yaml")
        try directory.write("state/config.yaml")
        try directory.write("ccproxy.yaml")
        let environment = ["CCPROXY_CONFIG": directory.path + "/env.yaml", "CCPROXY_STATE": directory.path + "/state"]
        let found = try ConfigurationLoader.locate(explicitPath: explicit, environment: environment, currentDirectory: directory.path)
        #expect(found == explicit)
    }

    @Test func explicitRelativePathIsResolvedAgainstTheCurrentDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("conf/my.yaml")
        let found = try ConfigurationLoader.locate(explicitPath: "conf/my.yaml", environment: [:], currentDirectory: directory.path)
        #expect(found == file)
    }

    @Test func missingExplicitPathIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("ccproxy.yaml")
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(explicitPath: "nope.yaml", environment: [:], currentDirectory: directory.path)
        }
        #expect(error?.kind == .notFound)
        #expect(error?.description == "--config nope.yaml: no such file")
    }

    @Test func explicitDirectoryIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(explicitPath: directory.path, environment: [:], currentDirectory: "/")
        }
        #expect(error?.kind == .unreadable)
    }

    @Test func configVariableBeatsStateAndCurrentDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fromEnvironment = try directory.write("env.yaml")
        try directory.write("state/config.yaml")
        try directory.write("ccproxy.yaml")
        let environment = ["CCPROXY_CONFIG": fromEnvironment, "CCPROXY_STATE": directory.path + "/state"]
        let found = try ConfigurationLoader.locate(explicitPath: nil, environment: environment, currentDirectory: directory.path)
        #expect(found == fromEnvironment)
    }

    @Test func missingConfigVariableFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("ccproxy.yaml")
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(
                explicitPath: nil, environment: ["CCPROXY_CONFIG": "typo.yaml"], currentDirectory: directory.path)
        }
        #expect(error?.description == "$CCPROXY_CONFIG typo.yaml: no such file")
    }

    @Test func stateDirectoryBeatsCurrentDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inState = try directory.write("state/config.yaml")
        try directory.write("ccproxy.yaml")
        let found = try ConfigurationLoader.locate(
            explicitPath: nil, environment: ["CCPROXY_STATE": directory.path + "/state"], currentDirectory: directory.path)
        #expect(found == inState)
    }

    @Test func relativeStateDirectoryIsResolvedAgainstTheCurrentDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inState = try directory.write("state/config.yaml")
        let found = try ConfigurationLoader.locate(
            explicitPath: nil, environment: ["CCPROXY_STATE": "state"], currentDirectory: directory.path)
        #expect(found == inState)
    }

    @Test func currentDirectoryIsTheLastResort() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let local = try directory.write("ccproxy.yaml")
        let found = try ConfigurationLoader.locate(
            explicitPath: nil, environment: ["CCPROXY_STATE": directory.path + "/empty-state"], currentDirectory: directory.path)
        #expect(found == local)
    }

    @Test func directoryNamedConfigYamlIsSkipped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.makeDirectory("state/config.yaml")
        let local = try directory.write("ccproxy.yaml")
        let found = try ConfigurationLoader.locate(
            explicitPath: nil, environment: ["CCPROXY_STATE": directory.path + "/state"], currentDirectory: directory.path)
        #expect(found == local)
    }

    @Test func nothingFoundNamesEveryPlace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(
                explicitPath: nil, environment: ["CCPROXY_STATE": directory.path + "/state"], currentDirectory: directory.path)
        }
        #expect(error?.kind == .notFound)
        #expect(
            error?.description
                == "no config file found (looked at $CCPROXY_CONFIG (unset), \(directory.path)/state/config.yaml, "
                + "\(directory.path)/ccproxy.yaml). Pass --config <path> or create one — see deploy/config.yaml.example")
    }

    @Test func defaultStateDirectoryIsProbed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(explicitPath: nil, environment: [:], currentDirectory: directory.path)
        }
        #expect(error?.description.contains("/var/lib/ccproxy/config.yaml") == true)
    }
}
