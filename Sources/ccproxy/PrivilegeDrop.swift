// Runs in: the supervisor (`ccproxy serve`), at start, before the database is opened.

import CCProxyConfig
import CCProxyPosix
import Foundation
import Logging

/// Started as root, the server becomes its service user (config `user`, default `ccproxy`)
/// before it opens the database or starts a worker, so that neither workers nor claude ever
/// run as root (the OpenSSH/Postfix pattern; DESIGN.md, "Privileges"). The configuration has
/// been read by then (it may be root's to read); the state directory, and whatever root
/// created in it (a `ccproxy token create` before the first start), is given to that user.
/// Started as anyone else, nothing changes.
enum PrivilegeDrop {
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// Drops root if this process has it; returns the user it became, or nil if it was not root.
    /// - Throws: `Refusal` when the service user does not exist or the switch fails.
    /// - Parameter beforeDrop: run as root, once the service user is known and owns the
    ///   state directory, just before the switch (the FUSE manager is started there).
    static func dropIfRoot(
        _ configuration: Configuration, logger: Logger, beforeDrop: (ServiceUser) -> Void = { _ in }
    ) throws(Refusal) -> ServiceUser? {
        guard ServiceUser.isRoot else { return nil }
        let name = configuration.serviceUser
        let found: ServiceUser?
        do {
            found = try ServiceUser.lookup(name)
        } catch {
            throw Refusal(description: "cannot look up the service user \(name): \(error)")
        }
        guard let user = found else {
            throw Refusal(description: """
                started as root, but the service user "\(name)" (config `user`) does not exist; \
                claude never runs as root. Create it with `systemd-sysusers systemd/ccproxy.sysusers` \
                (installed as /etc/sysusers.d/ccproxy.conf), or `useradd --system --no-create-home \
                --shell /usr/sbin/nologin \(name)`; `make run` as root creates it
                """)
        }
        guard user.uid != 0 else {
            throw Refusal(description: "the service user \"\(name)\" has uid 0; claude never runs as root")
        }

        do {
            try ensureStateDirectory(configuration.stateDirectory)
            try user.own(tree: configuration.stateDirectory)
        } catch {
            throw Refusal(description: "cannot give the state directory \(configuration.stateDirectory) to \(name): \(error)")
        }
        // ---- Still root. The FUSE manager of the bridge is started here, before the drop:
        // ---- it is the only part that keeps what mounting needs.
        beforeDrop(user)
        do {
            try user.become()
        } catch {
            throw Refusal(description: "cannot switch to the service user \(name): \(error)")
        }
        // The environment now describes the service user: claude's operator configuration
        // (`~/.claude`) is the service user's, never root's.
        setenv("HOME", user.home, 1)
        setenv("USER", user.name, 1)
        setenv("LOGNAME", user.name, 1)
        logger.info("dropped root", metadata: ["user": "\(name)", "uid": "\(user.uid)", "gid": "\(user.gid)"])
        return user
    }
}
