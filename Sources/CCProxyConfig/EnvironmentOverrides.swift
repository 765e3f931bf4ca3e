/// The environment variables that override the file: `CCPROXY_STATE`, `CCPROXY_LISTEN` and
/// `CCPROXY_METRICS_LISTEN`. An empty variable counts as unset. `claude_binary` deliberately has
/// no variable: which program the server executes is decided by the file alone.
enum EnvironmentOverrides {
    static let stateVariable = "CCPROXY_STATE"
    static let listenVariable = "CCPROXY_LISTEN"
    static let metricsListenVariable = "CCPROXY_METRICS_LISTEN"

    /// Applies the overrides to `configuration` and returns the problems found (invalid
    /// addresses, named by variable). A relative `CCPROXY_STATE` is resolved against
    /// `currentDirectory`.
    static func apply(
        _ environment: [String: String], currentDirectory: String, to configuration: inout Configuration
    ) -> [String] {
        var problems: [String] = []
        if let state = value(stateVariable, in: environment) {
            configuration.stateDirectory = PathResolution.absolute(state, relativeTo: currentDirectory)
        }
        if let text = value(listenVariable, in: environment) {
            switch ListenAddress.validated(text) {
            case .success(let address): configuration.listen = address
            case .failure(let reason): problems.append("\(listenVariable) \(quoted(text)): \(reason.text)")
            }
        }
        if let text = value(metricsListenVariable, in: environment) {
            switch ListenAddress.validated(text) {
            case .success(let address): configuration.metricsListen = address
            case .failure(let reason): problems.append("\(metricsListenVariable) \(quoted(text)): \(reason.text)")
            }
        }
        return problems
    }

    /// The variable's value, or nil when it is unset or empty.
    static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
