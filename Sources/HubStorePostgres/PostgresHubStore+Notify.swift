public import HubStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-ups across processes: a transaction that makes deliveries due sends `NOTIFY` on one
/// channel, and one that appends change-feed events on another, with its schema as the payload
/// (PostgreSQL delivers it on commit, and not at all on rollback); every store whose workers
/// wait for deliveries or events listens on both channels over a connection of its own and
/// signals its delivery or webhook workers when the payload is its schema.
extension PostgresHubStore {
    /// The channel outbox commits are announced on (one per database; the payload tells the
    /// schema, so stores of several schemas can share a database).
    static let outboxChannel = "realtyhub_outbox"
    /// The channel commits that append change-feed events are announced on (see
    /// ``eventOrderLock``, which sends it), with the schema as the payload.
    static let eventsChannel = "realtyhub_events"

    public func outboxSignal() -> OutboxSignal {
        startListening()
        return signal
    }

    /// Signalled after this store's write transactions and, while the listener runs, after
    /// other processes' commits that append events.
    public func eventSignal() -> OutboxSignal {
        startListening()
        return events
    }

    private func startListening() {
        listener.withLock { task in
            if task == nil { task = Task { [weak self] in await self?.listen() } }
        }
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
                    let events = self.events
                    try await connection.listen(on: Self.outboxChannel) { outbox in
                        try await connection.listen(on: Self.eventsChannel) { appended in
                            for woken in [signal, events] {
                                woken.setReachesOtherProcesses(true)
                                woken.notify()
                            }
                            wasListening = true
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await notification in outbox where notification.payload == schema { signal.notify() }
                                }
                                group.addTask {
                                    for try await notification in appended where notification.payload == schema { events.notify() }
                                }
                                // Either sequence ending (the connection lost) ends both.
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                } catch {
                    signal.setReachesOtherProcesses(false)
                    events.setReachesOtherProcesses(false)
                    try? await connection.close()
                    throw error
                }
                signal.setReachesOtherProcesses(false)
                events.setReachesOtherProcesses(false)
                try? await connection.close()
            } catch {
                signal.setReachesOtherProcesses(false)
                events.setReachesOtherProcesses(false)
                if wasListening, !Task.isCancelled {
                    logger.warning(
                        "listening for other processes' deliveries and events failed; polling until it is back",
                        metadata: ["hub.error": "\(describe(error))"])
                }
                wasListening = false
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
