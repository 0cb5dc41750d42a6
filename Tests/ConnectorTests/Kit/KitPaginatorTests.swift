import ApimoConnector
import ConnectorKit
import Foundation
import MyCRMConnector
import Testing

@Suite struct KitPaginatorTests {
    @Test func pageNumberWalksUntilTheCountIsCovered() {
        var paginator: PageNumberPaginator? = PageNumberPaginator(perPage: 100)
        var pages: [Int] = []
        let total = 250
        while let current = paginator {
            pages.append(current.page)
            let received = min(100, total - (current.page - 1) * 100)
            paginator = current.next(received: received, total: total)
        }
        #expect(pages == [1, 2, 3])
    }

    @Test func pageNumberStopsOnExactMultipleEmptyOrShortPages() {
        let paginator = PageNumberPaginator(page: 2, perPage: 50)
        #expect(paginator.next(received: 50, total: 100) == nil)
        #expect(paginator.next(received: 0, total: nil) == nil)
        #expect(paginator.next(received: 49, total: nil) == nil)
        #expect(paginator.next(received: 50, total: nil)?.page == 3)
        #expect(paginator.queryItems().map(\.description) == ["page=2", "per_page=50"])
    }

    @Test func offsetAdvancesByWhatWasReceived() {
        // The vendor caps the limit at 1000 although 5000 were asked for.
        let paginator = OffsetPaginator(offset: 0, limit: 5000)
        let next = paginator.next(received: 1000, total: 2500)
        #expect(next?.offset == 1000)
        #expect(next?.next(received: 1000, total: 2500)?.offset == 2000)
        #expect(next?.next(received: 1000, total: 2500)?.next(received: 500, total: 2500) == nil)
        #expect(paginator.next(received: 0, total: 2500) == nil)
        #expect(OffsetPaginator(limit: 10).next(received: 9, total: nil) == nil)
        #expect(OffsetPaginator(limit: 10).next(received: 10, total: nil)?.offset == 10)
    }

    @Test func vtqlBuildsTerminatedStatementsAndAdvancesByThePageSize() {
        let paginator = VTQLPaginator(module: "Leads", condition: "email = \(VTQLPaginator.quote("o'neil@example.com"))")
        #expect(paginator.query == "SELECT * FROM Leads WHERE email = 'o''neil@example.com' ORDER BY id LIMIT 0, 100;")
        #expect(paginator.countQuery == "SELECT COUNT(*) FROM Leads WHERE email = 'o''neil@example.com';")
        // A short page (rows dropped for permissions) does not end the pass.
        let next = paginator.next(received: 97)
        #expect(next?.offset == 100)
        #expect(next?.next(received: 0) == nil)
        var counted = VTQLPaginator(module: "Contacts", columns: ["id", "email"], offset: 100, pageSize: 500, total: 200)
        #expect(counted.pageSize == 100)
        #expect(counted.query == "SELECT id, email FROM Contacts ORDER BY id LIMIT 100, 100;")
        #expect(counted.next(received: 100) == nil)
        counted.total = nil
        #expect(counted.next(received: 100)?.offset == 200)
    }

    @Test func syncFollowsMoreAndResumesFromTheLastModifiedTime() throws {
        let start = SyncPaginator(module: "Leads", modifiedTime: 0)
        guard case .more(let second) = try start.next(more: true, lastModifiedTime: 1_700_000_000, vendor: .mycrm) else {
            Issue.record("expected more")
            return
        }
        #expect(second.modifiedTime == 1_700_000_000)
        guard case .done(let resume) = try second.next(more: false, lastModifiedTime: 1_700_000_500, vendor: .mycrm) else {
            Issue.record("expected done")
            return
        }
        #expect(resume.modifiedTime == 1_700_000_500)
        // A vendor that reports more without moving forward would loop forever.
        #expect(throws: ConnectorError.self) {
            try second.next(more: true, lastModifiedTime: 1_700_000_000, vendor: .mycrm)
        }
    }

    @Test func timestampIncrementalCarriesTheNewestTimeToTheNextPass() {
        let pass = TimestampIncrementalPaginator(since: 100, limit: 2)
        #expect(pass.queryItems().map(\.description) == ["limit=2", "offset=0", "timestamp=100"])
        guard case .more(let second) = pass.next(received: 2, total: 3, timestamp: 150) else {
            Issue.record("expected more")
            return
        }
        #expect(second.page.offset == 2)
        #expect(second.since == 100)
        guard case .done(let next) = second.next(received: 1, total: 3, timestamp: 140) else {
            Issue.record("expected done")
            return
        }
        #expect(next.since == 150)
        #expect(next.page.offset == 0)
        // Nothing new: the next pass starts where this one did.
        guard case .done(let same) = TimestampIncrementalPaginator(since: 100, limit: 2).next(received: 0, total: 0, timestamp: nil) else {
            Issue.record("expected done")
            return
        }
        #expect(same.since == 100)
    }

    @Test func cursorsRoundTripAndForeignCursorsAreRefused() throws {
        let state = TimestampIncrementalPaginator(since: 42, limit: 10)
        let cursor = CursorCoding.encode(state)
        #expect(!cursor.contains("=") && !cursor.contains("+") && !cursor.contains("/"))
        #expect(try CursorCoding.decode(TimestampIncrementalPaginator.self, from: cursor, vendor: .apimo) == state)
        let error = #expect(throws: ConnectorError.self) {
            try CursorCoding.decode(TimestampIncrementalPaginator.self, from: "not-a-cursor", vendor: .apimo)
        }
        #expect(error?.kind == .configuration)
    }
}
