public import HubStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-ups across processes: a transaction that makes deliveries due sends `NOTIFY` on one
/// channel with its schema as the payload (PostgreSQL delivers it on commit, and not at all on
/// rollback); every store whose workers wait for deliveries listens on the channel over a
/// connection of its own and signals its workers when the payload is its schema.
extension PostgresHubStore {
    /// The channel outbox commits are announced on (one per database; the payload tells the
    /// schema, so stores of several schemas can share a database).
    static let outboxChannel = "realtyhub_outbox"

    public func outboxSignal() -> OutboxSignal {
        listener.withLock { task in
            if task == nil { task = Task { [weak self] in await self?.listen() } }
        }
        return signal
    }

    /// Announces, on commit, that deliveries became due in this store's schema.
    func announceDeliveries(_ connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_notify(\(Self.outboxChannel), coalesce(current_schema(), ''))", logger: logger)
    }

    /// Listens for outbox commits until cancelled, reconnecting a second after a failure.
    /// Each time the listener (re)starts, the signal fires once: a commit made while nobody
    /// listened is then found by the next claim.
    private func listen() async {
        var wasListening = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try configuration.connectionConfiguration(), id: 2, logger: logger)
                do {
                    let schema =
                        try await rows(connection, "SELECT coalesce(current_schema(), '')").first?.decode(String.self) ?? ""
                    let signal = self.signal
                    try await connection.listen(on: Self.outboxChannel) { notifications in
                        signal.setReachesOtherProcesses(true)
                        signal.notify()
                        wasListening = true
                        for try await notification in notifications where notification.payload == schema {
                            signal.notify()
                        }
                    }
                } catch {
                    signal.setReachesOtherProcesses(false)
                    try? await connection.close()
                    throw error
                }
                signal.setReachesOtherProcesses(false)
                try? await connection.close()
            } catch {
                signal.setReachesOtherProcesses(false)
                if wasListening, !Task.isCancelled {
                    logger.warning(
                        "listening for other processes' deliveries failed; polling until it is back",
                        metadata: ["hub.error": "\(describe(error))"])
                }
                wasListening = false
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
