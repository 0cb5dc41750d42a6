public import RealtyModel

/// Builds a read's page sequence from a step function, fetching one page per `next()` so a slow
/// consumer is never outrun (nothing is read ahead or buffered).
///
/// - Parameters:
///   - start: the state of the first page.
///   - step: reads the page for a state and returns it with the state of the following page
///     (nil after the last page).
public func pageStream<State: Sendable, R: HubRecord>(
    start: State, step: @escaping @Sendable (State) async throws -> (ConnectorPage<R>, State?)
) -> AsyncThrowingStream<ConnectorPage<R>, any Error> {
    let position = PagePosition(start)
    return AsyncThrowingStream(unfolding: {
        guard let state = await position.take() else { return nil }
        let (page, next) = try await step(state)
        await position.set(next)
        return page
    })
}

/// Where a page sequence stands; `nil` once the last page was delivered or a page failed.
private actor PagePosition<State: Sendable> {
    private var state: State?

    init(_ state: State) { self.state = state }

    /// The state to read next; the position stays empty until ``set(_:)`` (so a failed page
    /// ends the sequence).
    func take() -> State? {
        defer { state = nil }
        return state
    }

    func set(_ next: State?) { state = next }
}
