// Runs in: ccproxy-fuse (the FUSE helper). Each method answers one kernel request on the
// FUSE loop's thread by one or two bridge calls; it needs no privilege of its own.
import CCPFuse3
import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import Glibc

/// The filesystem the helper serves: FUSE lowlevel requests in, bridge requests out.
///
/// Every request is answered exactly once (a reply or an errno), also when the bridge is
/// gone: a transport failure is EIO, never a request left waiting. Names are mapped to
/// bridge paths through `InodeTable`; directory listings are fetched at opendir and served
/// from the handle, so that a listing read in several chunks is one consistent snapshot.
public final class FuseFileSystem {
    let channel: BridgeChannel
    let attributes: FileAttributes
    let cacheSeconds: Double
    var inodes = InodeTable()
    private var listings: [UInt64: [DirectoryEntry]] = [:]
    private var nextHandle: UInt64 = 1

    public init(channel: BridgeChannel, attributes: FileAttributes, cacheSeconds: Double = Limits.bridgeAttributeCacheSeconds) {
        self.channel = channel
        self.attributes = attributes
        self.cacheSeconds = cacheSeconds
    }

    // MARK: Names and attributes

    func lookup(_ req: fuse_req_t?, parent: fuse_ino_t, name: String) {
        guard let path = childPath(parent, name, req) else { return }
        do throws(BridgeCallError) {
            var entry = try entryParam(path)
            fuse_reply_entry(req, &entry)
        } catch {
            if case .remote(let remote) = error, remote.code == .notFound { inodes.remove(path) }
            fuse_reply_err(req, error.errno)
        }
    }

    func getattr(_ req: fuse_req_t?, inode: fuse_ino_t) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let result = try channel.call(.stat(PathParams(path: path)), expecting: StatResult.self)
            var st = attributes.stat(inode: inode, of: result)
            fuse_reply_attr(req, &st, cacheSeconds)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func setattr(_ req: fuse_req_t?, inode: fuse_ino_t, attr: Glibc.stat, toSet: Int32) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            if toSet & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID) != 0 {
                // Ownership on the laptop is not the server's to change.
                throw BridgeCallError.remote(BridgeError(.permissionDenied, "chown is not supported"))
            }
            if toSet & FUSE_SET_ATTR_MODE != 0 {
                let _: EmptyResult = try channel.call(
                    .chmod(ModeParams(path: path, mode: attr.st_mode & 0o7777)), expecting: EmptyResult.self)
            }
            if toSet & FUSE_SET_ATTR_SIZE != 0 {
                let _: EmptyResult = try channel.call(
                    .truncate(TruncateParams(path: path, size: Int64(attr.st_size))), expecting: EmptyResult.self)
            }
            let times = toSet & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)
            if times != 0 {
                let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
                func nanoseconds(_ t: timespec) -> Int64 { Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec) }
                let atime: Int64? =
                    toSet & FUSE_SET_ATTR_ATIME_NOW != 0 ? now : toSet & FUSE_SET_ATTR_ATIME != 0 ? nanoseconds(attr.st_atim) : nil
                let mtime: Int64? =
                    toSet & FUSE_SET_ATTR_MTIME_NOW != 0 ? now : toSet & FUSE_SET_ATTR_MTIME != 0 ? nanoseconds(attr.st_mtim) : nil
                let _: EmptyResult = try channel.call(
                    .utimens(UtimensParams(path: path, atime: atime, mtime: mtime)), expecting: EmptyResult.self)
            }
            let result = try channel.call(.stat(PathParams(path: path)), expecting: StatResult.self)
            var st = attributes.stat(inode: inode, of: result)
            fuse_reply_attr(req, &st, cacheSeconds)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func readlink(_ req: fuse_req_t?, inode: fuse_ino_t) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let result = try channel.call(.readlink(PathParams(path: path)), expecting: ReadlinkResult.self)
            fuse_reply_readlink(req, result.target)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    // MARK: Changing the tree

    func mkdir(_ req: fuse_req_t?, parent: fuse_ino_t, name: String, mode: UInt32) {
        guard let path = childPath(parent, name, req) else { return }
        mutate(req, path, .mkdir(ModeParams(path: path, mode: mode & 0o7777)))
    }

    func symlink(_ req: fuse_req_t?, target: String, parent: fuse_ino_t, name: String) {
        guard let path = childPath(parent, name, req) else { return }
        mutate(req, path, .symlink(SymlinkParams(path: path, target: target)))
    }

    func remove(_ req: fuse_req_t?, parent: fuse_ino_t, name: String) {
        guard let path = childPath(parent, name, req) else { return }
        do throws(BridgeCallError) {
            let _: EmptyResult = try channel.call(.remove(RemoveParams(path: path, recursive: false)), expecting: EmptyResult.self)
            inodes.remove(path)
            fuse_reply_err(req, 0)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func rename(_ req: fuse_req_t?, parent: fuse_ino_t, name: String, newParent: fuse_ino_t, newName: String, flags: UInt32) {
        guard let from = childPath(parent, name, req), let to = childPath(newParent, newName, req) else { return }
        // RENAME_NOREPLACE and RENAME_EXCHANGE have no bridge equivalent (yet).
        guard flags == 0 else {
            fuse_reply_err(req, EINVAL)
            return
        }
        do throws(BridgeCallError) {
            let _: EmptyResult = try channel.call(.rename(RenameParams(from: from, to: to)), expecting: EmptyResult.self)
            inodes.rename(from: from, to: to)
            fuse_reply_err(req, 0)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func create(_ req: fuse_req_t?, parent: fuse_ino_t, name: String, mode: UInt32, fi: UnsafeMutablePointer<fuse_file_info>?) {
        guard let path = childPath(parent, name, req) else { return }
        let flags = fi?.pointee.flags ?? 0
        do throws(BridgeCallError) {
            do throws(BridgeCallError) {
                let _: EmptyResult = try channel.call(
                    .create(ModeParams(path: path, mode: mode & 0o7777)), expecting: EmptyResult.self)
            } catch .remote(let remote) where remote.code == .alreadyExists && flags & O_EXCL == 0 {
                // open(O_CREAT) of a name that appeared since the kernel's lookup: open it.
                if flags & O_TRUNC != 0 {
                    let _: EmptyResult = try channel.call(.truncate(TruncateParams(path: path, size: 0)), expecting: EmptyResult.self)
                }
            }
            var entry = try entryParam(path)
            fi?.pointee.fh = 0
            fuse_reply_create(req, &entry, fi)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    // MARK: File contents

    func open(_ req: fuse_req_t?, inode: fuse_ino_t, fi: UnsafeMutablePointer<fuse_file_info>?) {
        // libfuse asks the kernel for atomic O_TRUNC, so open(O_TRUNC) arrives here (not as
        // a setattr); otherwise no call: the daemon checks each read and write on its own.
        guard let path = path(inode, req) else { return }
        let flags = fi?.pointee.flags ?? 0
        if flags & O_TRUNC != 0 && flags & O_ACCMODE != O_RDONLY {
            do throws(BridgeCallError) {
                let _: EmptyResult = try channel.call(.truncate(TruncateParams(path: path, size: 0)), expecting: EmptyResult.self)
            } catch {
                fuse_reply_err(req, error.errno)
                return
            }
        }
        fi?.pointee.fh = 0
        fuse_reply_open(req, fi)
    }

    func read(_ req: fuse_req_t?, inode: fuse_ino_t, size: Int, offset: Int64) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let length = Int64(min(size, Limits.maxBridgeChunkBytes))
            let result = try channel.call(.read(ReadParams(path: path, offset: offset, length: length)), expecting: ReadResult.self)
            let data = result.data.prefix(size)
            data.withUnsafeBytes { bytes in
                _ = fuse_reply_buf(req, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
            }
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func write(_ req: fuse_req_t?, inode: fuse_ino_t, bytes: UnsafeRawBufferPointer, offset: Int64) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let result = try channel.call(
                .write(WriteParams(path: path, offset: offset, data: Data(bytes))), expecting: WriteResult.self)
            fuse_reply_write(req, max(0, result.written))
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    func fsync(_ req: fuse_req_t?, inode: fuse_ino_t) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let _: EmptyResult = try channel.call(.fsync(PathParams(path: path)), expecting: EmptyResult.self)
            fuse_reply_err(req, 0)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    // MARK: Directories

    func opendir(_ req: fuse_req_t?, inode: fuse_ino_t, fi: UnsafeMutablePointer<fuse_file_info>?) {
        guard let path = path(inode, req) else { return }
        do throws(BridgeCallError) {
            let result = try channel.call(.readdir(PathParams(path: path)), expecting: ReaddirResult.self)
            let handle = nextHandle
            nextHandle += 1
            listings[handle] = result.entries
            fi?.pointee.fh = handle
            fuse_reply_open(req, fi)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    /// What readdir gives for a name not looked up yet (libfuse's FUSE_UNKNOWN_INO, which
    /// only its high-level header defines): the kernel then asks by lookup.
    static let unknownInode: UInt64 = 0xffff_ffff

    /// Offsets are positions in `.`, `..`, then the entries; offset N resumes after the Nth.
    func readdir(_ req: fuse_req_t?, inode: fuse_ino_t, size: Int, offset: Int64, handle: UInt64) {
        guard let entries = listings[handle] else {
            fuse_reply_err(req, EBADF)
            return
        }
        let parentPath = inodes.path(of: inode) ?? ""
        let directoryType: mode_t = S_IFDIR
        var names: [(String, UInt32, UInt64)] = [
            (".", directoryType, inode),
            ("..", directoryType, Self.unknownInode),
        ]
        for entry in entries {
            let known = inodes.existingInode(for: InodeTable.child(of: parentPath, named: entry.name))
            names.append((entry.name, FileAttributes.mode(entry.mode, kind: entry.kind), known ?? Self.unknownInode))
        }
        var buffer = [CChar](repeating: 0, count: size)
        var used = 0
        var index = Int(max(0, offset))
        while index < names.count {
            let (name, mode, ino) = names[index]
            var st = Glibc.stat()
            st.st_ino = UInt(ino)
            st.st_mode = mode
            let needed = buffer.withUnsafeMutableBufferPointer { b in
                fuse_add_direntry(req, b.baseAddress.map { $0 + used }, size - used, name, &st, off_t(index + 1))
            }
            guard needed <= size - used else { break }
            used += needed
            index += 1
        }
        buffer.withUnsafeBufferPointer { b in _ = fuse_reply_buf(req, b.baseAddress, used) }
    }

    func releasedir(_ req: fuse_req_t?, handle: UInt64) {
        listings[handle] = nil
        fuse_reply_err(req, 0)
    }

    func statfs(_ req: fuse_req_t?) {
        // The laptop's free space is not known here; a plausible, constant answer keeps
        // tools that check it (df, some installers) working.
        var st = statvfs()
        st.f_bsize = 4096
        st.f_frsize = 4096
        st.f_blocks = 1 << 24
        st.f_bfree = 1 << 23
        st.f_bavail = 1 << 23
        st.f_files = 1 << 20
        st.f_ffree = 1 << 19
        st.f_favail = 1 << 19
        st.f_namemax = 255
        fuse_reply_statfs(req, &st)
    }

    // MARK: Cache invalidation

    /// What the kernel must drop for `event.path`: its attributes and pages, its name in
    /// the parent directory, and the parent's listing, so an edit made on the laptop is seen
    /// before the cache timeout. Only names the kernel was given can be cached.
    func invalidations(for event: WatchEvent) -> [CacheInvalidator.Notice] {
        let path = event.path
        var notices: [CacheInvalidator.Notice] = []
        if let inode = inodes.existingInode(for: path) { notices.append(.inode(inode)) }
        let components = path.split(separator: "/")
        let parentPath = components.dropLast().joined(separator: "/")
        if let name = components.last.map(String.init), let parent = inodes.existingInode(for: parentPath) {
            notices.append(.entry(parent: parent, name: name))
            notices.append(.inode(parent))
        }
        return notices
    }

    // MARK: Helpers

    /// A change whose answer is the new entry (mkdir, symlink).
    private func mutate(_ req: fuse_req_t?, _ path: String, _ request: BridgeRequest) {
        do throws(BridgeCallError) {
            let _: EmptyResult = try channel.call(request, expecting: EmptyResult.self)
            var entry = try entryParam(path)
            fuse_reply_entry(req, &entry)
        } catch {
            fuse_reply_err(req, error.errno)
        }
    }

    private func entryParam(_ path: String) throws(BridgeCallError) -> fuse_entry_param {
        let result = try channel.call(.stat(PathParams(path: path)), expecting: StatResult.self)
        let inode = inodes.inode(for: path)
        var entry = fuse_entry_param()
        entry.ino = inode
        entry.generation = 1
        entry.attr = attributes.stat(inode: inode, of: result)
        entry.attr_timeout = cacheSeconds
        entry.entry_timeout = cacheSeconds
        return entry
    }

    /// The path of `inode`, or nil after answering ESTALE (a number this table dropped).
    private func path(_ inode: fuse_ino_t, _ req: fuse_req_t?) -> String? {
        guard let path = inodes.path(of: inode) else {
            fuse_reply_err(req, ESTALE)
            return nil
        }
        return path
    }

    private func childPath(_ parent: fuse_ino_t, _ name: String, _ req: fuse_req_t?) -> String? {
        guard let parentPath = path(parent, req) else { return nil }
        return InodeTable.child(of: parentPath, named: name)
    }
}
