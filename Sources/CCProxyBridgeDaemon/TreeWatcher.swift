// Runs in: ccproxy-bridge (the laptop-side daemon), on its own watcher thread.
import CCProxyBridgeProtocol
import CCProxyPosix
import Foundation
import Logging

/// `--watch`: inotify on every directory under the root, so that the server can drop what
/// it cached when the user edits in an editor on the laptop.
///
/// Directories are watched as they appear (a new directory's existing contents are
/// reported `created`, since they may have been made before its watch was in place).
/// Links are not followed, and denied names are neither watched nor reported (the
/// reference reported them, which leaked their names). Events of one read are coalesced:
/// one event per path and kind.
final class TreeWatcher: @unchecked Sendable {
    private let root: String
    private let policy: @Sendable () -> BridgePathPolicy
    private let emit: @Sendable (WatchEvent) -> Void
    private let logger: Logger
    private let inotify: Inotify
    /// Watch descriptor → directory, relative to the root ("" = the root).
    private var directories: [Int32: String] = [:]

    init(root: String, policy: @escaping @Sendable () -> BridgePathPolicy, logger: Logger, emit: @escaping @Sendable (WatchEvent) -> Void) throws(PosixError) {
        self.root = root
        self.policy = policy
        self.emit = emit
        self.logger = logger
        inotify = try Inotify()
    }

    /// Watches the tree and starts the thread that reports changes.
    func start() {
        _ = addTree("", policy: policy())
        logger.info("watching", metadata: ["directories": "\(directories.count)"])
        let thread = Thread { [self] in loop() }
        thread.name = "bridge-watch"
        thread.start()
    }

    private func loop() {
        while true {
            let events: [Inotify.Event]
            do {
                events = try inotify.read()
            } catch {
                logger.error("watch stopped", metadata: ["error": "\(error)"])
                return
            }
            let policy = policy()
            var seen = Set<String>()
            var out: [WatchEvent] = []
            func report(_ path: String, _ kind: WatchKind) {
                if seen.insert("\(kind.rawValue) \(path)").inserted { out.append(WatchEvent(path: path, kind: kind)) }
            }
            for event in events {
                if event.overflowed {
                    logger.warning("watch queue overflowed; some changes were not reported")
                    continue
                }
                guard let dir = directories[event.watch] else { continue }
                if event.watchGone {
                    directories[event.watch] = nil
                    continue
                }
                guard !event.name.isEmpty else { continue }
                let path = dir.isEmpty ? event.name : "\(dir)/\(event.name)"
                guard !policy.denies(components: path.split(separator: "/").map(String.init)) else { continue }
                if event.removed {
                    report(path, .removed)
                    // A directory moved away keeps its watches under its old name: drop them
                    // (if it was moved within the root, its new name is watched afresh).
                    if event.isDirectory { forget(path) }
                } else if event.created {
                    report(path, .created)
                    if event.isDirectory {
                        for inner in addTree(path, policy: policy) { report(inner, .created) }
                    }
                } else if event.modified {
                    report(path, .modified)
                }
            }
            for e in out {
                logger.debug("watch", metadata: ["path": "\(e.path)", "kind": "\(e.kind.rawValue)"])
                emit(e)
            }
        }
    }

    /// Stops watching `relative` and everything under it.
    private func forget(_ relative: String) {
        for (wd, dir) in directories where dir == relative || dir.hasPrefix(relative + "/") {
            inotify.removeWatch(wd)
            directories[wd] = nil
        }
    }

    /// Watches `relative` and the directories under it; returns the paths found under it.
    private func addTree(_ relative: String, policy: BridgePathPolicy) -> [String] {
        let absolute = relative.isEmpty ? root : "\(root)/\(relative)"
        do {
            let wd = try inotify.watchDirectory(absolute)
            directories[wd] = relative
        } catch {
            logger.warning("cannot watch", metadata: ["path": "\(relative)", "error": "\(error)"])
            return []
        }
        var found: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []
        for name in names.sorted() where !policy.denies(name: name) {
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            found.append(path)
            // attributesOfItem does not follow a link: a link to a directory is not walked.
            let type = (try? FileManager.default.attributesOfItem(atPath: "\(absolute)/\(name)"))?[.type] as? FileAttributeType
            if type == .typeDirectory { found += addTree(path, policy: policy) }
        }
        return found
    }
}
