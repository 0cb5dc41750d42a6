import Synchronization

/// An emulator whose vendor issues tokens or sessions that can be revoked before they expire.
///
/// Used by the `revoke` fault and by `POST /_sandbox/revoke`: after a revocation the next request
/// with an old token or session gets the vendor's own auth error (PF Expert 401, PropQ 401,
/// MyCRM `INVALID_SESSIONID`), as when a vendor revokes credentials server-side. Apimo and
/// Boston Logic authenticate with static credentials and have nothing to revoke.
public protocol TokenRevoking: AnyObject, Sendable {
    /// Revokes every live token or session.
    /// - Returns: how many tokens or sessions were revoked.
    func revokeAllTokens() async -> Int
}

extension PFExpertEmulator: TokenRevoking {
    /// Revokes every issued bearer token.
    public func revokeAllTokens() async -> Int {
        state.withLock { $0.revokeAllTokens() }
    }
}

extension PropQEmulator: TokenRevoking {
    /// Revokes every issued bearer token.
    public func revokeAllTokens() async -> Int {
        await state.revokeAllTokens()
    }
}

extension MyCRMEmulator: TokenRevoking {
    /// Ends every session and drops every pending challenge.
    public func revokeAllTokens() async -> Int {
        auth.withLock { $0.revokeAllTokens() }
    }
}
