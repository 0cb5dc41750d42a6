import Foundation
public import RealtyModel

/// The answer of MyCRM's address service-availability check (`GET /fcc?address=…`): the
/// broadband services available at an address, per location found.
///
/// Text values are trimmed: the vendor's sample carries stray spaces and line breaks inside
/// strings (`" successful "`). Numbers that the sample sends unquoted (`location_id`, `maxdown`)
/// and those it quotes (`frn`, `provider_id`, `technology_code`) are both accepted either way.
public struct AddressAvailability: Sendable, Hashable {
    /// One location matching the address.
    public struct Location: Sendable, Hashable {
        /// Latitude, from `coordinates[0]`.
        public var latitude: Double?
        /// Longitude, from `coordinates[1]`.
        public var longitude: Double?
        public var unitCount: Int?
        public var buildingTypeCode: String?
        /// `bsl_flag`: whether the location is a broadband serviceable location.
        public var isBroadbandServiceable: Bool?
        /// The data licence notice that comes with the location.
        public var license: String?
        /// The services offered at the location.
        public var providers: [Provider]

        public init(
            latitude: Double? = nil, longitude: Double? = nil, unitCount: Int? = nil, buildingTypeCode: String? = nil,
            isBroadbandServiceable: Bool? = nil, license: String? = nil, providers: [Provider] = []
        ) {
            self.latitude = latitude
            self.longitude = longitude
            self.unitCount = unitCount
            self.buildingTypeCode = buildingTypeCode
            self.isBroadbandServiceable = isBroadbandServiceable
            self.license = license
            self.providers = providers
        }
    }

    /// One provider's service at a location (an element of `detail`).
    public struct Provider: Sendable, Hashable {
        public var locationID: String?
        public var providerName: String?
        public var brandName: String?
        public var technologyCode: String?
        /// `technology_code_type`, e.g. `Copper`, `Cable`, `Fiber to the Premises`.
        public var technology: String?
        /// `bizrescode`: business/residential code.
        public var businessResidentialCode: String?
        /// Maximum download speed (`maxdown`, Mbit/s).
        public var maxDownload: Double?
        /// Maximum upload speed (`maxup`, Mbit/s).
        public var maxUpload: Double?
        /// `lowlatency`: whether the service is low latency.
        public var isLowLatency: Bool?
        /// FCC registration number.
        public var frn: String?
        public var providerID: String?
        public var holdingCompanyName: String?
        /// `prov_tech_flag`.
        public var providerTechnologyFlag: Bool?

        public init() {}
    }

    /// The locations found (`data`).
    public var locations: [Location]
    /// `result_count`.
    public var resultCount: Int?
    /// `status_code` inside the body (the service's own status).
    public var statusCode: Int?
    /// `status`, e.g. `successful`.
    public var status: String?
    /// `message`, when the service sends one.
    public var message: String?
    /// `request_date`, as sent.
    public var requestDate: String?
    /// The answer exactly as received.
    public var raw: JSONValue

    public init(
        locations: [Location], resultCount: Int? = nil, statusCode: Int? = nil, status: String? = nil,
        message: String? = nil, requestDate: String? = nil, raw: JSONValue
    ) {
        self.locations = locations
        self.resultCount = resultCount
        self.statusCode = statusCode
        self.status = status
        self.message = message
        self.requestDate = requestDate
        self.raw = raw
    }

    /// Whether any location has at least one provider.
    public var isServiceAvailable: Bool { locations.contains { !$0.providers.isEmpty } }
}

extension AddressAvailability {
    /// Reads the service's JSON answer.
    ///
    /// - Returns: `nil` when the answer is not an object or `data` is present but not a list.
    init?(json: JSONValue) {
        guard case .object = json else { return nil }
        let data = json["data"] ?? .array([])
        guard let list = data.isNull ? [] : data.arrayValue else { return nil }
        var locations: [Location] = []
        for element in list {
            guard case .object = element else { return nil }
            var location = Location()
            if let coordinates = element["coordinates"]?.arrayValue, coordinates.count >= 2 {
                location.latitude = coordinates[0].doubleValue
                location.longitude = coordinates[1].doubleValue
            }
            location.unitCount = element["unitCount"]?.intValue.map { Int($0) }
            location.buildingTypeCode = Self.text(element["buildingTypeCode"])
            location.isBroadbandServiceable = element["bsl_flag"]?.boolValue
            location.license = Self.text(element["license"])
            for detail in element["detail"]?.arrayValue ?? [] {
                guard case .object = detail else { continue }
                var provider = Provider()
                provider.locationID = Self.text(detail["location_id"])
                provider.providerName = Self.text(detail["provider_name"])
                provider.brandName = Self.text(detail["brand_name"])
                provider.technologyCode = Self.text(detail["technology_code"])
                provider.technology = Self.text(detail["technology_code_type"])
                provider.businessResidentialCode = Self.text(detail["bizrescode"])
                provider.maxDownload = detail["maxdown"]?.doubleValue
                provider.maxUpload = detail["maxup"]?.doubleValue
                provider.isLowLatency = detail["lowlatency"]?.boolValue
                provider.frn = Self.text(detail["frn"])
                provider.providerID = Self.text(detail["provider_id"])
                provider.holdingCompanyName = Self.text(detail["holding_company_name"])
                provider.providerTechnologyFlag = detail["prov_tech_flag"]?.boolValue
                location.providers.append(provider)
            }
            locations.append(location)
        }
        self.init(
            locations: locations,
            resultCount: json["result_count"]?.intValue.map { Int($0) },
            statusCode: json["status_code"]?.intValue.map { Int($0) },
            status: Self.text(json["status"]),
            message: Self.text(json["message"]),
            requestDate: Self.text(json["request_date"]),
            raw: json)
    }

    /// The query value the service expects: `address city, state` in one string.
    static func queryValue(street: String, city: String, state: String) -> String {
        let head = [street, city]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        let tail = state.trimmingCharacters(in: .whitespacesAndNewlines)
        if tail.isEmpty { return head }
        return head.isEmpty ? tail : head + ", " + tail
    }

    private static func text(_ value: JSONValue?) -> String? {
        guard let value = value?.stringValue else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
