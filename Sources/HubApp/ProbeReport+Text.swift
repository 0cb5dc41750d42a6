import ConnectorKit
import RealtyModel

extension ProbeReport {
    /// The report as lines for a terminal: one line per step, `[ok  ]`, `[SKIP]` (an auxiliary
    /// resource not available on this connection) or `[FAIL]` first.
    public var renderedText: String {
        var lines: [String] = ["probe \(vendor) at \(baseURL) (connection \(connectionID))"]
        if let setupFailure {
            lines.append("[FAIL] setup: \(setupFailure.message)")
            return lines.joined(separator: "\n")
        }
        if authentication.ok {
            lines.append("[ok  ] authentication (\(authentication.method)): credentials accepted")
        } else {
            lines.append("[FAIL] authentication (\(authentication.method)): \(authentication.failure?.message ?? "failed")")
        }
        if let capabilities {
            lines.append("capabilities:")
            for read in capabilities.readable {
                let mode = read.incremental ? "full, incremental" : "full"
                lines.append("  read   \(pad(read.resource.rawValue)) \(read.vendorEndpoints.joined(separator: ", ")) (\(mode))")
            }
            for write in capabilities.writable {
                var verbs: [String] = []
                if write.canCreate { verbs.append("create") }
                if write.canUpdate { verbs.append("update") }
                let lookup =
                    write.lookupKeys.isEmpty
                    ? "no lookup (a retried create may duplicate)"
                    : "lookup by " + write.lookupKeys.map(\.rawValue).joined(separator: ", ")
                lines.append("  write  \(pad(write.resource.rawValue)) \(verbs.joined(separator: ", ")); \(lookup)")
            }
            if !capabilities.operations.isEmpty {
                lines.append("  operations: " + capabilities.operations.joined(separator: ", "))
            }
        }
        for resource in resources {
            if resource.ok {
                let count = resource.count ?? 0
                var text = "[ok  ] \(pad(resource.resource)) \(count) record\(count == 1 ? "" : "s") on the first page"
                if let key = resource.firstRecordKey { text += ", first key \(key)" }
                text += resource.isLast == true ? " (no more pages)" : " (more pages)"
                lines.append(text)
                for skipped in resource.unavailable {
                    lines.append("[SKIP] \(pad(resource.resource)) \(skipped)")
                }
            } else if let skipped = resource.skipped {
                lines.append("[SKIP] \(pad(resource.resource)) not available on this connection: \(skipped)")
            } else {
                lines.append("[FAIL] \(pad(resource.resource)) \(resource.failure?.message ?? "failed")")
            }
        }
        lines.append(succeeded ? "probe succeeded" : "probe FAILED")
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String) -> String {
        text.count >= 12 ? text : text + String(repeating: " ", count: 12 - text.count)
    }
}
