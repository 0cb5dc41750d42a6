import ApimoConnector
import BostonLogicConnector
import ConnectorKit
import Connectors
import Foundation
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector
import Testing

@Suite struct KitCredentialsTests {
    private func decode(_ vendor: VendorID, _ json: String) throws -> any VendorCredentials {
        try ConnectorRegistry.credentials(for: vendor, json: Data(json.utf8))
    }

    private func decode<C: VendorCredentials>(_ type: C.Type, _ json: String) throws -> C? {
        try decode(C.vendor, json) as? C
    }

    private func failure(_ vendor: VendorID, _ json: String) -> ConnectorError? {
        #expect(throws: ConnectorError.self) { try decode(vendor, json) }
    }

    @Test func eachVendorReadsItsOwnKeyNames() throws {
        #expect(
            try decode(PFExpertCredentials.self, #"{"api_key":"abcde.key","api_secret":"s3cr3t-value"}"#)
                == .pfExpert(apiKey: "abcde.key", apiSecret: "s3cr3t-value"))
        #expect(
            try decode(ResalesOnlineCredentials.self, #"{"client_id":42,"client_secret":"prop-secret"}"#)
                == .propq(clientID: 42, clientSecret: "prop-secret"))
        #expect(
            try decode(ResalesOnlineCredentials.self, #"{"client_id":"42","client_secret":"prop-secret"}"#)
                == .propq(clientID: 42, clientSecret: "prop-secret"))
        #expect(
            try decode(MyCRMCredentials.self, #"{"username":"api","access_key":"k3y-value"}"#)
                == .mycrm(username: "api", accessKey: "k3y-value"))
        #expect(
            try decode(ApimoCredentials.self, #"{"provider":123,"token":"tok-value","agency_ids":[14,"15"]}"#)
                == .apimo(provider: "123", token: "tok-value", agencyIDs: ["14", "15"]))
        #expect(
            try decode(ApimoCredentials.self, #"{"provider":"123","token":"tok-value"}"#)
                == .apimo(provider: "123", token: "tok-value", agencyIDs: []))
        // As the sandbox prints them: one comma-separated string.
        #expect(
            try decode(ApimoCredentials.self, #"{"provider":"123","token":"tok-value","agency_ids":"14, 27"}"#)
                == .apimo(provider: "123", token: "tok-value", agencyIDs: ["14", "27"]))
        #expect(
            try decode(BostonLogicCredentials.self, #"{"api_key":"bl-key-value","host":"www.agency.example:8080"}"#)
                == .bostonLogic(apiKey: "bl-key-value", host: "www.agency.example:8080"))
    }

    @Test func errorsNameTheKeyAndNeverTheSecret() throws {
        let missing = failure(.pfExpert, #"{"api_key":"abcde.key"}"#)
        #expect(missing?.kind == .configuration)
        #expect(missing?.message.contains("\"api_secret\" is missing") == true)

        let wrongType = failure(.mycrm, #"{"username":"api","access_key":12345}"#)
        #expect(wrongType?.message.contains("\"access_key\" must be a string") == true)

        let empty = failure(.apimo, #"{"provider":"1","token":"   "}"#)
        #expect(empty?.message.contains("\"token\" is empty") == true)

        for bad in [#""forty-two""#, "4.5", "-3", "true", "null"] {
            let error = failure(.propq, #"{"client_id":\#(bad),"client_secret":"hidden-secret"}"#)
            #expect(error?.message.contains("client_id") == true, "client_id \(bad)")
            #expect(error?.description.contains("hidden-secret") == false)
        }

        let badAgencies = failure(.apimo, #"{"provider":"1","token":"t0ken-value","agency_ids":{"id":14}}"#)
        #expect(badAgencies?.message.contains("agency_ids") == true)
        let emptyAgency = failure(.apimo, #"{"provider":"1","token":"t0ken-value","agency_ids":"14,,27"}"#)
        #expect(emptyAgency?.message.contains("agency_ids") == true)

        let scheme = failure(.bostonLogic, #"{"api_key":"bl-key-value","host":"https://www.agency.example"}"#)
        #expect(scheme?.message.contains("\"host\"") == true)

        let notJSON = failure(.pfExpert, #"{"api_key": "leaked-secret-value", "#)
        #expect(notJSON?.description.contains("leaked-secret-value") == false)
        #expect(notJSON?.message.contains("not valid JSON") == true)

        let array = failure(.pfExpert, #"["api_key"]"#)
        #expect(array?.message.contains("JSON object") == true)
    }

    @Test func descriptionsRedactSecrets() {
        let all: [any VendorCredentials] = [
            .pfExpert(apiKey: "pf-key-0001", apiSecret: "pf-secret-0001"),
            .propq(clientID: 7, clientSecret: "propq-secret-01"),
            .mycrm(username: "api-user", accessKey: "mycrm-access-01"),
            .apimo(provider: "99", token: "apimo-token-01", agencyIDs: ["1"]),
            .bostonLogic(apiKey: "bl-key-000001", host: "www.example.com"),
        ]
        for credentials in all {
            for text in [credentials.description, credentials.debugDescription, String(reflecting: credentials), "\(credentials)"] {
                for secret in credentials.secrets {
                    #expect(!text.contains(secret), "\(credentials.vendor) leaks a secret")
                }
                #expect(text.contains(Redactor.mask))
            }
        }
        #expect(all[3].description.contains("99"))
        #expect(all[4].description.contains("www.example.com"))
    }

    @Test func encodedJSONRoundTrips() throws {
        let credentials = ApimoCredentials(provider: "99", token: "apimo-token-01", agencyIDs: ["1", "2"])
        #expect(try ApimoCredentials.decode(json: credentials.encodedJSON()) == credentials)
        let propq = ResalesOnlineCredentials(clientID: 7, clientSecret: "propq-secret-01")
        #expect(try ResalesOnlineCredentials.decode(json: propq.encodedJSON()) == propq)
    }
}

@Suite struct KitRedactorTests {
    let redactor = Redactor(secrets: ["super-secret-token", "abc"])

    @Test func knownSecretsAreMaskedWhereverTheyAppear() {
        let text = redactor.redact("the vendor said: token super-secret-token is invalid")
        #expect(text == "the vendor said: token [REDACTED] is invalid")
        // Values under 4 characters are not treated as secrets (they would mangle text).
        #expect(redactor.redact("abc def") == "abc def")
    }

    @Test func shapesOfSecretsAreMaskedEvenWhenUnknown() {
        #expect(Redactor().redact("Authorization: Bearer eyJhbGciOi.xyz") == "Authorization: Bearer [REDACTED]")
        #expect(Redactor().redact("Basic dXNlcjpwYXNz") == "Basic [REDACTED]")
        #expect(Redactor().redact(#"{"access_token":"eyJ0","expires_in":1800}"#) == #"{"access_token": "[REDACTED]","expires_in":1800}"#)
        #expect(Redactor().redact("operation=query&sessionName=1a2b3c4d&query=x") == "operation=query&sessionName=[REDACTED]&query=x")
        #expect(Redactor().redact("accessKey=0123abcd&username=bob") == "accessKey=[REDACTED]&username=bob")
        #expect(Redactor().redact(#"{"sessionName": "5f3a"}"#) == #"{"sessionName": "[REDACTED]"}"#)
    }

    @Test func urlsLoseSecretQueryValuesAndUserInfo() throws {
        let url = try #require(URL(string: "https://user:pw@crm.example/webservice.php?operation=query&sessionName=abcd1234&query=SELECT"))
        let text = Redactor().redact(url: url)
        #expect(!text.contains("abcd1234"))
        #expect(!text.contains("pw@"))
        #expect(text.contains("operation=query"))
        #expect(text.contains("sessionName=%5BREDACTED%5D") || text.contains("sessionName=[REDACTED]"))
    }

    @Test func sensitiveHeadersAreMasked() {
        #expect(Redactor().redact(header: "X-BL-API-Key", value: "k") == Redactor.mask)
        #expect(Redactor().redact(header: "authorization", value: "Bearer x") == Redactor.mask)
        #expect(Redactor().redact(header: "Accept", value: "application/json") == "application/json")
    }
}
