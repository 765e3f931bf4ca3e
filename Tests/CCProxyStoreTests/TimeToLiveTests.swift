import CCProxyAuth
import Foundation
import Testing

@Suite("TimeToLive")
struct TimeToLiveTests {
    @Test(
        "durations",
        arguments: [
            ("90d", 7_776_000), ("24h", 86_400), ("30m", 1_800), ("1h30m", 5_400), ("45s", 45), ("7d12h", 648_000),
        ] as [(String, TimeInterval)])
    func parses(text: String, seconds: TimeInterval) throws {
        #expect(try TimeToLive.parse(text) == seconds)
    }

    @Test("invalid durations", arguments: ["", "0d", "90", "d", "5x", "1.5h", "-1h", "1h 30m", "99999999999d", "40000d"])
    func refuses(text: String) {
        #expect(throws: TimeToLiveError.self) { try TimeToLive.parse(text) }
    }
}
