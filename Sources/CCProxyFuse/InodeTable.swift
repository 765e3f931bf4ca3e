// Runs in: ccproxy-fuse (the FUSE helper).

/// The helper's inode numbers: the FUSE lowlevel API names files by inode, the bridge by
/// path relative to the root. Pure, so renames and removals are tested without a mount.
///
/// Inode 1 is the root (`""`). A path keeps its number until it is removed or renamed
/// away; a rename moves the numbers of the whole subtree, so open files and cached
/// entries under a renamed directory stay valid.
public struct InodeTable: Sendable {
    public static let rootInode: UInt64 = 1

    private var paths: [UInt64: String] = [InodeTable.rootInode: ""]
    private var inodes: [String: UInt64] = ["": InodeTable.rootInode]
    private var next: UInt64 = InodeTable.rootInode + 1

    public init() {}

    public var count: Int { paths.count }

    /// The bridge path of `inode`, or nil for a number this table never gave (or dropped).
    public func path(of inode: UInt64) -> String? { paths[inode] }

    /// The number for `path`, given now if it has none.
    public mutating func inode(for path: String) -> UInt64 {
        if let known = inodes[path] { return known }
        let inode = next
        next += 1
        paths[inode] = path
        inodes[path] = inode
        return inode
    }

    /// The number `path` has, without giving one.
    public func existingInode(for path: String) -> UInt64? { inodes[path] }

    /// `path` and everything under it are gone.
    public mutating func remove(_ path: String) {
        guard !path.isEmpty else { return }
        for (p, inode) in inodes where p == path || p.hasPrefix(path + "/") {
            inodes[p] = nil
            paths[inode] = nil
        }
    }

    /// `from` (and its subtree) is now `to`; whatever was at `to` was replaced.
    public mutating func rename(from: String, to: String) {
        guard from != to, !from.isEmpty, !to.isEmpty else { return }
        remove(to)
        for (p, inode) in inodes where p == from || p.hasPrefix(from + "/") {
            let moved = to + p.dropFirst(from.count)
            inodes[p] = nil
            inodes[moved] = inode
            paths[inode] = moved
        }
    }

    /// The bridge path of `name` in the directory at `parent` (`""` is the root).
    public static func child(of parent: String, named name: String) -> String {
        parent.isEmpty ? name : parent + "/" + name
    }
}
