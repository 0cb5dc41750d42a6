/// Conversions between `Duration` and seconds, used by backoff, limits and token expiry.
extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// A duration of `seconds` (negative and non-finite values become zero).
    ///
    /// - Parameter seconds: a number of seconds.
    public static func seconds(clamping seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        // Beyond ~292 years Duration overflows; no vendor asks for that.
        let bounded = min(seconds, 1e9)
        return .nanoseconds(Int64((bounded * 1e9).rounded()))
    }
}
