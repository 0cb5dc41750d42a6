public import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
import RealtyModel
public import ServiceLifecycle
public import SyncEngine
import Synchronization

/// The local receiver behind `realtyhub webhooks listen` (like `stripe listen`): an HTTP server
/// on 127.0.0.1 that verifies each request's Standard Webhooks signature with the secret of the
/// temporary subscription it listens for, answers 204 to a verified message and 400 to any
/// other, and reports a line per request.
///
/// The secret is set after the server listens (the subscription's URL needs the port, and the
/// secret comes with the subscription); until then every request is refused.
public final class WebhookListener: Sendable {
    /// How a verified message is reported.
    public enum Format: Sendable {
        /// `12:01:02  contacts.created  evt_42  {"EntityEventSequence":42,...}`: the time it was
        /// received, its type, its `webhook-id` and its `data` as compact JSON.
        case lines
        /// The body as the hub sent it, one JSON document a line.
        case json
    }

    /// What became of one request.
    public enum Outcome: Sendable, Equatable {
        /// Verified and acknowledged (204); the line to print.
        case accepted(line: String)
        /// Refused (400, or 405 for a method other than POST, 413 for a body over the cap);
        /// the reason told to the sender, and the line to print.
        case refused(status: Int, reason: String, line: String)

        /// The HTTP status the sender gets.
        public var status: Int {
            switch self {
            case .accepted: return 204
            case .refused(let status, _, _): return status
            }
        }
    }

    /// The largest body read (a record event carries one record; far below this).
    public static let maximumBody = 8 << 20

    private let secret = Mutex<WebhookSecret?>(nil)
    private let format: Format
    private let now: @Sendable () -> Date
    private let calendar: Calendar
    private let report: @Sendable (Outcome) -> Void

    /// - Parameters:
    ///   - format: how verified messages are reported.
    ///   - timeZone: the zone of the times printed (the machine's by default).
    ///   - now: the clock the signature's timestamp is checked against and lines are stamped with.
    ///   - report: called once per request with what became of it.
    public init(
        format: Format = .lines, timeZone: TimeZone = .current, now: @escaping @Sendable () -> Date = { Date() },
        report: @escaping @Sendable (Outcome) -> Void
    ) {
        self.format = format
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.report = report
    }

    /// The secret signatures are checked with (`whsec_...`, as the subscription's creation
    /// returned it).
    public func use(secret: WebhookSecret) {
        self.secret.withLock { $0 = secret }
    }

    /// Checks one request: a POST, signed (Standard Webhooks, 5 minutes' tolerance) with the
    /// secret. Reports and returns what became of it.
    @discardableResult
    public func receive(method: String, body: Data, id: String?, timestamp: String?, signature: String?) -> Outcome {
        let outcome = check(method: method, body: body, id: id, timestamp: timestamp, signature: signature)
        report(outcome)
        return outcome
    }

    private func check(method: String, body: Data, id: String?, timestamp: String?, signature: String?) -> Outcome {
        func refuse(_ status: Int, _ reason: String) -> Outcome { refusal(status, reason, id: id) }
        guard method == "POST" else { return refuse(405, "method \(method), not POST") }
        guard let secret = secret.withLock({ $0 }) else { return refuse(400, "no subscription yet") }
        do {
            try WebhookSignature.verify(body: body, id: id, timestamp: timestamp, signatures: signature, secret: secret, now: now())
        } catch let error as WebhookSignatureError {
            return refuse(400, Self.reason(error))
        } catch {
            return refuse(400, "\(error)")
        }
        // Verified: the hub sent it. A body that is not the expected {"type", "data"} shape is
        // still acknowledged (answering 400 would only make the hub retry the same bytes) and
        // printed as it came.
        let text = String(decoding: body, as: UTF8.self)
        let message = try? JSONValue(parsing: body)
        switch format {
        case .json:
            let line = text.contains("\n") ? (message?.jsonText ?? text.replacingOccurrences(of: "\n", with: " ")) : text
            return .accepted(line: line)
        case .lines:
            guard case .object(let members)? = message, case .string(let type)? = members["type"] else {
                return .accepted(line: "\(clockTime(now()))  -  \(id ?? "-")  \(text.replacingOccurrences(of: "\n", with: " "))")
            }
            return .accepted(line: "\(clockTime(now()))  \(type)  \(id ?? "-")  \((members["data"] ?? .null).jsonText)")
        }
    }

    /// A refusal, its line carrying the sender's `webhook-id` made printable (anyone may send
    /// one: no control characters reach the terminal, at most 100 characters).
    private func refusal(_ status: Int, _ reason: String, id: String?) -> Outcome {
        let shown = id.map(Self.printable) ?? "-"
        return .refused(status: status, reason: reason, line: "\(clockTime(now()))  refused  \(shown)  \(Self.printable(reason))")
    }

    /// `text` without control characters (each becomes `?`), cut to 100 characters.
    static func printable(_ text: String) -> String {
        let cut = text.count > 100 ? text.prefix(100) + "…" : Substring(text)
        return String(String.UnicodeScalarView(cut.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }

    /// The short reason a refusal prints.
    static func reason(_ error: WebhookSignatureError) -> String {
        switch error {
        case .noMatchingSignature: return "signature mismatch"
        case .timestampOutOfTolerance: return "timestamp outside tolerance"
        case .invalidTimestamp(let value): return "timestamp \"\(value)\" is not a number of seconds"
        case .missingHeader(let name): return "no \(name) header"
        case .invalidSecret(let message): return message
        }
    }

    /// `HH:MM:SS` in the listener's time zone.
    private func clockTime(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : String(value)
        }
        return "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }

    /// The HTTP server: every path takes the messages (a forwarding URL may carry one).
    ///
    /// - Parameters:
    ///   - host: the address to bind (127.0.0.1: the receiver is for this machine).
    ///   - port: the port, 0 for a free one.
    ///   - onRunning: called with the bound port once the server listens.
    /// - Returns: a service that serves until it is shut down gracefully or cancelled.
    public func server(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "realtyhub.webhooks.listen"),
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> any Service {
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
            let outcome: Outcome
            do {
                let buffer = try await request.body.collect(upTo: Self.maximumBody)
                outcome = receive(
                    method: request.method.rawValue, body: Data(buffer.readableBytesView), id: request.headers[.webhookID],
                    timestamp: request.headers[.webhookTimestamp], signature: request.headers[.webhookSignature])
            } catch {
                // The only failure of collecting a body is its being over the cap.
                outcome = refusal(413, "body over \(Self.maximumBody) bytes", id: request.headers[.webhookID])
                report(outcome)
            }
            switch outcome {
            case .accepted:
                return Response(status: .noContent)
            case .refused(let status, let reason, _):
                return Response(
                    status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: reason + "\n")))
            }
        }
        return Application(
            responder: responder, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: logger)
    }
}

extension HTTPField.Name {
    fileprivate static let webhookID = HTTPField.Name("webhook-id")!
    fileprivate static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    fileprivate static let webhookSignature = HTTPField.Name("webhook-signature")!
}
