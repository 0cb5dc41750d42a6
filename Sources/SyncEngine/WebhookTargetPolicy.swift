public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, as bytes.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Reads a textual address (`192.0.2.1`, `2001:db8::1`, `[::1]`); nil when it is not one.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        // A zone (`fe80::1%eth0`) names a link-local interface: keep the address.
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, String(text), &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let bytes): return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}

/// Where webhooks may be sent: http and https URLs only, and never, unless private targets are
/// allowed, to an address of this machine or a private, link-local or otherwise special network
/// (so a subscriber cannot make the hub call its own admin ports or a cloud metadata service).
///
/// The address check runs on the address actually connected to, after resolving the name, so a
/// name that resolves to a private address (DNS rebinding included) is caught as a literal
/// one is. IPv4-mapped, NAT64 and 6to4 IPv6 addresses are checked as the IPv4 address they carry.
public enum WebhookTargetPolicy {
    /// What is wrong with a target.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Checks a subscription URL's form: absolute http or https with a host, no credentials in
    /// it, at most 2,048 characters. With `allowPrivate` false, a host that is a refused
    /// address literal, or `localhost`, is refused at once (a name is checked again on every
    /// delivery, when it is resolved).
    public static func checkURL(_ text: String, allowPrivate: Bool) throws -> URL {
        guard text.utf8.count <= 2_048 else { throw Refusal("the URL is longer than 2,048 characters") }
        guard let components = URLComponents(string: text), let url = components.url, let scheme = components.scheme?.lowercased()
        else { throw Refusal("\"\(text)\" is not a URL") }
        guard scheme == "http" || scheme == "https" else {
            throw Refusal("webhook URLs are http or https, not \(scheme)")
        }
        guard let host = components.host, !host.isEmpty else { throw Refusal("the URL has no host") }
        guard components.user == nil, components.password == nil else {
            throw Refusal("the URL carries a user name or password; webhooks are authenticated by their signature")
        }
        guard components.fragment == nil else { throw Refusal("the URL has a fragment (#...), which is never sent") }
        if !allowPrivate {
            if let address = IPAddress(host), let range = refusedRange(of: address) {
                throw Refusal("\(host) is \(range); such targets need the hub started with --allow-private-webhook-targets")
            }
            let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if name == "localhost" || name.hasSuffix(".localhost") {
                throw Refusal("\(host) is this machine; such targets need the hub started with --allow-private-webhook-targets")
            }
        }
        return url
    }

    /// The kind of network `address` is in when webhooks may not go there (a phrase for error
    /// messages: "a loopback address"), or nil for a public address.
    public static func refusedRange(of address: IPAddress) -> String? {
        switch address {
        case .v4(let bytes): return refusedV4(bytes)
        case .v6(let bytes): return refusedV6(bytes)
        }
    }

    private static func refusedV4(_ b: [UInt8]) -> String? {
        guard b.count == 4 else { return "not an address" }
        switch (b[0], b[1]) {
        case (0, _): return "an unspecified (0.0.0.0/8) address"
        case (10, _): return "a private (10.0.0.0/8) address"
        case (100, 64...127): return "a shared (100.64.0.0/10, carrier NAT) address"
        case (127, _): return "a loopback (127.0.0.0/8) address"
        case (169, 254): return "a link-local (169.254.0.0/16) address"
        case (172, 16...31): return "a private (172.16.0.0/12) address"
        case (192, 168): return "a private (192.168.0.0/16) address"
        case (198, 18...19): return "a benchmarking (198.18.0.0/15) address"
        case (224...239, _): return "a multicast address"
        case (240...255, _): return "a reserved (240.0.0.0/4) address"
        default: break
        }
        if b[0] == 192, b[1] == 0, b[2] == 0 { return "an IETF protocol (192.0.0.0/24) address" }
        return nil
    }

    private static func refusedV6(_ b: [UInt8]) -> String? {
        guard b.count == 16 else { return "not an address" }
        let leadingZeros = b[0..<10].allSatisfy { $0 == 0 }
        if leadingZeros, b[10] == 0xFF, b[11] == 0xFF { return refusedV4(Array(b[12..<16])) } // ::ffff:a.b.c.d
        if b[0..<15].allSatisfy({ $0 == 0 }) {
            return b[15] == 1 ? "the IPv6 loopback (::1) address" : "the unspecified IPv6 (::) address"
        }
        if leadingZeros, b[10] == 0, b[11] == 0 { return refusedV4(Array(b[12..<16])) } // ::a.b.c.d (deprecated)
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B, b[4..<12].allSatisfy({ $0 == 0 }) {
            return refusedV4(Array(b[12..<16])) // 64:ff9b::/96, NAT64
        }
        if b[0] == 0x20, b[1] == 0x02 { return refusedV4(Array(b[2..<6])) } // 2002::/16, 6to4
        if b[0] & 0xFE == 0xFC { return "a unique-local (fc00::/7) IPv6 address" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return "a link-local (fe80::/10) IPv6 address" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return "a site-local (fec0::/10) IPv6 address" }
        if b[0] == 0xFF { return "a multicast IPv6 address" }
        return nil
    }

    /// Resolves `host` (a name or a literal) to its addresses, on a thread of its own (the
    /// system resolver blocks).
    /// - Throws: ``Refusal`` when the name does not resolve.
    public static func resolve(_ host: String, port: Int) async throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                    hints.ai_socktype = SOCK_STREAM
                #endif
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, String(port), &hints, &list)
                guard status == 0, let first = list else {
                    continuation.resume(throwing: Refusal("\(host) does not resolve"))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [IPAddress] = []
                var next: UnsafeMutablePointer<addrinfo>? = first
                while let entry = next {
                    if let socketAddress = entry.pointee.ai_addr {
                        switch Int32(entry.pointee.ai_family) {
                        case AF_INET:
                            socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                                var address = pointer.pointee.sin_addr
                                addresses.append(.v4(withUnsafeBytes(of: &address) { Array($0) }))
                            }
                        case AF_INET6:
                            socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                                var address = pointer.pointee.sin6_addr
                                addresses.append(.v6(withUnsafeBytes(of: &address) { Array($0) }))
                            }
                        default: break
                        }
                    }
                    next = entry.pointee.ai_next
                }
                if addresses.isEmpty {
                    continuation.resume(throwing: Refusal("\(host) resolves to no IPv4 or IPv6 address"))
                } else {
                    continuation.resume(returning: Array(Set(addresses)).sorted { $0.description < $1.description })
                }
            }
        }
    }

    /// The address to connect to for `host`: resolved now, every address checked. With
    /// `allowPrivate` false, any refused address among them refuses the target (a name that
    /// resolves to both a public and a private address could be steered to the private one).
    public static func address(for host: String, port: Int, allowPrivate: Bool) async throws -> IPAddress {
        let addresses = try await resolve(host, port: port)
        if !allowPrivate {
            for address in addresses {
                if let range = refusedRange(of: address) {
                    throw Refusal(
                        "\(host) resolves to \(address), \(range); such targets need the hub started with --allow-private-webhook-targets"
                    )
                }
            }
        }
        // Prefer IPv4 where both exist: loopback test receivers and most hosts listen on it.
        guard let chosen = addresses.first(where: { if case .v4 = $0 { true } else { false } }) ?? addresses.first else {
            throw Refusal("\(host) resolves to no address")
        }
        return chosen
    }
}
