import Foundation
import SignetMedia
import SignetTrust
import SignetTestSupport
import Testing

@testable import Signet

@Suite(.serialized)
struct RemoteManifestTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    static let url = "https://manifests.example.invalid/photo.c2pa"

    /// A PNG and its store made with --sidecar (the asset untouched, so its data hash excludes nothing), the
    /// sidecar then removed: the store is what a server would hand out.
    func assetAndStore(_ name: String) async throws -> (asset: String, store: [UInt8]) {
        let input = try world.write(SyntheticAsset.png(), "\(name).png")
        var options = SignOptions()
        options.overwrite = true
        options.sidecar = true
        let sidecar = Sidecar.path(forAsset: input)
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: sidecar, options: options)
        let store = try Sidecar.read(path: sidecar)
        try FileManager.default.removeItem(atPath: sidecar)
        return (input, store)
    }

    func verifier(fetch: (@Sendable (String) async -> Result<[UInt8], RemoteManifest.Failure>)?) throws -> Verifier {
        var v = Verifier(trust: try TrustSettings(anchorsPEM: world.anchors))
        v.remoteReferences = { _ in [Self.url] }
        v.fetchRemote = fetch
        return v
    }

    @Test("Without a fetcher a remote reference is reported and nothing is fetched; with one, the fetched store is validated against the asset as if embedded")
    func fetchedStoreIsBoundToTheAsset() async throws {
        let (asset, store) = try await assetAndStore("remote-ok")
        let reported = try await verifier(fetch: nil).verify(path: asset)
        #expect(reported.remoteManifest == Self.url)
        guard case .noManifest(let why) = reported.outcome else { Issue.record("\(reported.outcome)"); return }
        #expect(why.contains("not fetched"))

        let asked = AskedURLs()
        let fetched = try await verifier(fetch: { url in asked.add(url); return .success(store) }).verify(path: asset)
        #expect(asked.all == [Self.url])
        #expect(fetched.state == .trusted)
        #expect(fetched.storeSource == Self.url)
        #expect(fetched.remoteManifest == Self.url)

        // The same store for another picture: its hard binding fails.
        let other = try world.write(SyntheticAsset.jpeg(), "remote-other.jpg")
        let wrong = try await verifier(fetch: { _ in .success(store) }).verify(path: other)
        #expect(wrong.state == .invalid)
        #expect(wrong.activeManifest?.statuses.failure.map(\.code.rawValue).contains("assertion.dataHash.mismatch") == true)
    }

    @Test("A failed fetch makes the file unreadable with the reason, never Valid")
    func failedFetchIsUnreadable() async throws {
        let (asset, _) = try await assetAndStore("remote-fail")
        let report = try await verifier(fetch: { _ in .failure(.init("timed out")) }).verify(path: asset)
        guard case .unreadableManifest(let why) = report.outcome else { Issue.record("\(report.outcome)"); return }
        #expect(why.contains(Self.url) && why.contains("timed out"))
    }

    @Test("The fetcher takes https only, and gives up on a server that never answers within the time given")
    func fetcherRules() async throws {
        for url in ["http://127.0.0.1/x.c2pa", "ftp://example.com/x", "file:///etc/passwd", "https:///nohost", "not a url"] {
            guard case .failure(let f) = await RemoteManifest.fetch(url, maxBytes: 1 << 20, timeout: 5) else {
                Issue.record("\(url) was fetched")
                continue
            }
            #expect(f.reason.contains("https"), "\(url): \(f.reason)")
        }
        // A listener that accepts and never speaks TLS.
        let listener = try SilentListener()
        defer { listener.close() }
        let start = Date()
        let result = await RemoteManifest.fetch("https://127.0.0.1:\(listener.port)/m.c2pa", maxBytes: 1 << 20, timeout: 1.5)
        guard case .failure(let f) = result else { Issue.record("fetched from a silent server"); return }
        // Without a deadline URLSession would wait its default 60 s; the bound leaves room for a loaded CI
        // machine, where this once took 26 s because every test was competing for two cores.
        #expect(Date().timeIntervalSince(start) < 45, "\(f.reason)")
        #expect(f.reason.contains("timed out"), "\(f.reason)")
    }
}

final class AskedURLs: @unchecked Sendable {
    private let lock = NSLock()
    private var urls: [String] = []
    func add(_ url: String) { lock.withLock { urls.append(url) } }
    var all: [String] { lock.withLock { urls } }
}

/// A TCP listener on loopback that accepts connections and never writes.
final class SilentListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(s, 8) == 0 else {
            _ = Glibc.close(s)
            throw POSIXError(.EADDRINUSE)
        }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        fd = s
        port = UInt16(bigEndian: out.sin_port)
    }

    func close() { _ = Glibc.close(fd) }
}
