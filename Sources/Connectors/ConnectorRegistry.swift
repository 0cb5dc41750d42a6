public import ConnectorKit
import ApimoConnector
import BostonLogicConnector
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector

/// The registry of the five vendors: the only place that knows them all.
public enum ConnectorRegistry {
    /// Every vendor's profile, by vendor.
    ///
    /// - Parameter vendor: the vendor.
    /// - Returns: its profile.
    public static func profile(for vendor: VendorID) -> VendorProfile {
        switch vendor {
        case .pfExpert: return .pfExpert
        case .propq: return .propq
        case .mycrm: return .mycrm
        case .apimo: return .apimo
        case .bostonLogic: return .bostonLogic
        }
    }
}
