import Testing
@testable import CCProxyBridgeDaemon
