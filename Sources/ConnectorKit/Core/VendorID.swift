/// The five vendors RealtyHub speaks to, named the same way everywhere (CLI, API, configuration).
public enum VendorID: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// PF Expert, Property Finder's CRM (legacy "MyCRM API v2").
    case pfExpert = "pf-expert"
    /// Resales Online PropQ (new-development updates).
    case propq
    /// The MyCRM webservice (vtiger dialect).
    case mycrm
    /// Apimo.
    case apimo
    /// Boston Logic Platform API.
    case bostonLogic = "boston-logic"

    /// The vendor's name as people write it, for messages.
    public var displayName: String {
        switch self {
        case .pfExpert: return "PF Expert"
        case .propq: return "Resales Online PropQ"
        case .mycrm: return "MyCRM"
        case .apimo: return "Apimo"
        case .bostonLogic: return "Boston Logic"
        }
    }

    /// The CLI/API name (`pf-expert`, `propq`, ...).
    public var description: String { rawValue }

    /// Finds a vendor by its CLI name, case-insensitively.
    ///
    /// - Parameter name: `pf-expert`, `propq`, `mycrm`, `apimo` or `boston-logic`.
    /// - Returns: the vendor, or nil when the name is not one of the five.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
