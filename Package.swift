// swift-tools-version:6.1
//
// ccproxy: the Claude Code CLI behind an OpenAI-compatible HTTP API.
//
// The folder layout is the architecture (see README.md, "Architecture"):
//   CCP*               C system libraries and the small C shim (no Swift, no logic)
//   CCProxyCore        pure values shared by every process (OpenAI types, settings, limits, errors)
//   CCProxyConfig      YAML → validated configuration           (supervisor and `ccproxy` CLI)
//   CCProxyWire        the typed inter-process vocabulary        (every process; no I/O)
//   CCProxyPosix       fd passing, spawning, reaping             (every process)
//   CCProxySystemd     sd_listen_fds, sd_notify                  (supervisor)
//   CCProxyStore       the only SQLite code                      (supervisor and `ccproxy token`)
//   CCProxyAuth        bearer tokens, argon2id                   (supervisor and `ccproxy token`)
//   CCProxyClaude      one claude turn: argv, stream-json → OpenAI chunks (worker)
//   CCProxySupervisor  the pre-forking supervisor                (`ccproxy serve`)
//   CCProxyWorker      the HTTP worker                           (`ccproxy-worker`)
//   CCProxyBridgeProtocol  the bridge's frames and path policy   (daemon and server; no I/O)
//   CCProxyBridgeDaemon    the laptop-side daemon                (`ccproxy-bridge`)
//   CCProxyFuse            the privileged FUSE helper            (`ccproxy-fuse`; the only libfuse3 user)
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ccproxy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ccproxy", targets: ["ccproxy"]),
        .executable(name: "ccproxy-worker", targets: ["ccproxy-worker"]),
        .executable(name: "ccproxyctl", targets: ["ccproxyctl"]),
        .executable(name: "ccproxy-bridge", targets: ["ccproxy-bridge"]),
        .executable(name: "ccproxy-fuse", targets: ["ccproxy-fuse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C system libraries (pkg-config names as on Debian).
        .systemLibrary(name: "CCPSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCPArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CCPFuse3", pkgConfig: "fuse3", providers: [.apt(["libfuse3-dev"])]),
        .systemLibrary(name: "CCPSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // What Swift cannot call: cmsg macros, fork-to-exec, prctl, accept4, memfd.
        .target(name: "CCPLinux"),

        .target(name: "CCProxyCore", swiftSettings: swiftSettings),
        .target(
            name: "CCProxyConfig",
            dependencies: ["CCProxyCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        .target(name: "CCProxyWire", dependencies: ["CCProxyCore"], swiftSettings: swiftSettings),
        .target(name: "CCProxyPosix", dependencies: ["CCPLinux"], swiftSettings: swiftSettings),
        .target(
            name: "CCProxySystemd",
            dependencies: ["CCPSystemd", "CCProxyPosix", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(name: "CCProxyStore", dependencies: ["CCPSQLite3", "CCProxyCore"], swiftSettings: swiftSettings),
        .target(
            name: "CCProxyAuth",
            dependencies: ["CCPArgon2", "CCProxyCore", "CCProxyStore", "CCProxyPosix"],
            swiftSettings: swiftSettings),
        .target(
            name: "CCProxyClaude",
            dependencies: ["CCProxyCore", "CCProxyPosix"],
            swiftSettings: swiftSettings),
        .target(
            name: "CCProxySupervisor",
            dependencies: [
                "CCProxyCore", "CCProxyConfig", "CCProxyWire", "CCProxyPosix", "CCProxySystemd",
                "CCProxyStore", "CCProxyAuth", "CCProxyBridgeProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CCProxyWorker",
            dependencies: [
                "CCProxyCore", "CCProxyWire", "CCProxyPosix", "CCProxyClaude", "CCProxyBridgeProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The bridge: the protocol both sides speak (pure), and the laptop-side daemon.
        .target(name: "CCProxyBridgeProtocol", dependencies: ["CCProxyCore"], swiftSettings: swiftSettings),
        .target(
            name: "CCProxyBridgeDaemon",
            dependencies: [
                "CCProxyBridgeProtocol", "CCProxyCore", "CCProxyPosix",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The server side of the bridge's filesystem: FUSE requests in, bridge frames out.
        .target(
            name: "CCProxyFuse",
            dependencies: ["CCPFuse3", "CCProxyBridgeProtocol", "CCProxyCore", "CCProxyPosix", "CCProxyWire"],
            swiftSettings: swiftSettings),

        // The admin socket's client side, shared by `ccproxyctl` and `ccproxy token`.
        .target(
            name: "CCProxyAdminClient",
            dependencies: [
                "CCProxyWire", "CCProxyPosix", "CCProxyCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // One thin executable per program.
        .executableTarget(
            name: "ccproxy",
            dependencies: [
                "CCProxySupervisor", "CCProxyConfig", "CCProxyAuth", "CCProxyStore", "CCProxyCore", "CCProxyPosix",
                "CCProxySystemd", "CCProxyAdminClient", "CCProxyWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ccproxy-worker",
            dependencies: ["CCProxyWorker", "CCProxySystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ccproxyctl",
            dependencies: [
                "CCProxyWire", "CCProxyPosix", "CCProxyCore", "CCProxyAdminClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "ccproxy-bridge",
            dependencies: [
                "CCProxyBridgeDaemon", "CCProxyBridgeProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "ccproxy-fuse",
            dependencies: [
                "CCProxyFuse", "CCProxyCore", "CCProxyPosix",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        .testTarget(
            name: "CCProxyFuseTests", dependencies: ["CCProxyFuse", "CCProxyBridgeProtocol", "CCProxyPosix"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxyBridgeProtocolTests", dependencies: ["CCProxyBridgeProtocol"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxyBridgeDaemonTests",
            dependencies: [
                "CCProxyBridgeDaemon", "CCProxyBridgeProtocol",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "CCProxyConfigTests", dependencies: ["CCProxyConfig"], swiftSettings: swiftSettings),
        .testTarget(name: "CCProxyWireTests", dependencies: ["CCProxyWire"], swiftSettings: swiftSettings),
        .testTarget(name: "CCProxyPosixTests", dependencies: ["CCProxyPosix"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxyStoreTests", dependencies: ["CCProxyStore", "CCProxyAuth"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxyClaudeTests", dependencies: ["CCProxyClaude"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxySupervisorTests", dependencies: ["CCProxySupervisor"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CCProxyWorkerTests",
            dependencies: [
                "CCProxyWorker", "CCProxyBridgeProtocol",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
    ]
)
