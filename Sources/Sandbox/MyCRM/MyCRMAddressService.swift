import Foundation
import RealtyModel

/// MyCRM's address availability service (`GET /fcc?address=<street city, state>`): broadband
/// providers at an address, in the FCC broadband-map shape the vendor documents.
///
/// Answers are deterministic for an address (same address, same providers), so tests can
/// assert on them. Readings chosen where the vendor's page is silent:
/// - no authentication (none is shown);
/// - the address must read "street city, state" (a comma before the state); without an
///   `address` or without the comma the answer is HTTP 400 with `status_code` 400, `status`
///   "failed" and the reason in `message`;
/// - the map covers the United States only: an address whose state is not a US state or
///   territory finds nothing (`result_count` 0, `data` empty, still "successful");
/// - the sample's strings show stray spaces and line breaks around values; a raw line break is
///   not valid inside a JSON string, so these are read as the page's formatting and values are
///   sent trimmed (clients should trim anyway);
/// - technology codes are the FCC Broadband Data Collection ones (10 copper, 40 cable,
///   50 fibre, 60/61 satellite, 70 fixed wireless).
enum MyCRMAddressService {
    /// The licence text the vendor attaches to every location.
    static let license =
        "Fabric location data provided by CostQuest Associates, Inc., all rights reserved. "
        + "Use of these data are restricted. Unauthorized access to the Fabric, including scripted or programmatic "
        + "access, is strictly prohibited and may be subject to criminal and civil penalties, including, but not "
        + "limited to, penalties applicable to knowingly or intentionally accessing a computer without authorization "
        + "or exceeding authorized access under 18 U.S.C. § 1030 and circumvention of technological measures under "
        + "17 U.S.C. § 1201."

    struct Provider {
        var name: String
        var brand: String
        var holding: String
        var technologyCode: String
        var technology: String
        var maxDown: Int
        var maxUp: Int
        var lowLatency: Int
        var frn: String
        var providerID: String
    }

    static let providers: [Provider] = [
        .init(
            name: "BellSouth Telecommunications, LLC", brand: "AT&T Inc", holding: "AT&T Inc.",
            technologyCode: "10", technology: "Copper", maxDown: 10, maxUp: 1, lowLatency: 1,
            frn: "0005937974", providerID: "130077"),
        .init(
            name: "COMCAST CABLE COMMUNICATIONS, LLC", brand: "Xfinity", holding: "Comcast Corporation",
            technologyCode: "40", technology: "Cable", maxDown: 1200, maxUp: 35, lowLatency: 1,
            frn: "0004287342", providerID: "130317"),
        .init(
            name: "Crown Castle Fiber LLC", brand: "Crown Castle Fiber LLC", holding: "Crown Castle Inc",
            technologyCode: "50", technology: "Fiber to the Premises", maxDown: 1000, maxUp: 1000, lowLatency: 1,
            frn: "0003768165", providerID: "130403"),
        .init(
            name: "Verizon New England Inc.", brand: "Verizon Fios", holding: "Verizon Communications Inc.",
            technologyCode: "50", technology: "Fiber to the Premises", maxDown: 2300, maxUp: 2300, lowLatency: 1,
            frn: "0003290673", providerID: "131425"),
        .init(
            name: "T-Mobile USA, Inc.", brand: "T-Mobile Home Internet", holding: "T-Mobile US, Inc.",
            technologyCode: "71", technology: "Licensed Fixed Wireless", maxDown: 245, maxUp: 31, lowLatency: 1,
            frn: "0001565449", providerID: "130369"),
        .init(
            name: "Space Exploration Technologies Corp.", brand: "Starlink", holding: "Space Exploration Holdings, LLC",
            technologyCode: "61", technology: "NGSO Satellite", maxDown: 220, maxUp: 25, lowLatency: 1,
            frn: "0026143579", providerID: "430076"),
        .init(
            name: "Hughes Network Systems, LLC", brand: "HughesNet", holding: "EchoStar Corporation",
            technologyCode: "60", technology: "GSO Satellite", maxDown: 100, maxUp: 5, lowLatency: 0,
            frn: "0009457255", providerID: "130627"),
    ]

    /// US states and territories (two-letter codes), with approximate centres for coordinates.
    static let states: [String: (latitude: Double, longitude: Double, name: String)] = [
        "AL": (32.8, -86.8, "Alabama"), "AK": (61.4, -152.3, "Alaska"), "AZ": (34.2, -111.7, "Arizona"),
        "AR": (34.9, -92.4, "Arkansas"), "CA": (37.2, -119.5, "California"), "CO": (39.0, -105.5, "Colorado"),
        "CT": (41.6, -72.7, "Connecticut"), "DE": (39.0, -75.5, "Delaware"), "DC": (38.9, -77.0, "District of Columbia"),
        "FL": (28.6, -82.4, "Florida"), "GA": (32.7, -83.4, "Georgia"), "HI": (20.8, -156.3, "Hawaii"),
        "ID": (44.4, -114.6, "Idaho"), "IL": (40.0, -89.2, "Illinois"), "IN": (39.9, -86.3, "Indiana"),
        "IA": (42.1, -93.5, "Iowa"), "KS": (38.5, -98.4, "Kansas"), "KY": (37.5, -85.3, "Kentucky"),
        "LA": (31.1, -92.0, "Louisiana"), "ME": (45.4, -69.2, "Maine"), "MD": (39.0, -76.8, "Maryland"),
        "MA": (42.3, -71.8, "Massachusetts"), "MI": (44.3, -85.4, "Michigan"), "MN": (46.3, -94.3, "Minnesota"),
        "MS": (32.7, -89.7, "Mississippi"), "MO": (38.4, -92.5, "Missouri"), "MT": (47.0, -109.6, "Montana"),
        "NE": (41.5, -99.8, "Nebraska"), "NV": (39.3, -116.6, "Nevada"), "NH": (43.7, -71.6, "New Hampshire"),
        "NJ": (40.2, -74.7, "New Jersey"), "NM": (34.4, -106.1, "New Mexico"), "NY": (42.9, -75.5, "New York"),
        "NC": (35.6, -79.4, "North Carolina"), "ND": (47.5, -100.5, "North Dakota"), "OH": (40.3, -82.8, "Ohio"),
        "OK": (35.6, -97.5, "Oklahoma"), "OR": (43.9, -120.6, "Oregon"), "PA": (40.9, -77.8, "Pennsylvania"),
        "RI": (41.7, -71.5, "Rhode Island"), "SC": (33.9, -80.9, "South Carolina"), "SD": (44.4, -100.2, "South Dakota"),
        "TN": (35.9, -86.4, "Tennessee"), "TX": (31.5, -99.3, "Texas"), "UT": (39.3, -111.7, "Utah"),
        "VT": (44.1, -72.7, "Vermont"), "VA": (37.5, -78.9, "Virginia"), "WA": (47.4, -120.5, "Washington"),
        "WV": (38.6, -80.6, "West Virginia"), "WI": (44.6, -89.9, "Wisconsin"), "WY": (43.0, -107.6, "Wyoming"),
        "PR": (18.2, -66.5, "Puerto Rico"), "GU": (13.4, 144.8, "Guam"), "VI": (18.3, -64.9, "U.S. Virgin Islands"),
        "AS": (-14.3, -170.7, "American Samoa"), "MP": (15.2, 145.8, "Northern Mariana Islands"),
    ]

    /// The member order of the answer's objects (envelope, location, provider).
    static let keyOrders: [[String]] = [
        ["data", "result_count", "status_code", "message", "status", "request_date"],
        ["coordinates", "unitCount", "buildingTypeCode", "bsl_flag", "license", "detail"],
        [
            "location_id", "provider_name", "brand_name", "technology_code", "bizrescode", "maxdown", "maxup", "lowlatency",
            "frn", "provider_id", "holding_company_name", "technology_code_type", "prov_tech_flag",
        ],
    ]

    /// The answer to one lookup.
    /// - Parameters:
    ///   - address: the `address` parameter, decoded.
    ///   - now: time of the request (for `request_date`).
    /// - Returns: HTTP status and body.
    static func answer(address: String?, now: Date) -> (status: Int, body: JSONValue) {
        let requestDate = isoTimestamp(now)
        guard let address = address?.trimmingCharacters(in: .whitespacesAndNewlines), !address.isEmpty else {
            return (
                400,
                envelope(
                    data: [], statusCode: 400, message: "address is required: ?address=<street city, state>",
                    status: "failed", requestDate: requestDate)
            )
        }
        guard let comma = address.lastIndex(of: ",") else {
            return (
                400,
                envelope(
                    data: [], statusCode: 400,
                    message: "address must read \"street city, state\" (no comma before the state)",
                    status: "failed", requestDate: requestDate)
            )
        }
        let stateText = address[address.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        // "MA 02116" and "Massachusetts" both name a state.
        let stateWord = stateText.split(separator: " ").first.map(String.init)?.uppercased() ?? ""
        let stateCode =
            states[stateWord] != nil
            ? stateWord
            : states.first { $0.value.name.lowercased() == stateText.lowercased() }?.key
        guard let stateCode, let centre = states[stateCode] else {
            return (200, envelope(data: [], statusCode: 200, message: nil, status: "successful", requestDate: requestDate))
        }
        var rng = SeededGenerator(seed: 0x6d79_6372_6d66_6363, stream: address.lowercased())
        let coordinates: JSONValue = .array([
            .double(rounded(centre.latitude + (rng.nextUnit() - 0.5), places: 6)),
            .double(rounded(centre.longitude + (rng.nextUnit() - 0.5), places: 6)),
        ])
        let locationID = 1_000_000_000 + Int(rng.next() % 900_000_000)
        let buildingType = FakeData.pick(["R", "R", "B", "X"], using: &rng) ?? "R"
        let unitCount = buildingType == "R" ? Int.random(in: 1...4, using: &rng) : Int.random(in: 5...99, using: &rng)
        var chosen = providers.indices.filter { _ in rng.nextUnit() < 0.45 }
        if chosen.isEmpty { chosen = [Int(rng.next() % UInt64(providers.count))] }
        let bizres = buildingType == "B" ? "B" : "X"
        let detail: [JSONValue] = chosen.map { index in
            let provider = providers[index]
            return MyCRMWire.object([
                ("location_id", .int(locationID)),
                ("provider_name", .string(provider.name)),
                ("brand_name", .string(provider.brand)),
                ("technology_code", .string(provider.technologyCode)),
                ("bizrescode", .string(bizres)),
                ("maxdown", .int(provider.maxDown)),
                ("maxup", .int(provider.maxUp)),
                ("lowlatency", .int(provider.lowLatency)),
                ("frn", .string(provider.frn)),
                ("provider_id", .string(provider.providerID)),
                ("holding_company_name", .string(provider.holding)),
                ("technology_code_type", .string(provider.technology)),
                ("prov_tech_flag", .bool(false)),
            ])
        }
        let location: JSONValue = MyCRMWire.object([
            ("coordinates", coordinates),
            ("unitCount", .int(unitCount)),
            ("buildingTypeCode", .string(buildingType)),
            ("bsl_flag", .bool(true)),
            ("license", .string(license)),
            ("detail", .array(detail)),
        ])
        return (200, envelope(data: [location], statusCode: 200, message: nil, status: "successful", requestDate: requestDate))
    }

    private static func envelope(
        data: [JSONValue], statusCode: Int, message: String?, status: String, requestDate: String
    ) -> JSONValue {
        MyCRMWire.object([
            ("data", .array(data)),
            ("result_count", .int(data.count)),
            ("status_code", .int(statusCode)),
            ("message", message.map(JSONValue.string) ?? .null),
            ("status", .string(status)),
            ("request_date", .string(requestDate)),
        ])
    }

    private static func rounded(_ value: Double, places: Int) -> Double {
        let factor = pow(10.0, Double(places))
        return (value * factor).rounded() / factor
    }

    /// `2025-01-01T16:42:21.481Z`.
    static func isoTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
