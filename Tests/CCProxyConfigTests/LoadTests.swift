import CCProxyConfig
import Testing

@Suite struct LoadTests {
    @Test func loadReadsTheFileAndRecordsItsPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ccproxy.yaml", "listen: 127.0.0.1:4000\nsession_ttl: 90\n")
        let configuration = try ConfigurationLoader.load(path: file, environment: [:], currentDirectory: "/")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 4000))
        #expect(configuration.sessionTTLSeconds == 90)
        #expect(configuration.sourcePath == file)
    }

    @Test func relativePathIsRecordedAbsolute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ccproxy.yaml")
        let configuration = try ConfigurationLoader.load(path: "./ccproxy.yaml", environment: [:], currentDirectory: directory.path)
        #expect(configuration.sourcePath == file)
    }

    @Test func loadAppliesTheEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ccproxy.yaml", "listen: :4141\n")
        let configuration = try ConfigurationLoader.load(
            path: file, environment: ["CCPROXY_LISTEN": ":5151"], currentDirectory: "/")
        #expect(configuration.listen.port == 5151)
    }

    @Test func missingFileIsNotFound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: directory.path + "/gone.yaml", environment: [:], currentDirectory: "/")
        }
        #expect(error?.kind == .notFound)
    }

    @Test func directoryIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: directory.path, environment: [:], currentDirectory: "/")
        }
        #expect(error?.kind == .unreadable)
        #expect(error?.description == "config file \(directory.path): is a directory")
    }

    @Test func invalidFileReportsEveryProblem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ccproxy.yaml", "default_verbosity: loud\nlistn: :1\n")
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: file, environment: [:], currentDirectory: "/")
        }
        #expect(error?.kind == .invalid)
        #expect(error?.problems.count == 2)
    }
}
