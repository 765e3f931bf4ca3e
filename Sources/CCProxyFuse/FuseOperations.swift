// Runs in: ccproxy-fuse (the FUSE helper).
import CCPFuse3
import Glibc

/// The lowlevel operations table handed to libfuse: C function pointers that find the
/// `FuseFileSystem` in the session's userdata and forward to it.
///
/// An operation left nil is answered ENOSYS by libfuse (hard links, xattrs, locks); the
/// ones the kernel sends for every file (flush, release) are answered here without a call.
enum FuseOperations {
    static func table() -> fuse_lowlevel_ops {
        var ops = fuse_lowlevel_ops()
        ops.lookup = { req, parent, name in
            guard let fs = bridgeFilesystem(req), let name else { return failRequest(req) }
            fs.lookup(req, parent: parent, name: String(cString: name))
        }
        ops.forget = { req, _, _ in
            // Numbers are kept until their path is removed or renamed (see InodeTable).
            fuse_reply_none(req)
        }
        ops.getattr = { req, inode, _ in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.getattr(req, inode: inode)
        }
        ops.setattr = { req, inode, attr, toSet, _ in
            guard let fs = bridgeFilesystem(req), let attr else { return failRequest(req) }
            fs.setattr(req, inode: inode, attr: attr.pointee, toSet: toSet)
        }
        ops.readlink = { req, inode in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.readlink(req, inode: inode)
        }
        ops.mkdir = { req, parent, name, mode in
            guard let fs = bridgeFilesystem(req), let name else { return failRequest(req) }
            fs.mkdir(req, parent: parent, name: String(cString: name), mode: mode)
        }
        ops.unlink = { req, parent, name in
            guard let fs = bridgeFilesystem(req), let name else { return failRequest(req) }
            fs.remove(req, parent: parent, name: String(cString: name))
        }
        ops.rmdir = { req, parent, name in
            guard let fs = bridgeFilesystem(req), let name else { return failRequest(req) }
            fs.remove(req, parent: parent, name: String(cString: name))
        }
        ops.symlink = { req, target, parent, name in
            guard let fs = bridgeFilesystem(req), let target, let name else { return failRequest(req) }
            fs.symlink(req, target: String(cString: target), parent: parent, name: String(cString: name))
        }
        ops.rename = { req, parent, name, newParent, newName, flags in
            guard let fs = bridgeFilesystem(req), let name, let newName else { return failRequest(req) }
            fs.rename(
                req, parent: parent, name: String(cString: name), newParent: newParent,
                newName: String(cString: newName), flags: flags)
        }
        ops.open = { req, inode, fi in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.open(req, inode: inode, fi: fi)
        }
        ops.read = { req, inode, size, offset, _ in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.read(req, inode: inode, size: size, offset: Int64(offset))
        }
        ops.write = { req, inode, buf, size, offset, _ in
            guard let fs = bridgeFilesystem(req), let buf else { return failRequest(req) }
            fs.write(req, inode: inode, bytes: UnsafeRawBufferPointer(start: buf, count: size), offset: Int64(offset))
        }
        ops.flush = { req, _, _ in fuse_reply_err(req, 0) }
        ops.release = { req, _, _ in fuse_reply_err(req, 0) }
        ops.fsync = { req, inode, _, _ in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.fsync(req, inode: inode)
        }
        ops.opendir = { req, inode, fi in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.opendir(req, inode: inode, fi: fi)
        }
        ops.readdir = { req, inode, size, offset, fi in
            guard let fs = bridgeFilesystem(req), let fi else { return failRequest(req) }
            fs.readdir(req, inode: inode, size: size, offset: Int64(offset), handle: fi.pointee.fh)
        }
        ops.releasedir = { req, _, fi in
            guard let fs = bridgeFilesystem(req), let fi else { return failRequest(req) }
            fs.releasedir(req, handle: fi.pointee.fh)
        }
        ops.fsyncdir = { req, _, _, _ in fuse_reply_err(req, 0) }
        ops.statfs = { req, _ in
            guard let fs = bridgeFilesystem(req) else { return failRequest(req) }
            fs.statfs(req)
        }
        ops.create = { req, parent, name, mode, fi in
            guard let fs = bridgeFilesystem(req), let name else { return failRequest(req) }
            fs.create(req, parent: parent, name: String(cString: name), mode: mode, fi: fi)
        }
        return ops
    }
}

/// The filesystem the session was created with (its userdata, retained by the mount).
private func bridgeFilesystem(_ req: fuse_req_t?) -> FuseFileSystem? {
    guard let userdata = fuse_req_userdata(req) else { return nil }
    let filesystem = Unmanaged<FuseFileSystem>.fromOpaque(userdata).takeUnretainedValue()
    // Requests are served one at a time: the bridge calls made for this one watch its caller.
    filesystem.channel.caller = fuse_req_ctx(req).map { Int32($0.pointee.pid) } ?? 0
    return filesystem
}

private func failRequest(_ req: fuse_req_t?) {
    fuse_reply_err(req, EIO)
}
