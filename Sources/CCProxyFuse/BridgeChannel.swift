// Runs in: ccproxy-fuse (the FUSE helper). Needs no privilege: it only reads and writes
// the socket the supervisor handed over (or, in tests, one it connected to).
import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyPosix
import Foundation

/// The helper's end of the channel to a bridge worker: sends one typed bridge request at a
/// time and waits for the response with the same id, within a deadline.
///
/// Calls are serial (the helper's FUSE loop is single-threaded), so a response whose id is
/// not the one awaited is a late answer to a request that already timed out: it is dropped.
/// `watch` events are kept for `takeEvents()` (the loop invalidates the kernel's caches
/// with them, outside any request); other events are dropped. A peer that closes, resets, or breaks
/// the framing makes the channel dead: every later call fails at once with
/// `.channelClosed`, and the FUSE loop ends (and unmounts) when it sees `isOpen` false.
public final class BridgeChannel {
    public let fd: Int32
    private let timeoutSeconds: Double
    private var decoder = ChannelFrameDecoder()
    /// Frames already reassembled but not yet looked at.
    private var queued: [Data] = []
    private var nextID: UInt64 = 1
    private var events: [WatchEvent] = []
    public private(set) var isOpen = true
    /// The thread whose FUSE operation the current call serves (the loop sets it per
    /// request): while it waits, the call gives up as soon as that thread is being killed
    /// (`PendingSignals`), so that a stopped turn's claude never waits for the laptop.
    public var caller: Int32 = 0
    /// How often a waiting call looks at its caller.
    static let callerCheckMilliseconds: Int32 = 100

    /// Adopts `fd`, a connected SOCK_STREAM socket, in blocking mode.
    public init(fd: Int32, timeoutSeconds: Double = Limits.bridgeOperationTimeoutSeconds) throws(PosixError) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
        // A peer that stops reading must not block a write past the operation timeout.
        try UnixStreamSocket.setSendTimeout(fd, seconds: timeoutSeconds)
    }

    /// Sends `request` and returns its result decoded as `R`.
    public func call<R: Decodable>(_ request: BridgeRequest, expecting: R.Type) throws(BridgeCallError) -> R {
        guard isOpen else { throw .channelClosed }
        let id = nextID
        nextID += 1
        let deadline = MonotonicClock.seconds() + timeoutSeconds
        let bytes: [UInt8]
        do throws(ChannelFrameError) {
            bytes = try ChannelFrame.encode(request.encoded(id: id))
        } catch {
            // Only a write of more than the frame limit gets here; the kernel never asks.
            throw .remote(BridgeError(.tooLarge, error.description))
        }
        do throws(PosixError) {
            try UnixStreamSocket.sendAll(fd, bytes)
        } catch {
            close()
            throw error.errno == EAGAIN ? .timedOut : .channelClosed
        }
        while true {
            while !queued.isEmpty {
                let frame = queued.removeFirst()
                let head: BridgeFrameHead
                do throws(BridgeFrameError) {
                    head = try BridgeCodec.head(of: frame)
                } catch {
                    close()
                    throw .protocolViolation(error.description)
                }
                if case .event(let name) = head { keep(event: name, of: frame) }
                guard case .response(let answered, let failure) = head, answered == id else { continue }
                if let failure { throw .remote(failure) }
                do throws(BridgeFrameError) {
                    return try BridgeCodec.result(R.self, of: frame)
                } catch {
                    close()
                    throw .protocolViolation(error.description)
                }
            }
            let remaining = deadline - MonotonicClock.seconds()
            guard remaining > 0 else { throw .timedOut }
            if caller > 0, PendingSignals.isBeingKilled(caller) { throw .callerKilled }
            let wait = Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up))
            try receive(waitingMilliseconds: caller > 0 ? min(wait, Self.callerCheckMilliseconds) : wait)
        }
    }

    /// Reads what the peer sent while no call was waiting (a late response, an event, or
    /// the end of the stream); the FUSE loop calls it when the socket polls readable.
    public func drainIdle() {
        do {
            try receive(waitingMilliseconds: 0)
        } catch {
            return
        }
        // Nothing is awaited: whatever arrived is a late answer (dropped) or an event.
        for frame in queued {
            if case .event(let name)? = try? BridgeCodec.head(of: frame) { keep(event: name, of: frame) }
        }
        queued.removeAll()
    }

    /// The `watch` events received since the last call, oldest first.
    public func takeEvents() -> [WatchEvent] {
        defer { events.removeAll() }
        return events
    }

    private func keep(event name: String, of frame: Data) {
        // A malformed event is not worth the connection: the caches expire on their own.
        if case .watch(let watch)? = try? BridgeCodec.event(named: name, of: frame) { events.append(watch) }
    }

    /// Closes the socket; later calls fail with `.channelClosed`.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        closeDescriptor(fd)
    }

    /// Waits up to `waitingMilliseconds` for the socket to be readable, then reads once.
    private func receive(waitingMilliseconds: Int32) throws(BridgeCallError) {
        let ready: [Poller.Readiness]
        do throws(PosixError) {
            ready = try Poller().wait(on: [Poller.Interest(fd: fd, peerClose: true)], timeoutMilliseconds: waitingMilliseconds)
        } catch {
            close()
            throw .channelClosed
        }
        guard !ready.isEmpty else { return }  // timeout or EINTR: the caller looks at its deadline
        let got: NonBlockingRead
        do throws(PosixError) {
            got = try NonBlockingRead.read(fd, maxBytes: 64 * 1024)
        } catch {
            close()
            throw .channelClosed
        }
        switch got {
        case .bytes(let bytes):
            do throws(ChannelFrameError) {
                queued.append(contentsOf: try decoder.feed(bytes))
            } catch {
                close()
                throw .protocolViolation(error.description)
            }
        case .wouldBlock:
            return
        case .endOfFile:
            close()
            throw .channelClosed
        }
    }
}
