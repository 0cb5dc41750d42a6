import ConnectorKit
import RealtyModel

// Boston Logic's flags may be booleans or "active"/"inactive" words; the general lenient
// readers (`text`, `relatedID`, `firstText`, ...) come from ConnectorKit.

extension JSONValue {
    /// Whether a record is active: a boolean `active`, or an `active_status`/`status` word.
    var activeFlag: Bool? {
        if let flag = self["active"], case .bool(let active) = flag { return active }
        for key in ["active_status", "status"] {
            switch text(key)?.lowercased() {
            case "active", "activated", "enabled": return true
            case "inactive", "deactivated", "disabled": return false
            default: continue
            }
        }
        return flag("active")
    }
}
