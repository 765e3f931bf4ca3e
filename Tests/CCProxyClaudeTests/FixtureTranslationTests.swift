import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

@Suite("Recorded claude output decodes")
struct FixtureTranslationTests {
    @Test("every fixture decodes line by line, nothing unparseable, one result; every mode renders it")
    func everyFixtureDecodes() throws {
        let files = try FixtureSupport.allNDJSONFiles()
        #expect(files.count >= 10)
        for file in files {
            let events = try FixtureSupport.events(file)
            #expect(!events.isEmpty, "\(file)")
            for event in events {
                if case .unparseable(let reason) = event { Issue.record("\(file): unparseable (\(reason))") }
            }
            let results = events.filter { if case .result = $0 { true } else { false } }
            #expect(results.count == 1, "\(file)")
            #expect(FixtureSupport.track(events).unparseableLines == 0, "\(file)")
            for verbosity in Verbosity.allCases {
                // Deterministic: the same events give the same deltas.
                let options = RenderOptions(verbosity: verbosity, includeReasoning: false)
                #expect(FixtureSupport.render(events, options).deltas == FixtureSupport.render(events, options).deltas)
            }
        }
    }

    @Test("session fixtures: the given session id, and the text-only answer is the result text")
    func sessions() throws {
        for file in ["session-first.ndjson", "session-resume.ndjson"] {
            let events = try FixtureSupport.events(file)
            let tracker = FixtureSupport.track(events)
            #expect(tracker.sessionID == "11111111-2222-4333-8444-555555555555")
            let rendering = FixtureSupport.render(events, RenderOptions(verbosity: .textOnly, includeReasoning: false))
            #expect(rendering.content == tracker.result?.resultText)
        }
    }
}
