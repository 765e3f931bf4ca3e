#!/usr/bin/env bash
# Checks the module graph's "must not import" rules, and that the worker binary links neither
# SQLite nor argon2 (invariant 1: only the supervisor opens the database and hashes tokens).
#   scripts/check-layering.sh [BIN_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0

forbid() { # forbid MODULE 'regex of imports'
    local hits
    hits=$(grep -rnE "^\s*(@testable |public |internal |@_implementationOnly )?import ($2)\b" "Sources/$1" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering: Sources/$1 must not import $2:"
        echo "$hits" | sed 's/^/  /'
        fail=1
    fi
}

forbid CCProxyCore 'NIO[A-Za-z]*|CCP[A-Za-z0-9]*|Yams|Logging|Glibc'
forbid CCProxyWire 'Foundation|FoundationEssentials|Glibc|NIO[A-Za-z]*|CCP[A-Za-z0-9]*|Logging'
forbid CCProxyConfig 'NIO[A-Za-z]*|CCProxyPosix|CCProxyStore|CCProxyWire'
forbid CCProxyPosix 'Logging|NIO[A-Za-z]*|CCProxyWire|CCProxyCore'
forbid CCProxyStore 'NIO[A-Za-z]*|CCProxyWire|Logging|CCProxyPosix'
forbid CCProxyAuth 'NIO[A-Za-z]*|Logging|CCProxyWire'
forbid CCProxyClaude 'NIOHTTP1|NIOWebSocket|CCProxyWire|CCProxyStore|CCProxyAuth|CCProxySupervisor'
forbid CCProxySupervisor 'NIO[A-Za-z]*|CCProxyClaude|CCProxyWorker|CCPFuse3'
forbid CCProxyWorker 'CCProxyStore|CCProxyAuth|CCPSQLite3|CCPArgon2|CCPFuse3|CCProxySupervisor|CCProxyConfig|Yams'
forbid ccproxy-worker 'CCProxyStore|CCProxyAuth|CCPSQLite3|CCPArgon2|CCProxySupervisor|CCProxyConfig'
# The bridge protocol is pure (both sides use it); the laptop daemon links no FUSE, no
# SQLite, no argon2, and nothing of the server.
forbid CCProxyBridgeProtocol 'NIO[A-Za-z]*|CCP[A-Z][A-Za-z0-9]*|CCProxyPosix|CCProxyWire|Logging|Glibc'
bridge_daemon_forbidden='CCPFuse3|CCPSQLite3|CCPArgon2|CCProxyStore|CCProxyAuth|CCProxySupervisor|CCProxyWorker|CCProxyConfig|CCProxyClaude|Glibc'
forbid CCProxyBridgeDaemon "$bridge_daemon_forbidden"
forbid ccproxy-bridge "$bridge_daemon_forbidden"
# libfuse3 is linked by the FUSE helper only; the helper links no SQLite, no argon2, no
# networking (invariant 3: it never parses network input, only the channel's frames).
for m in CCProxyCore CCProxyConfig CCProxyWire CCProxyPosix CCProxyStore CCProxyAuth CCProxyClaude \
         CCProxyAdminClient CCProxySystemd CCProxyBridgeProtocol ccproxy ccproxyctl; do
    forbid "$m" 'CCPFuse3|CCProxyFuse'
done
fuse_forbidden='CCPSQLite3|CCPArgon2|CCProxyStore|CCProxyAuth|CCProxySupervisor|CCProxyWorker|CCProxyConfig|CCProxyClaude|CCProxyBridgeDaemon|NIO[A-Za-z]*'
forbid CCProxyFuse "$fuse_forbidden"
forbid ccproxy-fuse "$fuse_forbidden"

bin="${1:-.build/debug}"
if [ -x "$bin/ccproxy-worker" ]; then
    linked=$(ldd "$bin/ccproxy-worker" | grep -E 'libsqlite3|libargon2')
    if [ -n "$linked" ]; then
        echo "layering: ccproxy-worker links what only the supervisor may:"
        echo "$linked" | sed 's/^/  /'
        fail=1
    fi
else
    echo "layering: $bin/ccproxy-worker not built; build first"
    fail=1
fi

if [ -x "$bin/ccproxy-bridge" ]; then
    linked=$(ldd "$bin/ccproxy-bridge" | grep -E 'libfuse|libsqlite3|libargon2')
    if [ -n "$linked" ]; then
        echo "layering: ccproxy-bridge links what only the server side may:"
        echo "$linked" | sed 's/^/  /'
        fail=1
    fi
else
    echo "layering: $bin/ccproxy-bridge not built; build first"
    fail=1
fi

for exe in ccproxy ccproxy-worker ccproxyctl; do
    if [ -x "$bin/$exe" ]; then
        linked=$(ldd "$bin/$exe" | grep -E 'libfuse')
        if [ -n "$linked" ]; then
            echo "layering: $exe links libfuse3, which only ccproxy-fuse may:"
            echo "$linked" | sed 's/^/  /'
            fail=1
        fi
    fi
done

if [ -x "$bin/ccproxy-fuse" ]; then
    linked=$(ldd "$bin/ccproxy-fuse" | grep -E 'libsqlite3|libargon2')
    if [ -n "$linked" ]; then
        echo "layering: ccproxy-fuse links what only the supervisor may:"
        echo "$linked" | sed 's/^/  /'
        fail=1
    fi
else
    echo "layering: $bin/ccproxy-fuse not built; build first"
    fail=1
fi

[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
