// TEMPORARY until the planner branch lands.
import CCProxyCore
extension ProxySettings {
    var streamKeepaliveSeconds: Double { 15 }
    var corsOrigins: [String] { [] }
    var remoteImages: Bool { false }
}
