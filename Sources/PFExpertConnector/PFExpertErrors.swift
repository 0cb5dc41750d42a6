import ConnectorKit
import Foundation
import RealtyModel

/// PF Expert's error table: the documented error codes and what the hub should do about each.
///
/// | code | kind |
/// | --- | --- |
/// | ResourceNotFound | notFound |
/// | InvalidRequest | validation, with the messages as field errors |
/// | AuthenticationError | auth |
/// | AccessDenied | permission |
/// | MethodNotAllowed, InvalidAction | configuration (the connector asked for something wrong) |
/// | InternalError | retryable |
///
/// A body without a known code is classified by HTTP status.
enum PFExpertErrors {
    /// The kind for a documented error code.
    static func kind(forCode code: String) -> ConnectorError.Kind? {
        switch code {
        case "ResourceNotFound": return .notFound
        case "InvalidRequest": return .validation
        case "AuthenticationError": return .auth
        case "AccessDenied": return .permission
        case "MethodNotAllowed", "InvalidAction": return .configuration
        case "InternalError": return .retryable
        default: return nil
        }
    }

    /// Classifies a vendor answer.
    ///
    /// - Parameters:
    ///   - response: the answer.
    ///   - redactor: hides the connection's secrets in vendor messages.
    ///   - fieldNames: vendor field name → RESO name, for validation messages that name a field.
    ///   - resource: the canonical resource being written, naming messages that name no field.
    /// - Returns: nil for a 2xx answer, else the classified error.
    static func classify(
        _ response: TransportResponse, redactor: Redactor, fieldNames: [String: String] = [:], resource: ResourceName? = nil
    ) -> ConnectorError? {
        guard !response.isSuccess else { return nil }
        guard let body = PFExpertErrorBody(data: response.body) else {
            return HTTPErrorClassifier.classify(response, vendor: .pfExpert, redactor: redactor)
        }
        let messages = body.messages.map(redactor.redact)
        let byCode = body.code.flatMap(kind(forCode:))
        // A 5xx with an unknown code is still a server failure; a code wins over the status otherwise.
        let kind = byCode ?? HTTPErrorClassifier.kind(forStatus: response.status) ?? .invalidResponse
        let summary = HTTPErrorClassifier.message(forStatus: response.status)
        let message = messages.isEmpty ? summary : messages.joined(separator: "; ")
        var fieldErrors: [FieldError] = []
        if kind == .validation {
            fieldErrors = messages.map { fieldError(from: $0, fieldNames: fieldNames, resource: resource) }
        }
        return ConnectorError(
            kind, vendor: .pfExpert, message: message, httpStatus: response.status, vendorCode: body.code,
            fieldErrors: fieldErrors)
    }

    /// A validation message as a field error. Messages of the form `first_name: This value should
    /// not be blank.` (the form Symfony validators, which answer PF's routes, write) name a field;
    /// it is reported under its RESO name when known, else under the vendor's name. Other
    /// messages are reported against the resource as a whole.
    static func fieldError(from message: String, fieldNames: [String: String], resource: ResourceName?) -> FieldError {
        if let colon = message.firstIndex(of: ":") {
            let name = message[..<colon].trimmingCharacters(in: .whitespaces)
            let rest = message[message.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let isIdentifier =
                !name.isEmpty && name.count <= 64 && !rest.isEmpty
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.[]".contains($0)) }
            if isIdentifier {
                // `lead.first_name` and `lead[first_name]` name the same field.
                let bare = name.split(whereSeparator: { ".[]".contains($0) }).last.map(String.init) ?? name
                return FieldError(field: fieldNames[bare] ?? bare, message: rest)
            }
        }
        return FieldError(field: resource?.rawValue ?? "request", message: message)
    }

    /// Lead field names → RESO `Contacts` names.
    static let leadFieldNames: [String: String] = [
        "first_name": "FirstName", "last_name": "LastName", "email": "Email", "mobile": "MobilePhone",
        "phone": "HomePhone", "address": "HomeAddress1", "city": "HomeCity", "country": "HomeCountry",
        "status": "ContactStatus", "source": "LeadSource", "user": "SourceSystemOwnerMemberKey",
    ]

    /// Property field names → RESO `Property` names.
    static let propertyFieldNames: [String: String] = [
        "reference": "ListingId", "status": "StandardStatus", "category": "PropertyType", "price": "ListPrice",
        "bedrooms": "BedroomsTotal", "bathrooms": "BathroomsTotalInteger", "size": "LivingArea",
        "unit_number": "UnitNumber", "project_status": "NewConstructionYN", "languages": "PublicRemarks",
        "user": "SourceSystemListAgentKey", "type": "PropertySubType", "location": "City",
    ]

    /// User field names → RESO `Member` names.
    static let userFieldNames: [String: String] = [
        "first_name": "MemberFirstName", "last_name": "MemberLastName", "email": "MemberEmail", "mobile": "MemberMobilePhone",
        "phone": "MemberDirectPhone", "status": "MemberStatus", "role": "MemberType", "position": "JobTitle",
    ]
}
