public import Hummingbird

/// The request context of every emulator route (vendor routes and the control API).
///
/// A plain Hummingbird context (JSON request decoder and response encoder, 2 MB upload limit)
/// that also keeps a way to close the request's connection, which the `reset` faults need.
/// Emulators write their routes against `Router<SandboxRequestContext>`.
public struct SandboxRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    private let closeConnection: @Sendable () async -> Void

    /// Creates the context for a request arriving on a channel.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        let channel = source.channel
        self.closeConnection = {
            try? await channel.close()
        }
    }

    /// Closes the request's connection at once, without an answer.
    public func closeConnectionNow() async {
        await closeConnection()
    }
}
