#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Token lifetimes as the CLI takes them: `90d`, `24h`, `30m`, `45s`, or combinations such as
/// `1h30m` and `7d12h`.
public enum TimeToLive {
    /// The longest lifetime accepted (100 years); longer is almost certainly a typo.
    public static let maximum: TimeInterval = 100 * 365 * 86_400

    /// The duration `text` names, in seconds.
    ///
    /// - Throws: ``TimeToLiveError`` for an empty or zero duration, a number without a unit,
    ///   an unknown unit (`d`, `h`, `m`, `s` are known), or more than ``maximum``.
    public static func parse(_ text: String) throws(TimeToLiveError) -> TimeInterval {
        var total: TimeInterval = 0
        var number = ""
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                guard number.count < 9 else { throw TimeToLiveError(text: text) }
                number.append(String(digit))
                continue
            }
            guard let value = Int(number), let unit = unitSeconds(character) else { throw TimeToLiveError(text: text) }
            total += TimeInterval(value) * unit
            number = ""
        }
        guard number.isEmpty, total > 0, total <= maximum else { throw TimeToLiveError(text: text) }
        return total
    }

    private static func unitSeconds(_ unit: Character) -> TimeInterval? {
        switch unit {
        case "d": 86_400
        case "h": 3_600
        case "m": 60
        case "s": 1
        default: nil
        }
    }
}

/// A lifetime that ``TimeToLive`` cannot read.
public struct TimeToLiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String

    public var description: String {
        "invalid ttl \"\(text)\": use a positive duration such as 90d, 24h, 30m or 1h30m"
    }
}
