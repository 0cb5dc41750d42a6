/// The webservice operations the emulator serves, with the HTTP method each is registered
/// under (vtiger's `vtiger_ws_operation.type`).
///
/// The vendor reads an operation's parameters only from the place its method implies: the URL
/// query (`$_GET`) for GET operations, the form body (`$_POST`) for POST ones. `operation` and
/// `sessionName` are read from either (`$_REQUEST`).
enum MyCRMOperation: String, Sendable, CaseIterable {
    case getchallenge, login, logout, extendsession
    case listtypes, describe
    case create, retrieve, update, revise, delete
    case query, sync

    /// The HTTP method the operation is registered under.
    ///
    /// `extendsession` is POST as in the vendor's operation table and in the brief this
    /// emulator follows; MyCRM's page shows it as a GET with `sessionName`, which the emulator
    /// refuses like any other wrong method.
    var method: Method {
        switch self {
        case .getchallenge, .listtypes, .describe, .retrieve, .query, .sync: .get
        case .login, .logout, .extendsession, .create, .update, .revise, .delete: .post
        }
    }

    /// Operations allowed without a session.
    var isPreLogin: Bool {
        self == .getchallenge || self == .login
    }

    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }
}
