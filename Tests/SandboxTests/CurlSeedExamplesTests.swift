import Dispatch
import Foundation
import RealtyModel
import Testing

@testable import Sandbox

/// Where `curl` is installed, if it is.
let installedCurlPath: String? = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// The curl examples of the vendor documents (`../shared/seeds/`), run with the real `curl`
/// binary against the sandbox, with only the host swapped for the sandbox's (and the documents'
/// placeholders, such as `{access_token}` or `xxxxxxxxxx`, filled with the demo credentials).
///
/// Each example is kept here verbatim, so the test runs without the documents; when the
/// documents are present (`REALTYHUB_SEEDS_DIR`, default `/work/shared/seeds`), the test also
/// checks that every example still appears in them word for word.
///
/// The PropQ and Apimo documents show their requests as PHP (`curl_setopt`). `php` is not
/// installed on the build machines, so those PHP examples are not run; the PropQ requests they
/// make (a multipart token request, as PHP sends an array of `CURLOPT_POSTFIELDS`, then
/// `/api/v1/iam/me`) and the documented unit, publish and publish-status endpoints are run as
/// their curl equivalents instead. Apimo's PHP examples make the same requests as its curl ones.
@Suite(.serialized, .enabled(if: installedCurlPath != nil, "curl is not installed"))
struct CurlSeedExamplesTests {
    static var curlPath: String? { installedCurlPath }

    /// The examples as the documents print them, by seed file.
    enum Seed {
        /// PF Expert (`000_…`): the two curl examples.
        static let pfBearer = #"curl -H "Authorization: Bearer {access_token}" https://api-v2.mycrm.com/{api_endpoint}"#
        static let pfFields = #"curl -H "Token: {token}" https://api-v2.mycrm.com/users/1?fields=id,first_name"#
        /// Apimo (`003_…`): the console examples.
        static let apimoUsers = """
            curl --request GET \\
            --url 'https://api.apimo.pro/agencies/{agency_id}/users' \\
            --user 'provider:token'
            """
        static let apimoActions = """
            curl --request GET \\
            --url 'https://api.apimo.pro/agencies/{agency_id}/users/{user_id}/actions' \\
            --user 'provider:token'
            """
        /// Boston Logic (`004_…`).
        static let bostonLogicOffices =
            #"curl -H "Content-Type: application/json" -H "X-BL-API-Key: xxxxxxxxxx" -X GET http://www.domain.com/api/v2/offices"#
    }

    /// Splits a command line as a POSIX shell would for these examples: single and double quotes,
    /// and backslash-newline continuations.
    static func words(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var iterator = command.replacingOccurrences(of: "\\\n", with: " ").makeIterator()
        while let character = iterator.next() {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\n" || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    struct CurlResult {
        var status: Int
        var body: String
        var json: JSONValue? { try? JSONValue(parsing: Data(body.utf8)) }
    }

    /// Runs `curl` with the example's arguments (the leading `curl` dropped) plus `-sS` and a
    /// trailer carrying the status code. The process is waited for on a dispatch thread, never
    /// on the concurrency pool the in-process sandbox answers from.
    static func run(_ arguments: [String]) async throws -> CurlResult {
        let path = try #require(curlPath)
        var args = arguments
        if args.first == "curl" { args.removeFirst() }
        let finalArguments = ["-sS", "--max-time", "20", "-w", "\n%{http_code}"] + args
        let (status, data, errorText) = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<(Int32, Data, String), any Error>) in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: path)
                process.arguments = finalArguments
                let output = Pipe()
                let errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data, errorText))
            }
        }
        #expect(status == 0, "curl failed: \(errorText)")
        let text = String(decoding: data, as: UTF8.self)
        let newline = text.lastIndex(of: "\n") ?? text.startIndex
        let code = Int(text[newline...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return CurlResult(status: code, body: String(text[..<newline]))
    }

    /// An example with hosts and placeholders replaced.
    static func run(_ example: String, replacing replacements: [(String, String)]) async throws -> CurlResult {
        try await run(
            words(example).map { word in
                replacements.reduce(word) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
            })
    }

    static func options(_ vendors: [SandboxVendor]) -> SandboxOptions {
        SandboxOptions(vendors: vendors, settings: EmulatorSettings(records: 25), clock: .manual())
    }

    @Test func everyExampleIsStillInTheSeeds() throws {
        let directory = ProcessInfo.processInfo.environment["REALTYHUB_SEEDS_DIR"] ?? "/work/shared/seeds"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let seeds = try names.filter { $0.hasSuffix(".txt") }.map {
            try String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
        }.joined(separator: "\n")
        guard !seeds.isEmpty else { return }
        for example in [Seed.pfBearer, Seed.pfFields, Seed.apimoUsers, Seed.apimoActions, Seed.bostonLogicOffices] {
            #expect(seeds.contains(example), "not in the seeds any more: \(example)")
        }
    }

    @Test func pfExpertTokenThenCalls() async throws {
        try await SandboxRunner.withSandbox(Self.options([.pfExpert])) { sandbox in
            let pf = try #require(sandbox.info(.pfExpert))
            let authURL = try #require(pf.authURL)
            let basic = Data("\(pf.credentials["api_key"] ?? ""):\(pf.credentials["api_secret"] ?? "")".utf8)
                .base64EncodedString()
            // The token request as the document shows it (POST, Basic, JSON body).
            let token = try await Self.run([
                "curl", "-X", "POST", authURL, "-H", "Authorization: Basic \(basic)",
                "-H", "Content-Type: application/json",
                "-d", #"{"scope": "openid", "grant_type": "client_credentials"}"#,
            ])
            #expect(token.status == 200, "\(token.body)")
            #expect(token.json?["token_type"] == "Bearer")
            #expect(token.json?["expires_in"] == 1800)
            let accessToken = try #require(token.json?["access_token"]?.strictString)

            let swap = [("https://api-v2.mycrm.com", pf.baseURL), ("{access_token}", accessToken), ("{token}", accessToken)]
            let users = try await Self.run(Seed.pfBearer, replacing: swap + [("{api_endpoint}", "users")])
            #expect(users.status == 200, "\(users.body)")
            #expect(users.json?["users"]?.arrayValue?.isEmpty == false)
            #expect(users.json?["count"] != nil)

            let one = try await Self.run(Seed.pfFields, replacing: swap)
            #expect(one.status == 200, "\(one.body)")
            let user = try #require(one.json?["user"]?.objectValue, "\(one.body)")
            #expect(Set(user.keys) == ["id", "first_name"])
            #expect(user["id"] == 1)
        }
    }

    @Test func propQTokenUnitsAndPublish() async throws {
        try await SandboxRunner.withSandbox(Self.options([.propq])) { sandbox in
            let propq = try #require(sandbox.info(.propq))
            let clientID = propq.credentials["client_id"] ?? ""
            // The PHP example posts an array, which curl sends as multipart/form-data (-F).
            let token = try await Self.run([
                "curl", "\(propq.baseURL)/oauth/token", "-F", "grant_type=client_credentials",
                "-F", "client_id=\(clientID)", "-F", "client_secret=\(propq.credentials["client_secret"] ?? "")",
            ])
            #expect(token.status == 200, "\(token.body)")
            #expect(token.json?["token_type"] == "Bearer")
            let accessToken = try #require(token.json?["access_token"]?.strictString)
            let headers = ["-H", "Content-Type: application/json", "-H", "Authorization: Bearer \(accessToken)"]

            let me = try await Self.run(["curl", "\(propq.baseURL)/api/v1/iam/me"] + headers)
            #expect(me.status == 200, "\(me.body)")
            #expect(me.json?.objectValue?.isEmpty == false)

            // A development of the demo client, and one of its units.
            let emulator = try #require(sandbox.emulator(.propq))
            let developments = try await emulator.control(.list(resource: "developments")).records ?? []
            let mine = try #require(
                developments.first { $0["ClientId"]?.strictString == clientID || $0["ClientId"] == .int(Int(clientID) ?? -1) })
            let developmentID = try #require(mine["DevId"]?.strictString)
            let unitName = try #require(mine["Units"]?.arrayValue?.first?["UntName"]?.strictString)

            let body = #"{"UntName": "\#(unitName)", "UntStatus": 1, "UntPrice": 123456, "UntDirections": []}"#
            let update = try await Self.run(
                ["curl", "-X", "POST", "\(propq.baseURL)/v1/developments/\(developmentID)/units/update-by-name", "-d", body]
                    + headers)
            #expect(update.status == 200, "\(update.body)")
            #expect(update.json?["UntName"]?.strictString == unitName, "\(update.body)")

            let publish = try await Self.run(
                ["curl", "-X", "POST", "\(propq.baseURL)/v1/developments/\(developmentID)/publish"] + headers)
            #expect(publish.status == 200, "\(publish.body)")
            let status = try await Self.run(["curl", "\(propq.baseURL)/v1/developments/\(developmentID)/publish-status"] + headers)
            #expect(status.status == 200, "\(status.body)")
            #expect(status.json?["DevStatus"] == "PUBLISHING")
            let unknown = try await Self.run(["curl", "\(propq.baseURL)/v1/developments/0/publish-status"] + headers)
            #expect(unknown.status == 404)
        }
    }

    @Test func apimoUsersAndActions() async throws {
        try await SandboxRunner.withSandbox(Self.options([.apimo])) { sandbox in
            let apimo = try #require(sandbox.info(.apimo))
            let agency = try #require(apimo.credentials["agency_ids"]?.split(separator: ",").first.map(String.init))
            let swap = [
                ("https://api.apimo.pro", apimo.baseURL), ("{agency_id}", agency),
                ("provider:token", "\(apimo.credentials["provider"] ?? ""):\(apimo.credentials["token"] ?? "")"),
            ]
            let users = try await Self.run(Seed.apimoUsers, replacing: swap)
            #expect(users.status == 200, "\(users.body)")
            let list = try #require(users.json?["users"]?.arrayValue, "\(users.body)")
            #expect(users.json?["total_items"] != nil)
            let userID = try #require(list.first?["id"]?.strictString, "ids are JSON strings")

            let actions = try await Self.run(Seed.apimoActions, replacing: swap + [("{user_id}", userID)])
            #expect(actions.status == 200, "\(actions.body)")
            #expect(actions.json?["actions"]?.arrayValue != nil, "\(actions.body)")
        }
    }

    @Test func bostonLogicOffices() async throws {
        try await SandboxRunner.withSandbox(Self.options([.bostonLogic])) { sandbox in
            let bl = try #require(sandbox.info(.bostonLogic))
            let offices = try await Self.run(
                Seed.bostonLogicOffices,
                replacing: [("http://www.domain.com", bl.baseURL), ("xxxxxxxxxx", bl.credentials["api_key"] ?? "")])
            #expect(offices.status == 200, "\(offices.body)")
            #expect(offices.json?["status"] == "success")
            #expect(offices.json?["message"]?.strictString != nil)
            #expect(offices.json?["data"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test func myCRMAddressService() async throws {
        try await SandboxRunner.withSandbox(Self.options([.mycrm])) { sandbox in
            let mycrm = try #require(sandbox.info(.mycrm))
            // `GET https://prefav2.mycrmllc.com/fcc?address=URLENCODED(address city, state)`.
            let answer = try await Self.run([
                "curl", "--get", "\(mycrm.baseURL)/fcc", "--data-urlencode", "address=1 Main Street Springfield, IL",
            ])
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.json?["data"]?.arrayValue != nil, "\(answer.body)")
        }
    }
}
