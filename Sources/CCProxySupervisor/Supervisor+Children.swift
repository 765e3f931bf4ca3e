// Runs in: the supervisor (`ccproxy serve`).
// Spawning and reaping children. Every exit is classified (`ChildExit`), logged once with
// the child's role, and fed to the pool state machine.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    func spawn(slot: UInt32, generation: UInt32) {
        guard let settingsFD = settingsSnapshots[generation] else {
            logger.error("no settings snapshot for a worker's generation, will retry", metadata: ["generation": "\(generation)"])
            perform(pool.spawnFailed(slot: slot, now: now()))
            return
        }
        let launcher = WorkerLauncher(executable: configuration.workerExecutable, settingsFD: settingsFD)
        do {
            let (pid, channel) = try launcher.launch(slot: slot)
            try setNonBlocking(channel.fd, true)
            children.add(Child(pid: pid, assignment: .poolWorker(slot: slot, generation: generation), channel: channel))
            pool.workerSpawned(slot: slot, pid: pid)
        } catch {
            logger.error("could not start a worker, will retry", metadata: ["slot": "\(slot)", "error": "\(error)"])
            perform(pool.spawnFailed(slot: slot, now: now()))
        }
    }

    func reapChildren() {
        while let (pid, status) = ChildReaper.reapOne() {
            let exit = ChildExit(status)
            guard let child = children.remove(pid: pid) else {
                logger.debug("untracked child exited", metadata: ["pid": "\(pid)", "status": "\(exit)"])
                continue
            }
            child.channel?.close()
            if case .poolWorker(let slot, _) = child.assignment {
                let released = ledger.slotVacated(slot: slot)
                // The worker died with a claude turn running: stop the whole group (the
                // ledger accepted only groups > 1, so this never signals init or ourselves).
                if let group = released.processGroup {
                    _ = kill(-group, SIGKILL)
                    metrics.claudeExited()
                }
                sessionWorkEnded(released)
            }
            var metadata: Logger.Metadata = ["pid": "\(pid)", "status": "\(exit)", "role": "\(child.assignment.role)"]
            switch child.assignment {
            case .poolWorker(let slot, let generation):
                metadata["slot"] = "\(slot)"
                metadata["generation"] = "\(generation)"
                let (lost, actions) = pool.workerExited(pid: pid, exit: exit, now: now())
                if let lost {
                    metadata["connection"] = "\(lost)"
                    held.removeValue(forKey: lost)
                }
                if exit.isCrash {
                    logger.error(lost == nil ? "worker crashed" : "worker crashed while serving a connection", metadata: metadata)
                } else if exit.isFatalConfiguration {
                    logger.critical("worker exited with a fatal configuration error", metadata: metadata)
                } else {
                    logger.debug("worker exited", metadata: metadata)
                }
                perform(actions)
            case .bridgeWorker:
                bridgeWorkerExited(pid: pid, exit: exit, metadata: metadata)
            case .fuseHelper:
                fuseManagerExited(exit: exit, metadata: metadata)
            }
        }
    }
}
