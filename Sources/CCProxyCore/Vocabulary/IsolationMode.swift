/// How a turn's `claude` is kept away from the server and from other tenants (`isolation`).
///
/// `namespaces` (the default) runs every turn in a bubblewrap sandbox: its own user, mount and
/// PID namespaces, no capabilities, the state directory and the server's processes out of
/// sight, only its workspace, its own `/tmp` and its owner's claude home writable. `none` runs
/// claude unconfined, as the service user; the server only starts without a working sandbox
/// when the operator chose `none` explicitly.
public enum IsolationMode: String, Sendable, Codable, CaseIterable {
    case namespaces
    case none
}
