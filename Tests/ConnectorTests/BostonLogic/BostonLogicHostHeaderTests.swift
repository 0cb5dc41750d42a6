import ConnectorKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RealtyModel
import Synchronization
import Testing

@testable import BostonLogicConnector

/// A one-route HTTP server on loopback that records the `Host` and `X-BL-API-Key` headers of
/// each request and answers an empty office list.
private final class HeaderRecordingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let seen: Mutex<[(host: String?, key: String?, path: String)]>

    init() { seen = Mutex([]) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let entry = (host: head.headers.first(name: "Host"), key: head.headers.first(name: "X-BL-API-Key"), path: head.uri)
            seen.withLock { $0.append(entry) }
        case .body:
            break
        case .end:
            let body = #"{"status": "success", "message": "", "data": []}"#
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@Suite struct BostonLogicHostHeaderTests {
    /// Through the real AsyncHTTPClient transport, a connection to 127.0.0.1 sends
    /// `Host: <credentials host>`, not the address it connects to.
    @Test func asyncHTTPClientSendsTheBoundHost() async throws {
        let handler = HeaderRecordingHandler()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(5), readTimeout: .seconds(5))
        do {
            let configuration = ConnectorConfiguration(
                connectionID: "bl-live", baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                credentials: .bostonLogic(apiKey: "bl-key-0123456789", host: "www.brokerage.example"))
            let connector = try BostonLogicConnector(
                configuration: configuration, transport: transport,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await connector.verify()
            var pages: [ConnectorPage<Office>] = []
            for try await page in connector.read(Office.self, mode: .full, after: nil) { pages.append(page) }
            #expect(pages.count == 1 && pages[0].records.isEmpty && pages[0].isLast)
        } catch {
            try await transport.shutdown()
            try await channel.close()
            throw error
        }
        try await transport.shutdown()
        try await channel.close()
        let seen = handler.seen.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0.host == "www.brokerage.example" && $0.key == "bl-key-0123456789" })
        // The check, then the read (which asks for offices of every status).
        #expect(seen.map(\.path) == ["/api/v2/offices", "/api/v2/offices?active_status=all"])
    }
}
