import RealtyModel

/// The catalogs the Apimo emulator serves (`GET /catalogs`, `GET /catalogs/{name}`).
///
/// Apimo's coded values (type, step, category, group, ...) refer to catalogs whose numeric values
/// are not public. These entries are the emulator's own small, fixed set, in French and English;
/// clients are expected to resolve labels through `/catalogs`, as the vendor recommends, and never
/// to hard-code them.
enum ApimoCatalogs {
    struct Entry: Sendable {
        var id: Int
        /// Names by language: `fr`, `en`.
        var names: [String: (singular: String, plural: String)]
    }

    /// Catalog name → entries, in id order.
    static let all: [String: [Entry]] = [
        "action_type": [
            entry(1, fr: ("Appel", "Appels"), en: ("Call", "Calls")),
            entry(2, fr: ("E-mail", "E-mails"), en: ("E-mail", "E-mails")),
            entry(3, fr: ("Visite", "Visites"), en: ("Visit", "Visits")),
            entry(4, fr: ("Rendez-vous", "Rendez-vous"), en: ("Meeting", "Meetings")),
            entry(5, fr: ("SMS", "SMS"), en: ("Text message", "Text messages")),
            entry(6, fr: ("Courrier", "Courriers"), en: ("Letter", "Letters")),
        ],
        "contact_title": [
            entry(1, fr: ("M.", "MM."), en: ("Mr", "Messrs")),
            entry(2, fr: ("Mme", "Mmes"), en: ("Mrs", "Mses")),
        ],
        "lead_type": [
            entry(1, fr: ("Demande d'information", "Demandes d'information"), en: ("Information request", "Information requests")),
            entry(2, fr: ("Demande de visite", "Demandes de visite"), en: ("Visit request", "Visit requests")),
            entry(3, fr: ("Estimation", "Estimations"), en: ("Valuation", "Valuations")),
        ],
        "lead_step": [
            entry(1, fr: ("Nouveau", "Nouveaux"), en: ("New", "New")),
            entry(2, fr: ("En cours", "En cours"), en: ("In progress", "In progress")),
            entry(3, fr: ("Traité", "Traités"), en: ("Processed", "Processed")),
            entry(4, fr: ("Archivé", "Archivés"), en: ("Archived", "Archived")),
        ],
        "property_category": [
            entry(1, fr: ("Vente", "Ventes"), en: ("Sale", "Sales")),
            entry(2, fr: ("Location", "Locations"), en: ("Rental", "Rentals")),
            entry(3, fr: ("Location saisonnière", "Locations saisonnières"), en: ("Seasonal rental", "Seasonal rentals")),
        ],
        "property_step": [
            entry(1, fr: ("Prospect", "Prospects"), en: ("Prospect", "Prospects")),
            entry(2, fr: ("Mandat", "Mandats"), en: ("Mandate", "Mandates")),
            entry(3, fr: ("Compromis", "Compromis"), en: ("Under offer", "Under offer")),
            entry(4, fr: ("Vendu", "Vendus"), en: ("Sold", "Sold")),
        ],
        "property_status": [
            entry(1, fr: ("Disponible", "Disponibles"), en: ("Available", "Available")),
            entry(2, fr: ("Réservé", "Réservés"), en: ("Reserved", "Reserved")),
            entry(3, fr: ("Retiré", "Retirés"), en: ("Withdrawn", "Withdrawn")),
        ],
        "property_type": [
            entry(1, fr: ("Appartement", "Appartements"), en: ("Apartment", "Apartments")),
            entry(2, fr: ("Maison", "Maisons"), en: ("House", "Houses")),
            entry(3, fr: ("Terrain", "Terrains"), en: ("Land", "Land")),
            entry(4, fr: ("Commerce", "Commerces"), en: ("Business", "Businesses")),
            entry(5, fr: ("Parking", "Parkings"), en: ("Parking", "Parkings")),
            entry(6, fr: ("Immeuble", "Immeubles"), en: ("Building", "Buildings")),
            entry(7, fr: ("Bureau", "Bureaux"), en: ("Office", "Offices")),
        ],
        "referral": [
            entry(1, fr: ("Site de l'agence", "Sites de l'agence"), en: ("Agency website", "Agency websites")),
            entry(2, fr: ("Portail", "Portails"), en: ("Portal", "Portals")),
            entry(3, fr: ("Recommandation", "Recommandations"), en: ("Referral", "Referrals")),
            entry(4, fr: ("Vitrine", "Vitrines"), en: ("Shop window", "Shop windows")),
        ],
        "unit_area": [
            entry(1, fr: ("m²", "m²"), en: ("m²", "m²")),
            entry(2, fr: ("pi²", "pi²"), en: ("sq ft", "sq ft")),
        ],
        "user_group": [
            entry(1, fr: ("Administrateur", "Administrateurs"), en: ("Administrator", "Administrators")),
            entry(2, fr: ("Négociateur", "Négociateurs"), en: ("Agent", "Agents")),
            entry(3, fr: ("Assistant", "Assistants"), en: ("Assistant", "Assistants")),
        ],
    ]

    /// Catalogs listed as private (visible to agencies, not to every provider). Reading: none of
    /// this small set is private.
    static let privateCatalogs: Set<String> = []

    private static func entry(_ id: Int, fr: (String, String), en: (String, String)) -> Entry {
        Entry(id: id, names: ["fr": fr, "en": en])
    }

    /// The language of a `culture` parameter: `fr`, `fr_FR`, `en-GB` → `fr`, `fr`, `en`.
    /// Reading: without a culture the vendor's own language (French) answers; a language this set
    /// does not carry falls back to English.
    static func language(forCulture culture: String?) -> String {
        guard let culture, !culture.isEmpty else { return "fr" }
        let language = culture.lowercased().split(whereSeparator: { $0 == "_" || $0 == "-" }).first.map(String.init) ?? ""
        return language == "fr" ? "fr" : "en"
    }

    /// Whether `id` is a value of the catalog `name`.
    static func contains(_ name: String, id: Int) -> Bool {
        all[name]?.contains { $0.id == id } ?? false
    }

    /// The ids of a catalog.
    static func ids(_ name: String) -> [Int] {
        all[name]?.map(\.id) ?? []
    }

    /// The entries of a catalog rendered in a language, or `nil` for an unknown catalog.
    static func render(_ name: String, culture: String?) -> JSONValue? {
        guard let entries = all[name] else { return nil }
        let language = language(forCulture: culture)
        return .array(
            entries.map { entry in
                let names = entry.names[language] ?? entry.names["en"] ?? ("", "")
                return [
                    "id": .int(entry.id), "culture": .string(language), "name": .string(names.singular),
                    "name_plurial": .string(names.plural),
                ]
            })
    }
}
