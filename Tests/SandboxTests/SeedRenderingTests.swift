import Foundation
import RealtyModel
import Testing

@testable import Sandbox

/// Seeded records written straight from their seed (no record, no JSON tree) against the tree
/// rendering they replace, byte for byte.
@Suite struct SeedRenderingTests {
    /// MyCRM: every seeded Lead and Contact row written from its field values is the text of
    /// its record's tree, over many seeds and clocks.
    @Test func myCRMRowsFromTheSeedMatchTheTree() throws {
        for seed: UInt64 in 0..<24 {
            let now = 1_600_000_000 + Int(seed) * 37_654_321
            let records = 150
            let seeder = MyCRMSeedData(records: records, seed: seed, now: now)
            let store = MyCRMRecordStore()
            seeder.populate(store)
            let owners = store.users().filter(\.isActive).map(\.record.id)
            for index in 0..<records {
                let lead = seeder.seededLead(index: index, owners: owners)
                let leadRow = seeder.seededLeadValues(index: index, owners: owners).rowText()
                #expect(leadRow == MyCRMWire.text(lead.json(in: .leads), columns: MyCRMModule.leads.fieldNames))
                let contact = seeder.seededContact(index: index, owners: owners)
                let contactRow = seeder.seededContactValues(index: index, owners: owners).rowText()
                #expect(contactRow == MyCRMWire.text(contact.json(in: .contacts), columns: MyCRMModule.contacts.fieldNames))
            }
            for module in [MyCRMModule.leads, .contacts] {
                for descending in [false, true] {
                    let fromSeed = try #require(store.rowTexts(of: module, offset: 0, count: records, descending: descending))
                    let fromTree = try #require(
                        store.rowTexts(of: module, offset: 0, count: records, descending: descending, fromSeed: false))
                    #expect(fromSeed == fromTree, "seed \(seed) \(module.name)")
                    #expect(fromSeed.count == records)
                }
            }
        }
    }

    /// MyCRM: values needing escapes or outside ASCII, and empty ones, are written as the tree
    /// writes them.
    @Test func myCRMRowTextEscapesAsTheTree() {
        let samples = [
            "", "O\"Neil", "back\\slash", "line\nbreak\r\ttab", "\u{1}\u{1f}control", "Île-de-France Málaga",
            "emoji 🏠👨‍👩‍👧", "slash / and </script>", "\u{7f}\u{80}\u{2028}", "e\u{301}",
        ]
        for module in [MyCRMModule.leads, .contacts] {
            for (offset, sample) in samples.enumerated() {
                var values = MyCRMFieldValues(module)
                for (slot, name) in module.fieldNames.enumerated() {
                    values[name] = slot % 3 == 0 ? "" : samples[(slot + offset) % samples.count] + sample
                }
                values["unknown_field"] = "ignored"
                let record = values.record(number: 42)
                #expect(record.fields["unknown_field"] == nil)
                #expect(values.rowText() == MyCRMWire.text(record.json(in: module), columns: module.fieldNames))
            }
        }
    }

    /// MyCRM: a row changed, deleted or inserted is served from its stored record, not its seed.
    @Test func myCRMChangedRowsComeFromTheirRecords() throws {
        let store = MyCRMRecordStore()
        let now = 1_735_689_600
        MyCRMSeedData(records: 50, seed: 4, now: now).populate(store)
        let admin = try #require(store.users().first).record.id
        let warm = try #require(store.rowTexts(of: .leads, offset: 0, count: 50, descending: false))
        let leads = try #require(store.records(of: "Leads")).all()
        _ = store.change(leads[3].id, values: ["lastname": "Ünïcode \"quoted\""], replaceAll: false, module: .leads, by: admin, at: now)
        #expect(store.markDeleted(leads[5].id, at: now))
        _ = store.insert(module: .leads, values: ["lastname": "New"], by: admin, at: now)
        let texts = try #require(store.rowTexts(of: .leads, offset: 0, count: 60, descending: false))
        let live = try #require(store.records(of: "Leads")).all()
        #expect(texts == live.map { MyCRMWire.text($0.json(in: .leads), columns: MyCRMModule.leads.fieldNames) })
        #expect(texts[3] != warm[3] && texts[3].contains(#"Ünïcode \"quoted\""#))
        #expect(texts.count == 50)
    }

    /// MyCRM timestamps by arithmetic equal Foundation's calendar over the range they are used for.
    @Test func myCRMTimestampsMatchTheCalendar() {
        var generator = SeededGenerator(seed: 99, stream: "timestamps")
        var samples = [
            0, 59, 3_599, 86_399, 86_400, 951_782_399, 951_782_400, 951_868_800, 4_107_542_400, 4_107_628_800,
            1_735_689_599, 1_735_689_600, 253_402_300_799,
        ]
        for _ in 0..<20_000 { samples.append(Int.random(in: 0..<253_402_300_800, using: &generator)) }
        for _ in 0..<5_000 { samples.append(Int.random(in: 1_500_000_000..<2_000_000_000, using: &generator)) }
        for seconds in samples {
            #expect(MyCRMRecord.timestamp(seconds) == MyCRMRecord.calendarTimestamp(seconds), "\(seconds)")
        }
        for seconds in [-1, -86_401, 253_402_300_800] {
            #expect(MyCRMRecord.timestamp(seconds) == MyCRMRecord.calendarTimestamp(seconds))
        }
    }

    /// Apimo: every seeded contact written from its seed is its record's rendering, over many
    /// seeds and the three agencies, and after changes it comes from the record again.
    @Test func apimoContactsFromTheSeedMatchTheTree() async throws {
        for seed: UInt64 in 0..<12 {
            let clock = SandboxClock.manual()
            clock.advance(by: .seconds(Int(seed) * 9_876_543))
            let state = ApimoState(settings: EmulatorSettings(records: 120, seed: seed), clock: clock)
            if seed % 3 == 1 {
                _ = try await state.control(.mutate(resource: "contacts", count: 20))
                _ = try await state.control(.delete(resource: "contacts", count: 10))
                _ = try await state.control(.insert(resource: "contacts", count: 5))
            }
            for agency in ApimoState.agencyIDs {
                let query = ApimoState.ListQuery(limit: 1000, offset: 0, since: nil, type: nil)
                let fromSeed = try #require(await state.list(.contacts, agency: agency, query: query).texts)
                let fromTree = await state.list(.contacts, agency: agency, query: query, indexed: false).items.map(\.jsonText)
                #expect(fromSeed == fromTree, "seed \(seed) agency \(agency)")
                #expect(fromSeed.count >= 100)
            }
        }
    }

    /// Apimo: Paris date-times by arithmetic equal the Paris calendar's, around every summer-time
    /// change from 1997 to 2099 and at random instants (fractions of a second included).
    @Test func apimoParisTimesMatchTheCalendar() {
        var instants: [Double] = [852_076_800, 4_102_444_799.5, 852_076_799, 4_102_444_800]
        for year in 1997...2099 {
            for month in [3, 10] {
                let last = CivilTime.days(year: year, month: month, day: 31)
                let change = Double((last - (last + 4) % 7) * 86_400 + 3_600)
                instants += [change - 3_601, change - 1, change - 0.25, change, change + 0.5, change + 3_599, change + 3_600]
            }
            let newYear = Double(CivilTime.days(year: year, month: 1, day: 1) * 86_400)
            instants += [newYear - 3_601, newYear - 3_600, newYear - 1, newYear]
        }
        var generator = SeededGenerator(seed: 5, stream: "paris")
        for _ in 0..<10_000 {
            instants.append(Double(Int.random(in: 852_076_800..<4_102_444_800, using: &generator)))
            instants.append(Double(Int.random(in: 1_500_000_000..<2_000_000_000, using: &generator)) + 0.999)
        }
        for interval in instants {
            let date = Date(timeIntervalSince1970: interval)
            let expected = "\(ApimoFormat.calendarDate(date)) \(ApimoFormat.calendarTime(date))"
            #expect(ApimoFormat.dateTime(date) == expected, "\(interval)")
            #expect(ApimoFormat.date(date) == ApimoFormat.calendarDate(date))
            #expect(ApimoFormat.time(date) == ApimoFormat.calendarTime(date))
        }
        for year in [1970, 1996, 2026, 2099] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] {
                let days = CivilTime.days(year: year, month: month, day: day)
                let civil = CivilTime(Date(timeIntervalSince1970: TimeInterval(days * 86_400)))
                if civil.month == month { #expect(civil.year == year && civil.day == day) }
            }
        }
    }

    /// PF Expert: every seeded user written from its seed is its tree's text, over many seeds.
    @Test func pfExpertUsersFromTheSeedMatchTheTree() {
        for seed: UInt64 in 0..<16 {
            for id in 1...400 {
                let tree = PFExpertSeed.derive(.users, id: id, records: 400, seed: seed).jsonText
                #expect(PFExpertSeed.userText(id: id, seed: seed) == tree, "seed \(seed) id \(id)")
            }
        }
        let state = PFExpertState(records: 10, seed: 3)
        #expect(state.seededText(.users, id: 4) == state.record(.users, id: 4)?.jsonText)
        #expect(state.seededText(.leads, id: 4) == nil)
    }

    /// Boston Logic: times by arithmetic equal `formatted(.iso8601)` (fractions of a second
    /// included).
    @Test func bostonLogicTimestampsMatchTheFormatter() {
        var generator = SeededGenerator(seed: 8, stream: "iso8601")
        var instants: [Double] = [0, 0.5, 59.999, 951_782_400, 253_402_300_799, -1, 253_402_300_800]
        for _ in 0..<10_000 {
            instants.append(Double(Int.random(in: 0..<253_402_300_800, using: &generator)))
            instants.append(
                Double(Int.random(in: 1_500_000_000..<2_000_000_000, using: &generator)) + Double.random(in: 0..<1, using: &generator))
        }
        for interval in instants {
            let date = Date(timeIntervalSince1970: interval)
            #expect(BostonLogicState.timestamp(date) == date.formatted(.iso8601), "\(interval)")
        }
    }

    /// Boston Logic: every seeded lead written from its seed is its record's rendering, over
    /// many seeds and both tenants, and after changes it comes from the record again.
    @Test func bostonLogicLeadsFromTheSeedMatchTheTree() async throws {
        for seed: UInt64 in 0..<12 {
            let clock = SandboxClock.manual(start: Date(timeIntervalSince1970: 1_700_000_000 + Double(seed) * 7_654_321.25))
            let state = BostonLogicState(settings: EmulatorSettings(records: 150, seed: seed), clock: clock)
            if seed % 3 == 1 {
                _ = try await state.control(.mutate(resource: "leads", count: 20))
                _ = try await state.control(.delete(resource: "leads", count: 10))
                _ = try await state.control(.insert(resource: "leads", count: 5))
            }
            for tenant in [BostonLogicState.demoTenant, BostonLogicState.secondTenant] {
                let fromSeed = try #require(await state.listTexts(.leads, tenant: tenant, query: .init()))
                let fromTree = await state.list(.leads, tenant: tenant, query: .init()).map(\.jsonText)
                #expect(fromSeed == fromTree, "seed \(seed) \(tenant)")
                #expect(fromSeed.count >= 140)
            }
        }
    }
}
