// ccproxy: the supervisor (`ccproxy serve`) and the administrative commands.

import ArgumentParser
import CCProxySystemd

// Socket activation state is taken before anything else runs (and before any thread
// exists): the LISTEN_* variables are unset here so no child ever sees them.
CCProxyCommand.listenedSockets = ListenedSockets.take()
CCProxyCommand.main()
