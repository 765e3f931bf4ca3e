// Two turns of one owner start at once: creating the owner's claude home must not fail for
// the one that loses the race.

import Foundation
import Testing

@testable import CCProxyWorker

@Suite struct ClaudeHomeRaceTests {
    @Test func concurrentTurnsOfOneOwnerAllGetTheHome() async throws {
        for round in 0..<20 {
            let state = NSTemporaryDirectory() + "claude-home-race-\(round)-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: state) }
            let failures = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        (try? ClaudeLaunchBuilder.ensureHome(stateDirectory: state, owner: "t-abc")) == nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 0, "round \(round): \(failures) of 8 concurrent turns could not get the home")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: state + "/homes/t-abc", isDirectory: &isDirectory) && isDirectory.boolValue)
        }
    }
}
