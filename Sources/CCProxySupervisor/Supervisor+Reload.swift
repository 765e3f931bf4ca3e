// Runs in: the supervisor (`ccproxy serve`).
// Reload (SIGHUP, `ccproxyctl reload`): the configuration is read and validated first; a bad
// file is refused with every problem logged and the running configuration kept. A good one
// becomes a new settings generation: new workers get it, idle ones are replaced, busy ones
// finish their turn first (nginx's reconfigure).

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Logging

extension Supervisor {
    /// Reloads the configuration. Returns what happened, for `ccproxyctl reload`.
    func reload(origin: String) -> ReloadReport {
        switch pool.lifecycle {
        case .draining, .stopped:
            return ReloadReport(accepted: false, generation: pool.generation, problems: ["the server is shutting down"])
        case .starting, .running:
            break
        }
        notifier.reloading(monotonicMicroseconds: MonotonicClock.microseconds(), status: "reloading configuration")
        logger.notice("reloading configuration", metadata: ["origin": "\(origin)"])
        guard let reloader = configuration.reloader else {
            notifier.ready(status: statusLine())
            return refuseReload(["this server was started without a configuration file to reload"])
        }
        let loaded: ReloadedConfiguration
        switch reloader() {
        case .failure(let refusal):
            notifier.ready(status: statusLine())
            return refuseReload(refusal.problems)
        case .success(let configuration):
            loaded = configuration
        }
        let snapshot: Int32
        do {
            snapshot = try Self.sealSnapshot(loaded.settings)
        } catch {
            notifier.ready(status: statusLine())
            return refuseReload(["could not write the settings snapshot: \(error)"])
        }
        for note in loaded.notes {
            logger.warning("configuration change needs a restart, ignoring it for now", metadata: ["change": "\(note)"])
        }
        configuration.settings = loaded.settings
        configuration.policy = loaded.policy
        // The snapshot is in place before the machine asks for the new generation's spawns.
        settingsSnapshots[pool.generation + 1] = snapshot
        perform(pool.reloadRequested(policy: loaded.policy, now: now()))
        logger.notice("configuration reloaded", metadata: ["generation": "\(pool.generation)"])
        return ReloadReport(accepted: true, generation: pool.generation, problems: loaded.notes)
    }

    private func refuseReload(_ problems: [String]) -> ReloadReport {
        for problem in problems {
            logger.error("reload refused, keeping the running configuration", metadata: ["problem": "\(problem)"])
        }
        return ReloadReport(accepted: false, generation: pool.generation, problems: problems)
    }
}
