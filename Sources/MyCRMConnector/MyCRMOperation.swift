import ConnectorKit

/// The webservice.php operations this connector uses, each with the HTTP method the server
/// registers it under.
///
/// The server reads a GET operation's parameters only from the query string and a POST
/// operation's only from the form body (vtiger `OperationManager::getOperationInput`), so the
/// method is part of the operation, never a choice.
enum MyCRMOperation: String, Sendable, Hashable, CaseIterable {
    case getChallenge = "getchallenge"
    case login
    case logout
    case listTypes = "listtypes"
    case describe
    case create
    case retrieve
    case update
    case revise
    case delete
    case query
    case sync

    /// GET: getchallenge, listtypes, describe, retrieve, query, sync; POST (form-urlencoded):
    /// login, logout, create, update, revise, delete.
    ///
    /// `extendsession` is not used: the seed shows it as a GET with `sessionName`, while the
    /// vtiger server registers it as POST and only adopts a logged-in browser session
    /// (`PHPSESSID`). Sessions are renewed by logging in again before they expire instead, which
    /// works under either reading.
    var method: HTTPMethod {
        switch self {
        case .getChallenge, .listTypes, .describe, .retrieve, .query, .sync: return .get
        case .login, .logout, .create, .update, .revise, .delete: return .post
        }
    }

    /// Whether sending the operation twice has the effect of sending it once. `update` and
    /// `revise` write the same values again, a second `delete` finds the record gone (which the
    /// connector counts as deleted); `create` would create a second record.
    var isIdempotent: Bool {
        switch self {
        case .create: return false
        default: return true
        }
    }

    /// The name logs and metrics use (`GET query`): low cardinality, no parameters.
    var operationName: String { "\(method.rawValue) \(rawValue)" }
}
