import Foundation
import SignetCBOR
import SignetMedia
import SignetTrust

/// Why a file could not be read at all (as opposed to a file that was read and found invalid, which is a report).
public struct VerifyError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public static let notFound = Code(rawValue: "notFound")
        public static let unreadable = Code(rawValue: "unreadable")
    }
    public var code: Code
    public var reason: String
    public var description: String { reason }
}

/// The outcome of verifying one file.
public struct VerificationReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A manifest store was found and the active manifest validated.
        case validated(ValidationState)
        /// No C2PA manifest in the file (nor in a sidecar beside it).
        case noManifest(reason: String)
        /// The file or its store could not be parsed, or uses something Signet does not support.
        case unreadableManifest(reason: String)
    }

    public var file: String
    public var format: AssetFormat?
    /// Set when the file's name names another format than its content (`clip.mp3` holding a WAV): the content
    /// decides, the difference is reported.
    public var formatMismatch: String?
    /// The URL an XMP `dcterms:provenance` names when the asset embeds no store and has no sidecar: the manifest
    /// is remote. It is never fetched by the verifier (C2PA 2.2, 11.3: fetching is the consumer's choice).
    public var remoteManifest: String?
    public var outcome: Outcome
    public var store: ManifestStore?
    /// Where the store came from: embedded in the asset, or a sidecar file.
    public var storeSource: String?
    public var activeManifest: ManifestValidation?
    /// Ingredient manifests whose validation now differs from what was recorded when they were added.
    public var ingredientDeltas: [IngredientDelta] = []
    /// Validations of the ingredient manifests reached from the active one, by label (no hard binding checked).
    public var ingredientValidations: [String: ManifestValidation] = [:]
    /// For a fragmented presentation (``Verifier/verify(path:fragments:)``): each fragment file's result.
    public var fragments: [BMFFFragmentResult]?

    /// The reason for a non-validated outcome, or the state.
    public var summary: String {
        switch outcome {
        case .validated(let state): return state.rawValue
        case .noManifest(let reason), .unreadableManifest(let reason): return reason
        }
    }

    public var state: ValidationState? {
        if case .validated(let s) = outcome { return s }
        return nil
    }
}

/// Reads and validates the C2PA manifest store of a file.
public struct Verifier: Sendable {
    public var trust: TrustSettings
    /// Trust for CAWG identity assertions' X.509 credentials (separate from the claim signers' trust).
    public var identityTrust: TrustSettings
    public var validationTime: Date?
    /// Revoked certificates (a trust bundle's CRL).
    public var revocations: RevocationList

    /// Finds the remote manifest references (XMP `dcterms:provenance`) of an asset that embeds no store; the CLI
    /// and the service plug in the metadata reader. Nil: remote references are not looked for.
    public var remoteReferences: (@Sendable (FileReader) -> [String])?
    /// Fetches a remote manifest store (``RemoteManifest/fetcher(maxBytes:timeout:)`` with `--remote`); nil: remote
    /// manifests are reported, never fetched. The fetched store is validated against the asset as a sidecar would
    /// be: the asset carries no store, so its data hash may exclude nothing.
    public var fetchRemote: (@Sendable (String) async -> Result<[UInt8], RemoteManifest.Failure>)?

    public init(trust: TrustSettings = .none, identityTrust: TrustSettings = .none, validationTime: Date? = nil, revocations: RevocationList = .init()) {
        self.trust = trust
        self.identityTrust = identityTrust
        self.validationTime = validationTime
        self.revocations = revocations
    }

    /// Verifies `path`. The store is taken from the asset, else from `sidecar` (or `<name>.c2pa` beside it).
    /// Throws only when the file itself cannot be opened.
    public func verify(path: String, sidecar: String? = nil) async throws(VerifyError) -> VerificationReport {
        let reader = try Self.open(path)
        return await verify(reader, bareStore: { () throws -> [UInt8] in try Sidecar.read(path: path) },
                            sidecar: sidecar ?? Sidecar.path(forAsset: path))
    }

    /// Verifies a file held in memory (a service's request body); `name` stands for its path in the report and
    /// in messages. The store is taken from the asset (or the bytes are a bare store); no sidecar is looked for.
    public func verify(bytes: [UInt8], name: String) async -> VerificationReport {
        await verify(FileReader(bytes: bytes, name: name), bareStore: { bytes }, sidecar: nil)
    }

    /// `reader`'s asset, with `bareStore` giving the whole content when it is a bare manifest store, and the store
    /// taken from `sidecar` when the asset embeds none and that file exists.
    private func verify(_ reader: FileReader, bareStore: () throws -> [UInt8], sidecar: String?) async -> VerificationReport {
        let path = reader.path
        var report = VerificationReport(file: path, format: nil, outcome: .noManifest(reason: "no C2PA manifest found"))

        // A bare manifest store (.c2pa) given directly: validate what can be, without an asset.
        let head = (try? reader.readUpTo(at: 0, count: 8)) ?? []
        if head.count == 8, Array(head[4..<8]) == Array("jumb".utf8) {
            return await validateStore(bytes: bareStore, source: "sidecar", asset: nil, report: report)
        }

        let scan: AssetScan
        do {
            // Headers only first (a store written by c2pa-rs or Signet sits before the image data); follow the
            // entropy-coded data to EOI only when nothing was found, so a signed file is read once.
            let quick = try AssetContainer.scan(reader, includeImageData: false)
            scan = quick.manifestStore == nil ? try AssetContainer.scan(reader) : quick
        } catch {
            if error.code == .unsupportedFormat {
                report.outcome = .unreadableManifest(reason: "unsupported file format: \(error.reason)")
            } else {
                report.outcome = .unreadableManifest(reason: "file structure is corrupt: \(error.reason)")
            }
            return report
        }
        report.format = scan.format
        report.formatMismatch = Self.formatMismatch(path: path, content: scan.format)
        if let store = scan.manifestStore {
            return await validateStore(
                bytes: { store }, source: "embedded", asset: BoundAsset(reader: reader, storeRanges: scan.storeRanges, protectedRanges: scan.protectedRanges), report: report)
        }
        if let sidecarPath = sidecar, FileManager.default.fileExists(atPath: sidecarPath) {
            return await validateStore(
                bytes: { () throws -> [UInt8] in try Sidecar.read(path: sidecarPath) }, source: sidecarPath,
                asset: BoundAsset(reader: reader, storeRanges: []), report: report)
        }
        if let url = remoteReferences?(reader).first {
            report.remoteManifest = url
            guard let fetchRemote else {
                report.outcome = .noManifest(reason: "the manifest is remote (XMP dcterms:provenance: \(url)) and was not fetched")
                return report
            }
            switch await fetchRemote(url) {
            case .success(let store):
                return await validateStore(
                    bytes: { store }, source: url, asset: BoundAsset(reader: reader, storeRanges: []), report: report)
            case .failure(let failure):
                report.outcome = .unreadableManifest(reason: "the remote manifest at \(url) could not be fetched: \(failure.reason)")
                return report
            }
        }
        report.outcome = .noManifest(reason: "no C2PA manifest found")
        return report
    }

    /// ``verify(path:sidecar:)`` as a value, for callers that gather many results (a task group).
    ///
    /// Prefer this over wrapping `verify` in a typed `do throws(VerifyError)` inside an async closure: Swift 6.3's
    /// optimizer (-O) loses a value computed before the `try await` in the same return expression there (see
    /// `Spec/engineering-notes.md`).
    public func result(path: String, sidecar: String? = nil) async -> Result<VerificationReport, VerifyError> {
        do {
            let report = try await verify(path: path, sidecar: sidecar)
            return .success(report)
        } catch let error as VerifyError {
            return .failure(error)
        } catch {
            return .failure(VerifyError(code: .unreadable, reason: "\(path): \(error)"))
        }
    }

    /// A note when the file name's extension names another format than the content: containers differ, or the
    /// same non-BMFF container holds another format (BMFF brands overlap too much to second-guess `.mp4`).
    static func formatMismatch(path: String, content: AssetFormat) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = String(name[name.index(after: dot)...])
        guard let named = AssetFormat.from(mimeOrExtension: ext), named != content else { return nil }
        if named.container == .bmff && content.container == .bmff { return nil }
        return "the content is \(content.rawValue.uppercased()) but the name says .\(ext)"
    }

    /// Verifies a fragmented presentation (DASH, CMAF): the initialization segment at `path` as the asset, then each
    /// fragment file, in play order, against the Merkle tree its `c2pa.hash.bmff` assertion stores (C2PA 2.2,
    /// 15.12.2.2). A fragment that was swapped, dropped, reordered or edited adds `assertion.bmffHash.mismatch`
    /// naming the file, and the presentation is Invalid. Throws only when the initialization segment cannot be opened.
    public func verify(path: String, fragments: [String]) async throws(VerifyError) -> VerificationReport {
        var report = try await verify(path: path)
        guard case .validated = report.outcome, var active = report.activeManifest, let store = report.store,
            let manifest = store.activeManifest, case .success(let claim) = manifest.claim
        else { return report }
        let url = JUMBFURI.absolute(manifest: manifest.label, path: "c2pa.assertions")
        let bindings = manifest.claimedAssertions.filter { $0.baseLabel.hasPrefix("c2pa.hash.bmff") }
        guard bindings.count == 1, let binding = bindings.first, let content = binding.content,
            let cbor = try? CBORDecoder().decode(content), let assertion = try? BMFFHashAssertion(cbor: cbor),
            let version = BMFFHashAssertion.version(ofLabel: binding.label), version >= 2
        else {
            active.statuses.failure.append(.init(.assertionBMFFHashMismatch, url: url,
                "fragments were given, but the manifest has no usable BMFF hash binding them"))
            report.activeManifest = active
            report.outcome = .validated(ValidationState(active: active, deltas: report.ingredientDeltas))
            return report
        }
        let bindingURL = JUMBFURI.absolute(manifest: manifest.label, path: "c2pa.assertions/\(binding.label)")
        guard let alg = HashAlgorithm(name: assertion.alg ?? claim.alg ?? "sha256") else {
            report.outcome = .unreadableManifest(reason: "unsupported hash algorithm in the BMFF hash")
            return report
        }
        var readers: [FileReader] = []
        var unreadable: [BMFFFragmentResult] = []
        for fragment in fragments {
            do throws(MediaError) {
                readers.append(try FileReader(path: fragment))
            } catch {
                unreadable.append(BMFFFragmentResult(path: fragment, location: nil, outcome: .mismatch("cannot be read: \(error.reason)")))
            }
        }
        let initReader: FileReader
        do throws(MediaError) {
            initReader = try FileReader(path: path)
        } catch {
            throw VerifyError(code: .unreadable, reason: "\(path): \(error.reason)")
        }
        let result = BMFFHasher.verifyFragments(init: initReader, fragments: readers, assertion: assertion, alg: alg, version: version)
        // Results in the order the files were given (unreadable files, which could not be checked, among them).
        var byPath: [String: BMFFFragmentResult] = [:]
        for r in result.fragments + unreadable { byPath[r.path] = r }
        let ordered = fragments.compactMap { byPath[$0] }
        report.fragments = ordered
        if result.initSegment != BMFFFragmentResult.Outcome.match {
            let why: String
            switch result.initSegment {
            case .mismatch(let r), .malformed(let r): why = r
            case .match: why = ""
            }
            active.statuses.failure.append(.init(.assertionBMFFHashMismatch, url: bindingURL, "initialization segment: \(why)"))
        }
        var matched = 0
        for r in ordered {
            switch r.outcome {
            case .match: matched += 1
            case .mismatch(let why):
                active.statuses.failure.append(.init(.assertionBMFFHashMismatch, url: bindingURL, "fragment \(r.path): \(why)"))
            case .malformed(let why):
                active.statuses.failure.append(.init(.assertionBMFFHashMalformed, url: bindingURL, "fragment \(r.path): \(why)"))
            }
        }
        // The tree says how many fragments the presentation has: fewer given means the last ones were dropped.
        let expected = (assertion.merkle ?? []).map { Int($0.count) }.max() ?? 0
        if fragments.count < expected {
            active.statuses.failure.append(.init(.assertionBMFFHashMismatch, url: bindingURL,
                "the presentation has \(expected) fragments, \(fragments.count) were given: fragments are missing"))
        }
        if matched == fragments.count, fragments.count >= expected, result.initSegment == BMFFFragmentResult.Outcome.match {
            active.statuses.success.append(.init(.assertionBMFFHashMatch, url: bindingURL,
                "\(matched) fragment\(matched == 1 ? "" : "s") match the Merkle tree, in order"))
        }
        report.activeManifest = active
        report.outcome = .validated(ValidationState(active: active, deltas: report.ingredientDeltas))
        return report
    }

    /// ``verify(path:fragments:)`` as a `Result` (see ``result(path:sidecar:)``).
    public func result(path: String, fragments: [String]) async -> Result<VerificationReport, VerifyError> {
        do {
            let report = try await verify(path: path, fragments: fragments)
            return .success(report)
        } catch {
            return .failure(error)
        }
    }

    static func open(_ path: String) throws(VerifyError) -> FileReader {
        do {
            return try FileReader(path: path)
        } catch {
            if error.code == .notFound {
                throw VerifyError(code: .notFound, reason: "\(path): no such file")
            }
            throw VerifyError(code: .unreadable, reason: "\(path): \(error.reason)")
        }
    }

    private func validateStore(
        bytes: () throws -> [UInt8], source: String, asset: BoundAsset?, report: VerificationReport
    ) async -> VerificationReport {
        var report = report
        report.storeSource = source
        let store: ManifestStore
        do {
            store = try ManifestStore(bytes: try bytes())
        } catch {
            report.outcome = .unreadableManifest(reason: "manifest store is unreadable: \(error)")
            return report
        }
        report.store = store
        guard let active = store.activeManifest else {
            report.outcome = .noManifest(reason: "manifest store holds no manifest")
            return report
        }
        let validator = ManifestValidator(trust: trust, identityTrust: identityTrust, validationTime: validationTime ?? Date(), revocations: revocations)
        let memo = VerificationMemo()
        var result = await validator.validate(active, in: store, asset: asset, memo: memo)
        if asset == nil {
            // A store on its own proves nothing about any asset: never Valid or Trusted.
            result.statuses.failure.append(.init(
                .hardBindingNotChecked, url: JUMBFURI.absolute(manifest: active.label, path: ""),
                "only a manifest store was given, without its asset: the hard binding was not checked"))
        }
        report.activeManifest = result
        // Like c2pa-rs, a manifest that needs an algorithm Signet cannot run gets no verdict: it is unsupported.
        if let unsupported = result.statuses.failure.first(where: { $0.code == .algorithmUnsupported }) {
            report.outcome = .unreadableManifest(reason: unsupported.explanation ?? "unsupported algorithm")
            return report
        }
        (report.ingredientDeltas, report.ingredientValidations) = await validator.walkIngredients(of: active, in: store, memo: memo)
        report.outcome = .validated(ValidationState(active: result, deltas: report.ingredientDeltas))
        return report
    }
}
