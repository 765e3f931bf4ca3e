import CCProxyBridgeProtocol
import CCProxyFuse
import Glibc
import Testing

@Suite("Bridge errors become the reference's errno values")
struct ErrnoMappingTests {
    @Test(arguments: [
        (BridgeErrorCode.notFound, ENOENT), (.notADirectory, ENOTDIR), (.isADirectory, EISDIR),
        (.permissionDenied, EACCES), (.outOfRoot, EACCES), (.notEmpty, ENOTEMPTY),
        (.invalidArgument, EINVAL), (.tooLarge, EFBIG), (.unsupported, ENOSYS),
        (.alreadyExists, EEXIST), (.io, EIO), (.internal, EIO),
    ])
    func remoteCodes(code: BridgeErrorCode, errno: Int32) {
        #expect(BridgeCallError.remote(BridgeError(code, "x")).errno == errno)
    }

    @Test func everyCodeIsMapped() {
        // A new code added to the protocol must be given an errno here on purpose.
        let mapped = Set(BridgeErrorCode.allCases.map { BridgeCallError.errno(for: $0) })
        #expect(mapped.isSubset(of: [ENOENT, ENOTDIR, EISDIR, EACCES, ENOTEMPTY, EINVAL, EFBIG, ENOSYS, EEXIST, EIO]))
    }

    @Test func transportFailuresAreEIO() {
        #expect(BridgeCallError.timedOut.errno == EIO)
        #expect(BridgeCallError.channelClosed.errno == EIO)
        #expect(BridgeCallError.protocolViolation("bad").errno == EIO)
    }
}
