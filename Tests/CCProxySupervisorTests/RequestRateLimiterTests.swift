import Foundation
import Testing

@testable import CCProxySupervisor

@Suite struct RequestRateLimiterTests {
    @Test func zeroIsUnlimited() {
        var limiter = RequestRateLimiter()
        for _ in 0..<1000 { let ok1 = limiter.allow(tokenID: "a", perMinute: 0, now: 0); #expect(ok1) }
    }

    @Test func aBurstOfTheLimitThenOneEveryInterval() {
        var limiter = RequestRateLimiter()
        for i in 0..<5 { let ok2 = limiter.allow(tokenID: "a", perMinute: 5, now: 0); #expect(ok2, "request \(i) of the burst") }
        let ok3 = limiter.allow(tokenID: "a", perMinute: 5, now: 0)
        #expect(!ok3)
        let ok4 = limiter.allow(tokenID: "a", perMinute: 5, now: 11.9)
        #expect(!ok4, "one refill takes 12 s at 5/min")
        let ok5 = limiter.allow(tokenID: "a", perMinute: 5, now: 12)
        #expect(ok5)
        let ok6 = limiter.allow(tokenID: "a", perMinute: 5, now: 12)
        #expect(!ok6)
    }

    @Test func tokensAreIndependent() {
        var limiter = RequestRateLimiter()
        let ok7 = limiter.allow(tokenID: "a", perMinute: 1, now: 0)
        #expect(ok7)
        let ok8 = limiter.allow(tokenID: "a", perMinute: 1, now: 0)
        #expect(!ok8)
        let ok9 = limiter.allow(tokenID: "b", perMinute: 1, now: 0)
        #expect(ok9)
    }

    @Test func aLoweredLimitAppliesAtOnce() {
        var limiter = RequestRateLimiter()
        let ok10 = limiter.allow(tokenID: "a", perMinute: 100, now: 0)
        #expect(ok10)
        let ok11 = limiter.allow(tokenID: "a", perMinute: 1, now: 0)
        #expect(ok11, "capacity shrinks to 1; one was left")
        let ok12 = limiter.allow(tokenID: "a", perMinute: 1, now: 0)
        #expect(!ok12)
    }
}

@Suite struct RetryAfterTests {
    @Test func aRefusalSaysWhenTheNextRequestWillBeAllowed() {
        var limiter = RequestRateLimiter()
        let first = limiter.take(tokenID: "a", perMinute: 2, now: 0)
        let second = limiter.take(tokenID: "a", perMinute: 2, now: 0)
        let third = limiter.take(tokenID: "a", perMinute: 2, now: 0)
        #expect(first == nil && second == nil)
        #expect(third == 30, "at 2/min the next slot is 30 s away")
        let later = limiter.take(tokenID: "a", perMinute: 2, now: 20)
        #expect(later == 10)
    }

    @Test func theDailyLimitResetsAtUTCMidnight() {
        let oneHourBeforeMidnight = Date(timeIntervalSince1970: 86_400 * 20_000 - 3600)
        #expect(TokenGate.secondsUntilNextUTCDay(oneHourBeforeMidnight) == 3600)
    }
}
