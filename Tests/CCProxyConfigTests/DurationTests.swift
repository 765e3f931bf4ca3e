import CCProxyConfig
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("30m", 1800.0), ("1h30m", 5400), ("90s", 90), ("500ms", 0.5), ("2h", 7200), ("90", 90), ("1.5", 1.5),
        ("\"120\"", 120), ("1.5h", 5400), ("1m30s", 90), ("250us", 0.00025), ("+5s", 5), ("10m0s", 600),
    ])
    func parses(text: String, seconds: Double) throws {
        let configuration = try parse("session_ttl: \(text)\nrequest_timeout: \(text)\n")
        #expect(abs(configuration.sessionTTLSeconds - seconds) < 1e-9)
        #expect(abs(configuration.requestTimeoutSeconds - seconds) < 1e-9)
    }

    @Test(arguments: ["abc", "5 m", "5x", "m", "1h30", "1..5s", "\"\"", ".inf", "true", "5mm"])
    func rejects(text: String) {
        let found = problems("session_ttl: \(text)\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("session_ttl ") == true)
        #expect(found.first?.hasSuffix("is not a duration (use e.g. 90s, 30m, 1h30m, or a number of seconds)") == true)
    }

    @Test(arguments: ["-5m", "-1", "-0.5"])
    func rejectsNegative(text: String) {
        #expect(problems("request_timeout: \(text)\n") == ["request_timeout \"\(text)\" must not be negative"])
    }

    @Test func zeroIsTheDefault() throws {
        #expect(try parse("session_ttl: 0m\n").sessionTTLSeconds == 1800)
        #expect(try parse("request_timeout: 0.0\n").requestTimeoutSeconds == 600)
    }

    @Test func oneYearIsTheLongestDuration() throws {
        #expect(try parse("session_ttl: 8760h\n").sessionTTLSeconds == 31_536_000)
        #expect(problems("session_ttl: 8761h\n") == [#"session_ttl "8761h" must be at most 8760h (one year)"#])
        #expect(problems("request_timeout: 1e300\n") == [#"request_timeout "1e300" must be at most 8760h (one year)"#])
    }
}
