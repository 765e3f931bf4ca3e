// ccproxy-worker: one worker process of the ccproxy pool. Started only by `ccproxy serve`,
// with its channel at fd 3 and its settings at fd 4; it is not meant to be run by hand.
// `ccproxy-worker mcp-functions <file>` is the function server instead: started by claude
// inside a turn's sandbox (the worker names it in the turn's `--mcp-config`), it serves the
// client's functions as MCP tools on stdin/stdout; `ccproxy-worker mcp-bridge-exec <socket>`
// is the exec tool of a turn on a bridge, likewise.

import CCProxyPosix
import CCProxySystemd
import CCProxyWire
import CCProxyWorker
import Dispatch
import Foundation
import Logging

if (3...4).contains(CommandLine.arguments.count), CommandLine.arguments[1] == "mcp-functions" {
    // Before any logging or signal setup: stdout is the protocol channel.
    let socket = CommandLine.arguments.count == 4 ? CommandLine.arguments[3] : nil
    exit(FunctionServer.run(file: CommandLine.arguments[2], socket: socket).rawValue)
}
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "mcp-bridge-exec" {
    exit(BridgeExecServer.run(socket: CommandLine.arguments[2]).rawValue)
}

if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") {
    print(
        """
        USAGE: ccproxy-worker --slot <n>
               ccproxy-worker mcp-functions <file> [<socket>]
               ccproxy-worker mcp-bridge-exec <socket>

        A worker process of ccproxy. The supervisor (`ccproxy serve`) starts it with a
        SOCK_SEQPACKET channel at fd 3 and a settings snapshot at fd 4; it serves the client
        connections the supervisor hands it. It is not meant to be started by hand.
        With `mcp-functions`, it is the stdio MCP server of a turn's client functions,
        started by claude; a call is answered with the client's result through the turn's
        function-call <socket>. With `mcp-bridge-exec`, it is the stdio MCP server of the exec
        tool of a turn on a bridge (commands run on the laptop through the bridge worker's
        socket), started by claude.
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
