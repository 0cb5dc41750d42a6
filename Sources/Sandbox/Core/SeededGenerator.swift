import RealtyModel

/// A deterministic random number generator (SplitMix64): the same seed always yields the same
/// sequence, on every platform, so seeded data and fault dice are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator.
    /// - Parameter seed: any value; equal seeds give equal sequences.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// Creates a generator for one purpose derived from a run seed, so that independent users
    /// of the same run seed (each vendor, each resource) do not share one sequence.
    /// - Parameters:
    ///   - seed: the run seed.
    ///   - stream: a label, e.g. `"pf-expert/leads"`.
    public init(seed: UInt64, stream: String) {
        // FNV-1a of the label, mixed into the seed.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        self.state = seed ^ hash
    }

    /// Returns the next value of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniformly distributed value in `0 ..< 1`.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}

extension SeededGenerator {
    /// `count` bytes of the sequence (the low byte of each value) in lower-case hex: the seeded
    /// keys, secrets and tokens of the emulators.
    mutating func hexToken(bytes count: Int) -> String {
        ByteEncoding.hex((0..<count).map { _ in UInt8(truncatingIfNeeded: next()) })
    }
}
