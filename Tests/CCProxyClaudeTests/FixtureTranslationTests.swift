import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

@Suite("Recorded claude output → chunks")
struct FixtureTranslationTests {
    @Test("every fixture decodes line by line, nothing unparseable, one result at most")
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
        }
    }
}
