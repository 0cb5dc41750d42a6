import ODataQuery
import RealtyModel

/// Parses a request's system query options for one resource, with the route's readings of a
/// few parser errors.
enum ODataOptions {
    /// ``ODataQueryOptions/parse(_:for:navigation:)`` over the hub's navigation table.
    /// - Throws: ``ODataQueryError``, refined by ``refined(_:_:)``.
    static func parse<R: HubRecord>(_ options: [(name: String, value: String)], for type: R.Type) throws -> ODataQueryOptions {
        do {
            return try ODataQueryOptions.parse(options, for: R.self, navigation: ODataNavigationTable.hub)
        } catch {
            throw refined(error, options)
        }
    }

    /// `has` is valid OData the hub does not serve (enum lookups, C49/C81): `not_supported`, where the
    /// parser reports a syntax error at it. A timestamp whose offset lost its `+` to form
    /// decoding (Q21) gets a hint.
    static func refined(_ error: ODataQueryError, _ options: [(name: String, value: String)]) -> ODataQueryError {
        guard let option = error.option, let text = options.first(where: { $0.name == option })?.value else { return error }
        let scalars = Array(text.unicodeScalars)
        if error.code == .syntax, error.position < scalars.count {
            let rest = scalars[error.position...].prefix(4)
            if rest.prefix(3).map(Character.init) == ["h", "a", "s"], rest.count == 3 || rest.last == " " || rest.last == "(" {
                return ODataQueryError(
                    .notSupported, "the has operator is not supported: lookups are strings, compare them with eq or in",
                    at: error.position, option: option)
            }
        }
        if text.contains(/T\d\d:\d\d(:\d\d(\.\d+)?)? \d\d:\d\d/) {
            var hinted = error
            hinted.message += "; a '+' in a query string is a space: write a timestamp's offset as %2B (…T10:00:00%2B01:00)"
            return hinted
        }
        return error
    }
}
