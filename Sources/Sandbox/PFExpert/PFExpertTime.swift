import Foundation

/// PF Expert's date-time format: W3C / ISO-8601 in UTC with seconds, `2012-04-04T09:14:57Z`.
enum PFExpertTime {
    ///
    /// Computed from the civil calendar directly (days since 1970 to year, month, day), so
    /// producing derived records in bulk stays cheap.
    static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970-01-01 to a proleptic Gregorian date (eras of 400 years).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-\(two(month))-\(two(day))T"
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    /// Reads a stored timestamp.
    static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    /// Reads a filter bound: a full ISO-8601 date-time (kept as is), or a day `YYYY-MM-DD`
    /// (the start of that day for `from`, its last second for `to`, UTC).
    /// - Parameters:
    ///   - text: the bound as written.
    ///   - isUpperBound: `true` for `to`.
    /// - Returns: the instant, or `nil` when unreadable.
    static func parseBound(_ text: String, isUpperBound: Bool) -> Date? {
        if let date = parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text) {
            return isUpperBound ? date.addingTimeInterval(86_399) : date
        }
        // Fractional seconds and explicit offsets are accepted too.
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        return nil
    }

    /// The first and last second of the month containing `date` (UTC).
    static func monthBounds(of date: Date) -> (Date, Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let interval = calendar.dateInterval(of: .month, for: date) else { return nil }
        return (interval.start, interval.end.addingTimeInterval(-1))
    }

    /// Start of the seeded history (2024-01-01T00:00:00Z): seeded timestamps fall in 2024, so a
    /// seed always yields the same records whatever the clock says.
    static let seedEpoch = Date(timeIntervalSince1970: 1_704_067_200)
}
