import CCProxyCore
import Testing

/// Which addresses `remote_images` refuses unless `remote_images_allow_private` is set.
@Suite struct IPAddressTests {
    static func v6(_ groups: [UInt16]) -> IPAddress {
        IPAddress.v6(groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    @Test(arguments: [
        [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254],
        [0, 0, 0, 0], [100, 64, 0, 1], [198, 18, 0, 1], [224, 0, 0, 1], [255, 255, 255, 255], [192, 0, 0, 8],
    ] as [[UInt8]])
    func nonPublicIPv4(_ bytes: [UInt8]) throws {
        let address = try #require(IPAddress(bytes: bytes))
        #expect(address.isNonPublic, "\(address)")
    }

    @Test(arguments: [[8, 8, 8, 8], [1, 1, 1, 1], [172, 32, 0, 1], [172, 15, 0, 1], [100, 128, 0, 1], [93, 184, 216, 34]] as [[UInt8]])
    func publicIPv4(_ bytes: [UInt8]) throws {
        let address = try #require(IPAddress(bytes: bytes))
        #expect(!address.isNonPublic, "\(address)")
    }

    @Test func ipv6Classes() {
        #expect(Self.v6([0, 0, 0, 0, 0, 0, 0, 1]).isNonPublic, "::1")
        #expect(Self.v6([0, 0, 0, 0, 0, 0, 0, 0]).isNonPublic, "::")
        #expect(Self.v6([0xFD00, 0, 0, 0, 0, 0, 0, 1]).isNonPublic, "unique local")
        #expect(Self.v6([0xFE80, 0, 0, 0, 0, 0, 0, 1]).isNonPublic, "link-local")
        #expect(Self.v6([0xFF02, 0, 0, 0, 0, 0, 0, 1]).isNonPublic, "multicast")
        #expect(Self.v6([0, 0, 0, 0, 0, 0xFFFF, 0x7F00, 0x0001]).isNonPublic, "::ffff:127.0.0.1")
        #expect(Self.v6([0, 0, 0, 0, 0, 0xFFFF, 0xA9FE, 0xA9FE]).isNonPublic, "::ffff:169.254.169.254")
        #expect(Self.v6([0x64, 0xFF9B, 0, 0, 0, 0, 0x0A00, 0x0001]).isNonPublic, "NAT64 of 10.0.0.1")
        #expect(!Self.v6([0x2606, 0x4700, 0, 0, 0, 0, 0, 0x1111]).isNonPublic, "a public address")
        #expect(!Self.v6([0, 0, 0, 0, 0, 0xFFFF, 0x0808, 0x0808]).isNonPublic, "::ffff:8.8.8.8")
    }

    @Test func onlyFourOrSixteenBytes() {
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: Array(repeating: 0, count: 17)) == nil)
        #expect(IPAddress(bytes: [1, 2, 3, 4])?.description == "1.2.3.4")
    }
}
