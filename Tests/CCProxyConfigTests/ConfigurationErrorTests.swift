import CCProxyConfig
import Testing

@Suite struct ConfigurationErrorTests {
    @Test func invalidListsEveryProblem() {
        let error = ConfigurationError(invalid: ["a", "b"])
        #expect(error.description == "config invalid:\n  - a\n  - b")
    }

    @Test func singleInvalidProblemStillUsesTheList() {
        #expect(ConfigurationError(invalid: ["a"]).description == "config invalid:\n  - a")
    }

    @Test func locateErrorsAreOneLine() {
        #expect(ConfigurationError(kind: .notFound, problems: ["no config file found"]).description == "no config file found")
        #expect(ConfigurationError(kind: .unreadable, problems: ["x: is a directory"]).description == "x: is a directory")
    }
}
