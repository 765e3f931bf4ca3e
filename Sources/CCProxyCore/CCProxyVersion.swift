/// The server's version: `ccproxy --version`, and what a bridge's `hello` names
/// (`ccproxy/<version>`).
public enum CCProxyVersion {
    public static let string = "0.1.0"
}
