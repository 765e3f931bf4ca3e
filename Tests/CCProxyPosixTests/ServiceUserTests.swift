import CCProxyPosix
import Foundation
import Glibc
import Testing

/// The service user lookup and the hand-over of the state directory (the switch itself is
/// irreversible for the test process: the black-box tests check it on a real server).
@Suite struct ServiceUserTests {
    @Test func rootIsFoundAndAMissingUserIsNil() throws {
        let root = try #require(try ServiceUser.lookup("root"))
        #expect(root.uid == 0 && root.gid == 0)
        #expect(try ServiceUser.lookup("no-such-user-\(UInt32.random(in: 0...UInt32.max))") == nil)
    }

    @Test func refusesToBecomeRoot() {
        #expect(throws: PosixError.self) { try ServiceUser(name: "root", uid: 0, gid: 0, home: "/root").become() }
    }

    @Test(.enabled(if: geteuid() == 0, "changing owners needs root"))
    func ownGivesTheWholeTreeWithoutFollowingLinks() throws {
        let base = FileManager.default.temporaryDirectory.path + "/ccproxy-own-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/a/b", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: base + "/a/b/tokens.db", contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(atPath: base + "/link", withDestinationPath: "/etc/hostname")
        let user = ServiceUser(name: "test", uid: 4242, gid: 4343, home: "/")
        try user.own(tree: base)
        for path in [base, base + "/a", base + "/a/b", base + "/a/b/tokens.db", base + "/link"] {
            var info = stat()
            #expect(lstat(path, &info) == 0)
            #expect(info.st_uid == 4242 && info.st_gid == 4343, "\(path)")
        }
        var target = stat()
        #expect(stat("/etc/hostname", &target) == 0 && target.st_uid != 4242)
    }
}
