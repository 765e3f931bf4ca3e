import CCProxyFuse
import Testing

@Suite("Inode numbers for bridge paths")
struct InodeTableTests {
    @Test func theRootIsOne() {
        let table = InodeTable()
        #expect(table.path(of: 1) == "")
        #expect(table.existingInode(for: "") == 1)
    }

    @Test func aPathKeepsItsNumber() {
        var table = InodeTable()
        let a = table.inode(for: "a")
        let b = table.inode(for: "a/b")
        #expect(a != b && a != 1)
        #expect(table.inode(for: "a") == a)
        #expect(table.path(of: b) == "a/b")
    }

    @Test func removingADirectoryDropsItsSubtreeOnly() {
        var table = InodeTable()
        let a = table.inode(for: "a")
        let ab = table.inode(for: "a/b")
        let abc = table.inode(for: "abc")
        table.remove("a")
        #expect(table.path(of: a) == nil)
        #expect(table.path(of: ab) == nil)
        #expect(table.path(of: abc) == "abc")
        #expect(table.existingInode(for: "a") == nil)
    }

    @Test func theRootCannotBeRemoved() {
        var table = InodeTable()
        table.remove("")
        #expect(table.path(of: 1) == "")
    }

    @Test func renamingMovesTheSubtreeAndReplacesTheTarget() {
        var table = InodeTable()
        let dir = table.inode(for: "d")
        let file = table.inode(for: "d/f")
        let old = table.inode(for: "e")
        let oldChild = table.inode(for: "e/x")
        table.rename(from: "d", to: "e")
        #expect(table.path(of: dir) == "e")
        #expect(table.path(of: file) == "e/f")
        #expect(table.path(of: old) == nil)
        #expect(table.path(of: oldChild) == nil)
        #expect(table.existingInode(for: "d") == nil)
        #expect(table.existingInode(for: "e/f") == file)
    }

    @Test func childPaths() {
        #expect(InodeTable.child(of: "", named: "a") == "a")
        #expect(InodeTable.child(of: "a/b", named: "c") == "a/b/c")
    }
}
