import CCProxyCore
import CCProxyAuth
import CCProxyStore
import Foundation
import Testing

/// A backend that is down: every call fails as a locked database would.
private final class UnavailableTokens: TokenRepository, UsageRepository {
    private let error = StoreError(kind: .busy, message: "database is locked")

    func insert(_ record: TokenRecord) throws(StoreError) { throw error }
    func insertIfEmpty(_ record: TokenRecord) throws(StoreError) -> Bool { throw error }
    func find(byPrefix prefix: String) throws(StoreError) -> TokenRecord? { throw error }
    func find(byID id: String) throws(StoreError) -> TokenRecord? { throw error }
    func find(byName name: String) throws(StoreError) -> [TokenRecord] { throw error }
    func list() throws(StoreError) -> [TokenRecord] { throw error }
    func delete(id: String) throws(StoreError) -> Bool { throw error }
    func replaceSecret(id: String, prefix: String, hash: String) throws(StoreError) -> Bool { throw error }
    func setDebugCapture(id: String, enabled: Bool) throws(StoreError) -> Bool { throw error }
    func updateSettings(_ record: TokenRecord) throws(StoreError) -> Bool { throw error }
    func touchLastUsed(id: String, at date: Date) throws(StoreError) { throw error }
    func count() throws(StoreError) -> Int { throw error }
    func record(tokenID: String, day: String, tokens: Int) throws(StoreError) { throw error }
    func total(tokenID: String, day: String) throws(StoreError) -> Int { throw error }
    func saveRequestBuckets(_ buckets: [RequestBucketRecord]) throws(StoreError) { throw error }
    func loadRequestBuckets() throws(StoreError) -> [RequestBucketRecord] { throw error }
}

@Suite("TokenAuthority over a failing backend")
struct StoreFailureTests {
    let authority: TokenAuthority

    init() {
        let backend = UnavailableTokens()
        authority = TokenAuthority(
            storage: TokenAuthority.Storage(tokens: backend, usage: backend), hasher: CountingHasher())
    }

    @Test("authorization answers 503, not 401, when the registry cannot be read")
    func authorizeUnavailable() throws {
        let refusal = try #require(authority.authorize(bearer: Bearer.generate().description, requiredScope: "chat").failure)
        #expect(refusal.reason == .storeUnavailable)
        #expect(refusal.error.status == 503)
    }

    @Test("management and usage surface the store error")
    func managementThrows() {
        let expected = TokenAuthorityError.store(StoreError(kind: .busy, message: "database is locked"))
        #expect(throws: expected) { try authority.list() }
        #expect(throws: expected) { try authority.create(name: "a") }
        #expect(throws: expected) { try authority.dailyUsage(tokenID: "x") }
        #expect(throws: expected) { try authority.checkedSeedIfEmpty(environmentToken: nil) }
        #expect(authority.seedIfEmpty(environmentToken: nil) == .populated)
    }
}
