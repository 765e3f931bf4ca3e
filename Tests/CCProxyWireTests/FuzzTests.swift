import CCProxyWire
import Testing

/// Seeded fuzzing: random bytes and random mutations of valid frames go through every
/// decoder. Nothing may trap; whatever decodes must re-encode to exactly the input bytes
/// (the encoding is canonical), and whatever throws must throw a `WireError`.
@Suite("Fuzzing every decoder")
struct FuzzTests {
    static let iterations = 20_000

    /// Decodes with all four decoders and checks the canonical-encoding property.
    static func check(_ bytes: [UInt8], maxBytes: Int = 1 << 20) -> Int {
        var decoded = 0
        for decoder in Decoder.allCases {
            switch decoder.decode(bytes, maxBytes: maxBytes) {
            case .success(let reencoded):
                #expect(reencoded == bytes, "\(decoder) decoded \(bytes) but re-encodes to \(reencoded)")
                decoded += 1
            case .failure(let error):
                if case .oversized(let n) = error { #expect(n == bytes.count && n > maxBytes) }
                if case .trailingBytes(let n) = error { #expect(n > 0 && n < bytes.count) }
            }
        }
        return decoded
    }

    @Test("Random byte arrays", arguments: [0x5EED_0001, 0xC0FF_EE00_1234] as [UInt64])
    func randomBytes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<Self.iterations {
            let length = Int.random(in: 0...80, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Half the time give it a consistent length prefix and a plausible code so that
            // the payload decoders (not just the frame check) see the bytes.
            if Bool.random(using: &rng), bytes.count >= 6 {
                bytes[4] = 0
                bytes[5] = UInt8.random(in: 0...10, using: &rng)
                bytes = fixLength(bytes)
            }
            _ = Self.check(bytes, maxBytes: Int.random(in: 0...100, using: &rng) < 5 ? length / 2 : 1 << 20)
        }
    }

    @Test("Random mutations of valid frames", arguments: [0xF00D_0001, 0xBADC_0DE5] as [UInt64])
    func mutations(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let frames = Samples.allFrames
        var decodedCount = 0
        for _ in 0..<Self.iterations {
            var bytes = frames.randomElement(using: &rng)!
            let rounds = Int.random(in: 1...4, using: &rng)
            for _ in 0..<rounds {
                switch Int.random(in: 0..<7, using: &rng) {
                case 0 where !bytes.isEmpty:  // flip a bit
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 1 where !bytes.isEmpty:  // replace a byte with an interesting value
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xC0, 0xFE, 0xFF].randomElement(using: &rng)!
                case 2:  // insert random bytes
                    let i = Int.random(in: 0...bytes.count, using: &rng)
                    let n = Int.random(in: 1...8, using: &rng)
                    bytes.insert(contentsOf: (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: i)
                case 3 where !bytes.isEmpty:  // delete a range
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    let n = Int.random(in: 1...min(8, bytes.count - i), using: &rng)
                    bytes.removeSubrange(i..<(i + n))
                case 4 where !bytes.isEmpty:  // truncate
                    bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
                case 5 where bytes.count >= 10:  // overwrite a 4-byte count with a huge value
                    let i = Int.random(in: 6...(bytes.count - 4), using: &rng)
                    let v = [UInt32.max, 0x8000_0000, 0x0001_0000, UInt32(bytes.count)].randomElement(using: &rng)!
                    for k in 0..<4 { bytes[i + k] = UInt8((v >> (24 - 8 * UInt32(k))) & 0xFF) }
                default:  // swap the code
                    if bytes.count >= 6 { bytes[5] = UInt8.random(in: 0...12, using: &rng) }
                }
            }
            // Usually repair the length so the mutation reaches the payload decoders.
            if Int.random(in: 0..<10, using: &rng) < 8 { bytes = fixLength(bytes) }
            decodedCount += Self.check(bytes) > 0 ? 1 : 0
        }
        // The mutator is not so destructive that nothing ever decodes.
        #expect(decodedCount > 100)
    }

    @Test("Every single-byte change of every sample frame", arguments: Decoder.allCases)
    func exhaustiveSingleByte(_ decoder: Decoder) {
        for frame in decoder.sampleFrames where frame.count <= 200 {
            for i in 0..<frame.count {
                for value in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF] as [UInt8] where frame[i] != value {
                    var bytes = frame
                    bytes[i] = value
                    _ = Self.check(bytes)
                }
            }
        }
    }
}
