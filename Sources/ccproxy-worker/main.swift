// ccproxy-worker: one worker process of the ccproxy pool. Started only by `ccproxy serve`,
// with its channel at fd 3 and its settings at fd 4; it is not meant to be run by hand.

import CCProxyPosix
import CCProxySystemd
import CCProxyWire
import CCProxyWorker
import Dispatch
import Foundation
import Logging

if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") {
    print(
        """
        USAGE: ccproxy-worker --slot <n>

        A worker process of ccproxy. The supervisor (`ccproxy serve`) starts it with a
        SOCK_SEQPACKET channel at fd 3 and a settings snapshot at fd 4; it serves the client
        connections the supervisor hands it. It is not meant to be started by hand.
        """)
    exit(0)
}

LogSetup.bootstrap(identifier: "ccproxy-worker", environment: ProcessInfo.processInfo.environment)
var logger = Logger(label: "ccproxy-worker")
logger[metadataKey: "pid"] = "\(getpid())"

// The supervisor coordinates shutdown; Ctrl-C in a terminal is its business, not ours.
signal(SIGINT, SIG_IGN)
// SIGTERM (drain escalation, or the supervisor's death via PR_SET_PDEATHSIG): stop any
// running claude group, then exit.
signal(SIGTERM, SIG_IGN)
let terminationSource = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
terminationSource.setEventHandler {
    TurnRegistryBridge.stopAll()
    exit(WorkerExit.finished.rawValue)
}
terminationSource.resume()

let code = await Worker(logger: logger).run()
TurnRegistryBridge.stopAll()
exit(code.rawValue)
