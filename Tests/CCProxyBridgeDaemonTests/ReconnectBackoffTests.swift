import Testing

@testable import CCProxyBridgeDaemon

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test func doublesFromHalfASecondUpToTheCap() {
        var b = ReconnectBackoff()
        let delays = (0..<8).map { _ in b.nextDelay(jitter: 0) }
        #expect(delays == [0.5, 1, 2, 4, 8, 10, 10, 10])
        #expect(b.attempt == 8)
    }

    @Test func jitterShortensByAtMostAFifth() {
        var b = ReconnectBackoff()
        let steps: [Double] = [0.5, 1, 2, 4, 8, 10, 10]
        for step in steps {
            let d = b.nextDelay(jitter: 0.999_999)
            #expect(d <= step && d >= step * 0.8, "\(d) for step \(step)")
        }
        var c = ReconnectBackoff()
        #expect(c.nextDelay(jitter: 0.5) == 0.45)
    }

    @Test func outOfRangeJitterIsClamped() {
        var b = ReconnectBackoff()
        #expect(b.nextDelay(jitter: -3) == 0.5)
        #expect(b.nextDelay(jitter: 7) == 0.8)
    }

    @Test func resetAfterAHandshakeStartsOver() {
        var b = ReconnectBackoff()
        for _ in 0..<10 { _ = b.nextDelay(jitter: 0) }
        b.reset()
        #expect(b.nextDelay(jitter: 0) == 0.5)
    }

    @Test func neverOverflowsAfterManyAttempts() {
        var b = ReconnectBackoff()
        for _ in 0..<10_000 { #expect(b.nextDelay(jitter: 0) <= 10) }
    }
}

@Suite("Server address")
struct ServerAddressTests {
    @Test func parses() throws {
        let a = try #require(BridgeServerAddress("ws://127.0.0.1:4141/bridge"))
        #expect((a.tls, a.host, a.port, a.target, a.hostHeader) == (false, "127.0.0.1", 4141, "/bridge", "127.0.0.1:4141"))
        let b = try #require(BridgeServerAddress("wss://proxy.example.com"))
        #expect((b.tls, b.port, b.target, b.hostHeader) == (true, 443, "/bridge", "proxy.example.com"))
        let c = try #require(BridgeServerAddress("WSS://h:8443/x/bridge?k=v"))
        #expect((c.tls, c.port, c.target) == (true, 8443, "/x/bridge?k=v"))
        #expect(c.description == "wss://h:8443/x/bridge?k=v")
    }

    @Test(arguments: ["http://h/bridge", "h:80", "", "ws://", "ws:///bridge", "ws://h:0/", "ws://h:70000/"])
    func refuses(_ text: String) {
        #expect(BridgeServerAddress(text) == nil)
    }
}

@Suite("Confirmation answers")
struct ConfirmAnswerTests {
    @Test func onlyYesApproves() {
        for yes in ["y", "Y", "yes", "YES", " yes "] { #expect(TerminalConfirmer.isYes(yes), "\(yes)") }
        for no in ["", "n", "no", "yess", "ok", "1"] { #expect(!TerminalConfirmer.isYes(no), "\(no)") }
    }
}
