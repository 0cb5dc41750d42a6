import Foundation
import SyncEngine
import Testing

/// Which webhook targets are refused: forms, and every special address range, however written.
@Suite struct WebhookTargetPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "192.0.0.8",
        "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "::127.0.0.1",
    ])
    func refusesSpecialAddresses(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(WebhookTargetPolicy.refusedRange(of: address) != nil, "\(text) must be refused")
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"])
    func allowsPublicAddresses(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(WebhookTargetPolicy.refusedRange(of: address) == nil, "\(text) is public")
    }

    @Test func checksTheURLForm() throws {
        #expect(try WebhookTargetPolicy.checkURL("https://hooks.example.com/in?x=1", allowPrivate: false).host == "hooks.example.com")
        for bad in [
            "ftp://hooks.example.com/", "https:///nohost", "not a url", "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#frag", "file:///etc/passwd", "https://" + String(repeating: "a", count: 2_050) + ".com/",
        ] {
            #expect(throws: WebhookTargetPolicy.Refusal.self, "\(bad)") { _ = try WebhookTargetPolicy.checkURL(bad, allowPrivate: false) }
        }
        for local in [
            "http://127.0.0.1:8080/", "http://[::1]/", "http://localhost/", "http://LOCALHOST./x", "http://a.localhost/",
            "http://10.0.0.2/",
        ] {
            #expect(throws: WebhookTargetPolicy.Refusal.self, "\(local)") {
                _ = try WebhookTargetPolicy.checkURL(local, allowPrivate: false)
            }
            #expect(try WebhookTargetPolicy.checkURL(local, allowPrivate: true).scheme == "http")
        }
    }

    @Test func resolvesAndChecksTheConnectedAddress() async throws {
        // A name that resolves to loopback is refused as the literal is.
        await #expect(throws: WebhookTargetPolicy.Refusal.self) {
            _ = try await WebhookTargetPolicy.address(for: "localhost", port: 80, allowPrivate: false)
        }
        let allowed = try await WebhookTargetPolicy.address(for: "localhost", port: 80, allowPrivate: true)
        #expect(WebhookTargetPolicy.refusedRange(of: allowed) != nil)
        #expect(try await WebhookTargetPolicy.address(for: "127.0.0.1", port: 80, allowPrivate: true) == IPAddress("127.0.0.1"))
        await #expect(throws: WebhookTargetPolicy.Refusal.self) {
            _ = try await WebhookTargetPolicy.address(for: "no-such-host.invalid", port: 80, allowPrivate: true)
        }
    }

    @Test func printsAddresses() throws {
        #expect(try #require(IPAddress("::ffff:127.0.0.1")).description == "::ffff:127.0.0.1")
        #expect(try #require(IPAddress("[2606:4700::1111]")).description == "2606:4700::1111")
        #expect(try #require(IPAddress("10.0.0.1")).description == "10.0.0.1")
        #expect(IPAddress("10.0.0.256") == nil && IPAddress("example.com") == nil)
    }
}
