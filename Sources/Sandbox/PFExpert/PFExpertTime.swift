import Foundation

/// PF Expert's date-time format: W3C / ISO-8601 in UTC with seconds, `2012-04-04T09:14:57Z`.
enum PFExpertTime {
    /// A timestamp in that format, from the civil calendar directly (``CivilTime``), so
    /// producing derived records in bulk stays cheap.
    static func format(_ date: Date) -> String {
        let time = CivilTime(date)
        let two = CivilTime.two
        let yearText = String(time.year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-\(two(time.month))-\(two(time.day))T"
            + "\(two(time.hour)):\(two(time.minute)):\(two(time.second))Z"
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
