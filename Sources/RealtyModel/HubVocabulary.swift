/// The hub's own values for the Contacts fields RESO leaves open, shared by every connector: the
/// same value means the same thing whichever vendor a record comes from or goes to.
///
/// RESO's `ContactStatus` lookup (Active, Inactive, OnVacation, Deleted) describes the contact
/// record itself; the CRMs the hub connects use the field for a lead's stage in the agency's
/// pipeline, so the hub's values are stages. RESO publishes no lead-source list. Both follow
/// RESO's enumeration style (each word capitalised, no spaces). Each connector maps its vendor's
/// words onto a subset of these (`docs/vocabularies.md` prints them side by side); a value a
/// vendor has no word for is a field error naming the values that vendor accepts.
public enum HubVocabulary {
    /// `ContactStatus`: a lead's pipeline stage, in pipeline order.
    public static let contactStatuses = [
        "New", "Contacted", "Nurturing", "Qualified", "Viewing", "Negotiation", "Won", "Lost", "Closed",
    ]

    /// `LeadSource`: where a lead came from.
    public static let leadSources = [
        "Website", "Zillow", "Realtor.com", "PropertyFinder", "Bayut", "OpenHouse", "WalkIn", "Referral", "ColdCall", "ExistingCustomer",
        "SelfGenerated",
        "Employee", "Partner", "PublicRelations", "DirectMail", "Conference", "TradeShow", "WordOfMouth", "Other",
    ]
}
