import CCProxyConfig
import Testing

@Suite struct ListenAddressTests {
    @Test(arguments: [
        (":4141", "", 4141), ("127.0.0.1:4141", "127.0.0.1", 4141), ("[::1]:4141", "::1", 4141),
        ("localhost:8080", "localhost", 8080), ("[::]:0", "::", 0), (":65535", "", 65535),
        ("my-host.example_1:80", "my-host.example_1", 80), ("[fe80::1%eth0]:443", "fe80::1%eth0", 443),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(try ListenAddress.parse(text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: [
        ("4141", "missing port (expected host:port, :port or [ipv6]:port)"),
        ("localhost", "missing port (expected host:port, :port or [ipv6]:port)"),
        (":", #"port "" must be a number from 0 to 65535"#),
        (":65536", #"port "65536" must be a number from 0 to 65535"#),
        (":-1", #"port "-1" must be a number from 0 to 65535"#),
        (":http", #"port "http" must be a number from 0 to 65535"#),
        (":4141 ", #"port "4141 " must be a number from 0 to 65535"#),
        ("::1:4141", "an IPv6 host must be in brackets, e.g. [::1]:4141"),
        ("[::1]4141", #"missing ":<port>" after "]""#),
        ("[::1:4141", #"missing "]" after the IPv6 address"#),
        ("[]:4141", #""" is not an IPv6 address"#),
        ("my host:80", #""my host" is not a host name or IP address"#),
        ("http://x:80", "an IPv6 host must be in brackets, e.g. [::1]:4141"),
    ])
    func rejects(text: String, reason: String) {
        let error = #expect(throws: ConfigurationError.self) { try ListenAddress.parse(text) }
        #expect(error?.problems == ["listen address \"\(text)\": \(reason)"])
    }

    @Test(arguments: [":4141", "127.0.0.1:4141", "[::1]:4141", "localhost:8080"])
    func descriptionRoundTrips(text: String) throws {
        #expect(try ListenAddress.parse(text).description == text)
    }
}
