/// An error as a value: a stable, extensible code, a message for people and, for diagnosis
/// only, the lower-level cause. ``StoreError`` and the sync engine's error share this shape
/// (and `HubError` and `ConnectorError` follow it).
///
/// Conforming types get `debugDescription` (the description plus the cause),
/// `shortDescription` (the code alone, safe as a metric label), and equality and hashing by
/// code and message (the cause is not compared).
public protocol CodedError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The stable code type: `Hashable`, `Sendable`, its description the snake_case name.
    associatedtype Code: Hashable, Sendable, CustomStringConvertible
    /// What class of failure this is.
    var code: Code { get }
    /// What went wrong, for people; never secrets or statement arguments.
    var message: String { get }
    /// The lower-level cause, shown only in `debugDescription`.
    var underlying: (any Error)? { get }
}

extension CodedError {
    /// The description plus the underlying cause (its `description`: drivers keep statement
    /// arguments out of theirs).
    public var debugDescription: String {
        guard let underlying else { return description }
        return description + " (underlying: \(String(describing: underlying)))"
    }

    /// The code alone: safe as a metric label.
    public var shortDescription: String { code.description }

    /// Equal when code and message are (the underlying cause is not compared).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes code and message, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
