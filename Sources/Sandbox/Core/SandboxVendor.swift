/// The five vendors the sandbox emulates, by their names used everywhere in RealtyHub
/// (CLI, API, configuration, code).
public enum SandboxVendor: String, CaseIterable, Sendable, Codable {
    case pfExpert = "pf-expert"
    case propq
    case mycrm
    case apimo
    case bostonLogic = "boston-logic"
}
