// Runs in: the supervisor (`ccproxy serve`).
// Prometheus metrics: the `metrics_listen` socket, workers' request reports, and scrapes.
// A scrape connection is accepted and queued like any client connection, then handed to an
// idle worker together with the exposition rendered at that moment; the worker reads the
// HTTP request and answers it (the supervisor still reads no client byte, invariant 2).

import CCProxyCore
import CCProxyPosix
import CCProxySystemd
import CCProxyWire
import Logging

extension Supervisor {
    /// Takes the systemd socket named `metrics`, else binds `metrics_listen` if configured.
    func setUpMetricsListener(listened: ListenedSockets) throws {
        if let inherited = listened.metricsListener {
            metricsFD = inherited
            try setNonBlocking(metricsFD, true)
            logger.info("metrics on the systemd socket \"metrics\"", metadata: ["port": "\(TCPListener.localPort(inherited).map(String.init) ?? "?")"])
        } else if let host = configuration.metricsHost {
            metricsFD = try TCPListener.bind(host: host, port: configuration.metricsPort)
            let port = TCPListener.localPort(metricsFD) ?? configuration.metricsPort
            logger.info("metrics listening", metadata: ["address": "\(host.isEmpty ? "*" : host):\(port)"])
        } else {
            return
        }
        do {
            try TCPListener.deferAccept(metricsFD, seconds: Int32(Limits.requestReadTimeoutSeconds))
        } catch {
            logger.debug("could not set TCP_DEFER_ACCEPT on the metrics socket, ignoring", metadata: ["error": "\(error)"])
        }
    }

    /// A worker answered a request: counted under the name of the token the ledger granted
    /// for the id it names (never a name the worker sends), `anonymous` without one.
    func requestObserved(_ observation: RequestObservation, slot: UInt32) {
        let tokenName = observation.tokenID.isEmpty ? nil : ledger.entries[slot]?.grants[observation.tokenID]?.name
        metrics.record(observation, tokenName: tokenName)
    }

    /// The exposition as of now: the aggregate plus the pool's own figures.
    func renderMetrics() -> String {
        var figures = PoolFigures()
        for slot in pool.slots.values { figures.workersByState[slot.stateName, default: 0] += 1 }
        figures.queued = pool.queue.count
        figures.keepAliveConnections = pool.keepAliveCount
        figures.activeClaudes = ledger.entries.values.filter { $0.processGroup != nil }.count
        figures.activeSessions = ledger.sessions.heldKeys.count
        figures.counters = pool.counters
        figures.bridges = bridges.count
        return MetricsExposition.render(metrics, pool: figures)
    }

    /// Sends the exposition in `metricsPart` frames, then the scrape connection itself.
    func handOffScrape(_ id: UInt64, descriptor: consuming OwnedDescriptor, to channel: SeqPacketChannel, slot: UInt32) {
        var exposition = Array(renderMetrics().utf8)
        if exposition.count > Limits.maxMetricsExpositionBytes {
            logger.warning("metrics exposition too large, truncated", metadata: ["bytes": "\(exposition.count)"])
            exposition = Array(exposition.prefix(Limits.maxMetricsExpositionBytes))
        }
        do {
            var offset = 0
            while offset < exposition.count {
                let end = min(exposition.count, offset + Limits.metricsPartBytes)
                try channel.send(SupervisorMessage.metricsPart(Array(exposition[offset..<end])).encode())
                offset = end
            }
            try channel.send(SupervisorMessage.metricsScrape(connectionID: id).encode(), passing: descriptor)
        } catch {
            logger.warning("could not hand a scrape to a worker, it is lost", metadata: ["slot": "\(slot)", "error": "\(error)"])
        }
    }
}
