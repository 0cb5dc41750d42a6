/// Small, deterministic fake-data vocabulary for seeding emulators.
///
/// Every function draws from the generator it is given, so a seeded generator always yields the
/// same records. Emails are derived from names and a number so they stay unique within a run.
public enum FakeData {
    /// First names (mixed origins, as in the markets the vendors serve).
    public static let firstNames = [
        "James", "Mary", "Ahmed", "Fatima", "Olivia", "Liam", "Sofia", "Omar", "Chloe", "Lucas",
        "Aisha", "Noah", "Emma", "Youssef", "Camille", "Hugo", "Layla", "Ethan", "Mia", "Karim",
        "Elena", "Mateo", "Priya", "Arjun", "Hannah", "Leo", "Zara", "Louis", "Nadia", "Samuel",
    ]
    /// Last names.
    public static let lastNames = [
        "Smith", "Johnson", "Haddad", "Martin", "Dubois", "Garcia", "Khan", "Brown", "Bernard",
        "Rossi", "Nasser", "Taylor", "Moreau", "Silva", "Patel", "Walker", "Laurent", "Costa",
        "Hughes", "Rahman", "Lefebvre", "Murphy", "Fischer", "Ali", "Kelly", "Novak", "Romero",
    ]
    /// Cities with their region and ISO country code.
    public static let cities: [(city: String, region: String, country: String)] = [
        ("Dubai", "Dubai", "AE"), ("Abu Dhabi", "Abu Dhabi", "AE"), ("Sharjah", "Sharjah", "AE"),
        ("Boston", "MA", "US"), ("Cambridge", "MA", "US"), ("Miami", "FL", "US"),
        ("Paris", "Île-de-France", "FR"), ("Lyon", "Auvergne-Rhône-Alpes", "FR"),
        ("Nice", "Provence-Alpes-Côte d'Azur", "FR"), ("Marbella", "Andalucía", "ES"),
        ("Málaga", "Andalucía", "ES"), ("Estepona", "Andalucía", "ES"),
    ]
    /// Dubai communities (used by PF Expert locations).
    public static let communities = [
        "Dubai Marina", "Downtown Dubai", "Jumeirah Village Circle", "Business Bay",
        "Palm Jumeirah", "Dubai Hills Estate", "Arabian Ranches", "Jumeirah Lake Towers",
    ]
    /// Street names.
    public static let streets = [
        "Main Street", "Oak Avenue", "Rue de la Paix", "Calle Larios", "Sheikh Zayed Road",
        "Beacon Street", "Boulevard Haussmann", "Al Wasl Road", "Harbor Drive", "Avenida del Mar",
        "Elm Street", "Marina Walk", "Commonwealth Avenue", "Rue Victor Hugo",
    ]
    /// Property types.
    public static let propertyTypes = [
        "apartment", "villa", "townhouse", "penthouse", "duplex", "office-space", "land", "shop",
    ]
    /// Mail domains (reserved example domains, never real mailboxes).
    public static let mailDomains = ["example.com", "example.org", "example.net"]

    /// A random element of a non-empty array (the first one for an empty array never happens
    /// with the vocabularies above; returns `nil` only for an empty array).
    public static func pick<T>(_ values: [T], using rng: inout some RandomNumberGenerator) -> T? {
        values.isEmpty ? nil : values[Int.random(in: 0..<values.count, using: &rng)]
    }

    /// A first name.
    public static func firstName(using rng: inout some RandomNumberGenerator) -> String {
        pick(firstNames, using: &rng) ?? "Alex"
    }

    /// A last name.
    public static func lastName(using rng: inout some RandomNumberGenerator) -> String {
        pick(lastNames, using: &rng) ?? "Doe"
    }

    /// An email address built from a name and a discriminator, lower-cased ASCII.
    /// - Parameters:
    ///   - first: first name.
    ///   - last: last name.
    ///   - number: a discriminator (e.g. the record's index) that keeps emails unique.
    public static func email(
        first: String, last: String, number: Int, using rng: inout some RandomNumberGenerator
    ) -> String {
        let local = "\(asciiSlug(first)).\(asciiSlug(last))\(number)"
        return "\(local)@\(pick(mailDomains, using: &rng) ?? "example.com")"
    }

    /// A phone number in E.164 form for a country code (`AE`, `US`, `FR`, `ES`; others get `+1`).
    public static func phone(country: String = "AE", using rng: inout some RandomNumberGenerator) -> String {
        let digits = (0..<7).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
        switch country {
        case "AE": return "+97150\(digits)"
        case "FR": return "+336\(digits)\(Int.random(in: 0...9, using: &rng))"
        case "ES": return "+346\(digits)\(Int.random(in: 0...9, using: &rng))"
        default: return "+1617\(digits)"
        }
    }

    /// A city with its region and country.
    public static func city(using rng: inout some RandomNumberGenerator) -> (city: String, region: String, country: String) {
        pick(cities, using: &rng) ?? ("Dubai", "Dubai", "AE")
    }

    /// A street address such as `"42 Oak Avenue"`.
    public static func streetAddress(using rng: inout some RandomNumberGenerator) -> String {
        "\(Int.random(in: 1...250, using: &rng)) \(pick(streets, using: &rng) ?? "Main Street")"
    }

    /// A property type.
    public static func propertyType(using rng: inout some RandomNumberGenerator) -> String {
        pick(propertyTypes, using: &rng) ?? "apartment"
    }

    /// A price rounded to the thousand, between `range` bounds.
    public static func price(in range: ClosedRange<Int> = 150_000...5_000_000, using rng: inout some RandomNumberGenerator) -> Int {
        Int.random(in: range, using: &rng) / 1000 * 1000
    }

    /// Lower-case ASCII letters and digits of a string (accents folded away where simple).
    public static func asciiSlug(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                switch scalar {
                case "é", "è", "ê", "ë": out += "e"
                case "à", "â", "á": out += "a"
                case "î", "ï", "í": out += "i"
                case "ô", "ó": out += "o"
                case "ù", "û", "ü", "ú": out += "u"
                case "ç": out += "c"
                case "ñ": out += "n"
                default: break
                }
            }
        }
        return out
    }
}
