import Crypto
import Foundation
import SignetCBOR
import SignetCOSE
import SignetJUMBF
import SignetMedia
import SignetTimestamp
import SignetTrust

/// Makes claim thumbnails. The C2PA model does not decode pixels itself: the CLI plugs in libjpeg-turbo/libpng,
/// a capture app on an Apple platform can plug in the system's codecs.
public protocol ThumbnailProvider: Sendable {
    /// A JPEG (or PNG) thumbnail of the image at `path`, or nil when none should be embedded.
    func thumbnail(forImageAt path: String) throws -> (data: [UInt8], mediaType: String)?
}

/// Why signing failed. Codes are stable; the CLI maps them to exit statuses.
public struct SignError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        public static let inputNotFound = Code(rawValue: "inputNotFound")
        public static let inputUnreadable = Code(rawValue: "inputUnreadable")
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
        public static let corruptInput = Code(rawValue: "corruptInput")
        public static let outputExists = Code(rawValue: "outputExists")
        public static let outputIsInput = Code(rawValue: "outputIsInput")
        public static let outputFailed = Code(rawValue: "outputFailed")
        public static let signerFailed = Code(rawValue: "signerFailed")
        public static let thumbnailFailed = Code(rawValue: "thumbnailFailed")
        public static let invalidOptions = Code(rawValue: "invalidOptions")
    }
    public var code: Code
    public var reason: String
    public var description: String { reason }
}

public struct SignOptions: Sendable {
    public var title: String?
    /// A digital source type URL for the `c2pa.created` action (short names are resolved by `DigitalSourceType`).
    public var digitalSourceType: String = DigitalSourceType.url(for: "digitalCapture")!
    public var thumbnail: Bool = true
    /// Write the manifest store to `output` as a separate `.c2pa` file and leave the asset untouched.
    public var sidecar: Bool = false
    public var overwrite: Bool = false
    /// Ingredients: at most one `parentOf` (the asset this one was edited from), any number of others. Their
    /// manifest stores are carried into the new store, so the history travels with the asset.
    public var ingredients: [IngredientInput] = []
    /// Actions to record after `c2pa.opened` / `c2pa.created` (and `c2pa.placed` for components).
    public var actions: [ActionInput] = []
    /// Trust used when validating ingredients' manifests at signing time (recorded as their `validationResults`).
    public var ingredientTrust: TrustSettings = .none
    /// A CAWG identity assertion (`cawg.identity`, X.509 COSE) signed by the publisher's own credential, vouching
    /// for every assertion of the new manifest, the hard binding included.
    public var identity: IdentityOptions?
    /// DER OCSP responses for the signer's certificate (and intermediates), stapled in the claim signature's
    /// unprotected header as `rVals: {ocspVals: [...]}` (C2PA 2.2, 14.5.2).
    public var ocspResponses: [[UInt8]] = []
    /// An RFC 3161 timestamp authority: the claim signature gets a `sigTst2` token over it (C2PA 2.2, 10.3.2.5).
    public var timestamper: (any TimestampProvider)?
    /// For an initialization segment whose fragments were signed by ``Builder/signFragmented(initSegment:fragments:output:fragmentsDirectory:options:)``:
    /// the Merkle maps (their `initHash` is filled in over the written file); the BMFF hash then has no file hash.
    var bmffMerkle: [BMFFHashAssertion.MerkleMap]?
    /// ISO BMFF only: also bind each `mdat` by a Merkle tree of blocks of this many bytes (at least 1 KiB), so a
    /// player can check the media as it streams (C2PA 2.2, A.5.4.1.1).
    public var merkleBlockSize: Int?
    public init() {}
}

/// A source of RFC 3161 timestamp tokens: a TSA over HTTP, or one in-process (the key registry's).
public protocol TimestampProvider: Sendable {
    /// A DER TimeStampToken (or TimeStampResp holding one) whose message imprint is SHA-256 of `data`.
    func timestamp(_ data: [UInt8]) async throws -> [UInt8]
    /// An upper bound on the token's size, to reserve room before signing.
    var maximumTokenSize: Int { get }
}

/// Who the publisher is, for a CAWG X.509 identity assertion: a signer (any ``COSESigner``, so the identity key
/// can live in an HSM too) whose chain names the publisher, and the roles it claims (`cawg.creator`, ...).
public struct IdentityOptions: Sendable {
    public var signer: any COSESigner
    public var roles: [String]
    public init(signer: any COSESigner, roles: [String] = []) {
        self.signer = signer
        self.roles = roles
    }
}

public struct SignResult: Sendable {
    public var output: String
    public var manifestLabel: String
    public var storeSize: Int
    public var thumbnailSize: Int?
    public var assetHash: [UInt8]
}

/// Signs JPEG and PNG assets: builds a C2PA v2 claim with actions, an optional thumbnail, the publisher's
/// assertions and a `c2pa.hash.data` hard binding, signs it through any `COSESigner`, and embeds the store.
///
/// The asset is streamed, never held whole: the data hash covers exactly the input's bytes minus any old store,
/// so it is computed on one core while the thumbnail is decoded on another; then the store's size is fixed
/// (placeholder hash, padded signature), the asset is copied to a temporary output around a placeholder, and the
/// signed store is written over the placeholder before the rename. An input that changes between the two reads
/// is refused.
public struct Builder: Sendable {
    public static let generatorName = "Signet"
    public static let version = "0.1.0"

    public var definition: ManifestDefinition
    public var signer: any COSESigner
    public var thumbnails: (any ThumbnailProvider)?

    public init(definition: ManifestDefinition = .init(), signer: any COSESigner, thumbnails: (any ThumbnailProvider)? = nil) {
        self.definition = definition
        self.signer = signer
        self.thumbnails = thumbnails
    }

    public func sign(input: String, output: String, options: SignOptions = .init()) async throws(SignError) -> SignResult {
        if Self.samePath(input, output) {
            throw SignError(code: .outputIsInput, reason: "output would overwrite the input file \(input); choose another --output")
        }
        let reader: FileReader
        do {
            reader = try FileReader(path: input)
        } catch {
            throw SignError(code: error.code == .notFound ? .inputNotFound : .inputUnreadable, reason: "\(input): \(error.reason)")
        }
        let scan: AssetScan
        do {
            scan = try AssetContainer.scan(reader)
        } catch {
            if error.code == .unsupportedFormat {
                throw SignError(code: .unsupportedFormat, reason: "\(input): \(error.reason) (Signet signs JPEG, PNG, WebP, WAV, AVI, MP3, FLAC, MP4, MOV, M4A, HEIF, HEIC and AVIF)")
            }
            throw SignError(code: .corruptInput, reason: "\(input): \(error.reason)")
        }

        let manifestLabel = "urn:c2pa:\(UUID().uuidString.lowercased())"
        guard options.ingredients.filter({ $0.relationship == .parentOf }).count <= 1 else {
            throw SignError(code: .invalidOptions, reason: "an asset has at most one parent ingredient")
        }
        var ingredients: [PreparedIngredient] = []
        for ingredient in options.ingredients {
            if Self.samePath(ingredient.path, output) {
                throw SignError(code: .outputIsInput, reason: "output would overwrite the ingredient \(ingredient.path)")
            }
            ingredients.append(try await prepare(ingredient, trust: options.ingredientTrust))
        }
        let stamp = Self.fileStamp(input)

        // JPEG and PNG: while libjpeg-turbo or libpng makes the thumbnail on one core, the other hashes the input
        // minus its old store, which is exactly what the data hash of the output covers (nothing else moves). For
        // the other containers the hash is taken while the output is written (their headers change).
        let overlap = options.thumbnail && thumbnails != nil && !options.sidecar && (scan.format == .jpeg || scan.format == .png)
        async let early: Result<[UInt8], SignError>? = overlap ? Self.hashInput(reader, excluding: scan.carrierRanges, input: input) : nil
        let thumbnail = Self.makeThumbnail(options.thumbnail ? thumbnails : nil, input: input, reader: reader, scan: scan)
        let earlyHash = try await early?.get()
        var parts = try await makeAssertions(
            input: input, outputPath: output, scan: scan, options: options, thumbnail: try thumbnail.get(), ingredients: ingredients)
        let thumbnailSize = parts.thumbnailSize

        if options.sidecar {
            let hash: [UInt8]
            do {
                if scan.format.container == .bmff {
                    let bmff = try BMFFHasher.signingHash(of: reader, alg: .sha256)
                    parts.bmffHash = bmff
                    hash = bmff.hash ?? []
                } else {
                    hash = try AssetHasher.hash(reader, excluding: [], algorithm: .sha256)
                    parts.dataHash = DataHashAssertion(exclusions: [], hash: hash)
                }
            } catch {
                throw SignError(code: .inputUnreadable, reason: "\(input): \(error)")
            }
            let store = try await assemble(label: manifestLabel, parts: parts, options: options, signatureReserve: nil)
            let out = try openOutput(output, overwrite: options.overwrite)
            do {
                try out.write(store)
                try out.commit()
            } catch {
                throw SignError(code: .outputFailed, reason: "\(output): \(error)")
            }
            return SignResult(output: output, manifestLabel: manifestLabel, storeSize: store.count, thumbnailSize: thumbnailSize, assetHash: hash)
        }

        // 1. Fix the layout: the exclusion must name the store's final position and encoded size, which depend
        //    on the store's size, which depends (a little) on the exclusion's numbers.
        let reserve = signatureReserve(options)
        var plan: EmbeddingPlan?
        var placeholder: [UInt8] = []
        var exclusion: Range<Int64> = 0..<0
        let bmff = scan.format.container == .bmff
        var mdats: [BMFFBox] = []
        if let block = options.merkleBlockSize {
            guard bmff else { throw SignError(code: .invalidOptions, reason: "Merkle trees bind ISO BMFF media (MP4, MOV, M4A, HEIF, AVIF) only") }
            guard block >= MdatMerkle.minimumBlockSize else {
                throw SignError(code: .invalidOptions, reason: "a Merkle block must be at least \(MdatMerkle.minimumBlockSize) bytes")
            }
            do {
                mdats = try MdatMerkle.mdats(reader)
            } catch {
                throw SignError(code: .corruptInput, reason: "\(input): \(error)")
            }
            guard !mdats.isEmpty else { throw SignError(code: .invalidOptions, reason: "\(input) has no mdat box to build a Merkle tree over") }
        }
        for _ in 0..<16 {
            if bmff {
                // The BMFF binding names boxes, not byte positions: its size does not depend on the layout.
                if let block = options.merkleBlockSize {
                    parts.bmffHash = MdatMerkle.assertion(mdats: mdats, blockSize: block, leaves: nil, hash: [UInt8](repeating: 0, count: 32))
                } else if let maps = options.bmffMerkle {
                    var assertion = BMFFHashAssertion.signetDefault(alg: "sha256")
                    assertion.merkle = maps.map { var m = $0; m.initHash = [UInt8](repeating: 0, count: 32); return m }
                    parts.bmffHash = assertion
                } else {
                    parts.bmffHash = BMFFHashAssertion.signetDefault(alg: "sha256", hash: [UInt8](repeating: 0, count: 32))
                }
            } else {
                parts.dataHash = DataHashAssertion(exclusions: [exclusion], hash: [UInt8](repeating: 0, count: 32))
            }
            placeholder = try await assemble(label: manifestLabel, parts: parts, options: options, signatureReserve: reserve, placeholderSignature: true)
            let next: EmbeddingPlan
            do {
                next = try AssetContainer.plan(reader, scan: scan, storeSize: placeholder.count)
            } catch {
                throw SignError(code: error.code == .storeTooLarge ? .invalidOptions : .corruptInput, reason: "\(input): \(error.reason)")
            }
            if next.excludedRange == exclusion {
                plan = next
                break
            }
            exclusion = next.excludedRange
        }
        guard let plan else {
            throw SignError(code: .invalidOptions, reason: "could not settle the manifest layout")
        }

        // 2. Write the output with a placeholder store, hashing every byte the data hash covers on the way.
        let out = try openOutput(output, overwrite: options.overwrite)
        var hasher = HashAlgorithm.sha256.makeHasher()
        // A BMFF hash is taken over the written file below; a data hash while writing, unless it was taken already.
        let hashWhileWriting = !bmff && (earlyHash == nil || plan.rewritesInput)
        do {
            let placeholderEncoded = try AssetContainer.encodeStore(placeholder, for: scan)
            try AssetContainer.write(from: reader, plan: plan, encodedStore: placeholderEncoded, to: out) { if hashWhileWriting { hasher.update($0) } }
        } catch {
            out.discard()
            throw SignError(code: .outputFailed, reason: "\(output): \(error)")
        }
        var assetHash = hashWhileWriting ? hasher.finalize() : (earlyHash ?? [])
        guard Self.fileStamp(input) == stamp else {
            out.discard()
            throw SignError(code: .inputUnreadable, reason: "\(input) changed while it was being signed")
        }
        if bmff {
            // The BMFF hash is taken over the written file: box offsets are the output's.
            do {
                let written = try FileReader(path: out.temporaryPath)
                if let block = options.merkleBlockSize {
                    // The output's mdat boxes are the input's, moved: the same sizes, so the same leaf counts.
                    let placed = try MdatMerkle.mdats(written)
                    let leaves = try MdatMerkle.leaves(written, mdats: placed, blockSize: block)
                    var assertion = MdatMerkle.assertion(mdats: placed, blockSize: block, leaves: leaves, hash: nil)
                    assertion.hash = try BMFFHasher(reader: written).digest(assertion, version: 3, alg: .sha256)
                    parts.bmffHash = assertion
                    assetHash = assertion.hash ?? []
                } else if var assertion = parts.bmffHash, options.bmffMerkle != nil {
                    // An initialization segment: its hash goes into each Merkle map's initHash (C2PA 2.2, A.5.4.1.2).
                    let initHash = try BMFFHasher(reader: written).digest(assertion, version: 3, alg: .sha256)
                    assertion.merkle = assertion.merkle?.map { var m = $0; m.initHash = initHash; return m }
                    parts.bmffHash = assertion
                    assetHash = initHash
                } else {
                    let assertion = try BMFFHasher.signingHash(of: written, alg: .sha256)
                    parts.bmffHash = assertion
                    assetHash = assertion.hash ?? []
                }
            } catch {
                out.discard()
                throw SignError(code: .outputFailed, reason: "\(output): cannot hash the written file: \(error)")
            }
        }

        // 3. The real store, same size, signed, over the placeholder.
        parts.dataHash = DataHashAssertion(exclusions: [exclusion], hash: assetHash)
        let store: [UInt8]
        do {
            store = try await assemble(label: manifestLabel, parts: parts, options: options, signatureReserve: reserve)
        } catch {
            out.discard()
            throw error
        }
        do {
            let encoded = try AssetContainer.encodeStore(store, for: scan)
            guard encoded.count == plan.encodedStoreSize else {
                out.discard()
                throw SignError(code: .signerFailed, reason: "signature did not fit the reserved space")
            }
            try out.pwrite(encoded, at: plan.storeRange.lowerBound)
            try out.commit()
        } catch let e as SignError {
            throw e
        } catch {
            out.discard()
            throw SignError(code: .outputFailed, reason: "\(output): \(error)")
        }
        return SignResult(output: output, manifestLabel: manifestLabel, storeSize: store.count, thumbnailSize: thumbnailSize, assetHash: assetHash)
    }

    // MARK: - Assertions

    struct Parts {
        var created: [(label: String, box: [UInt8])] = []
        var gathered: [(label: String, box: [UInt8])] = []
        var dataHash = DataHashAssertion(exclusions: [], hash: [])
        /// The hard binding for ISO BMFF assets (`c2pa.hash.bmff.v3`), used instead of ``dataHash`` when set.
        var bmffHash: BMFFHashAssertion?
        var thumbnailSize: Int?
        var title: String
        /// Manifests carried over from ingredients' stores, byte for byte, before the new (active) manifest.
        var priorManifests: [ArraySlice<UInt8>] = []
    }

    /// Runs the thumbnail provider on the image (JPEG, PNG) or on an audio file's cover art (ID3 `APIC`, FLAC
    /// `PICTURE`, M4A `covr`); other formats get no thumbnail (video frames are not decoded). Errors become a
    /// SignError that names the way out.
    static func makeThumbnail(
        _ provider: (any ThumbnailProvider)?, input: String, reader: FileReader, scan: AssetScan
    ) -> Result<(data: [UInt8], mediaType: String)?, SignError> {
        guard let provider else { return .success(nil) }
        do {
            if scan.format == .jpeg || scan.format == .png {
                return .success(try provider.thumbnail(forImageAt: input))
            }
            guard let cover = try CoverArt.find(reader, scan: scan) else { return .success(nil) }
            let bytes = try reader.read(at: cover.range.lowerBound, count: cover.range.count)
            let temporary = FileManager.default.temporaryDirectory
                .appendingPathComponent("signet-cover-\(UUID().uuidString)").path
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                return .failure(SignError(code: .thumbnailFailed, reason: "cannot write a temporary file for the cover art"))
            }
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            return .success(try provider.thumbnail(forImageAt: temporary))
        } catch {
            return .failure(SignError(code: .thumbnailFailed, reason: "\(input): cannot make a thumbnail: \(error) (use --no-thumbnail to sign without one)"))
        }
    }

    /// The input's SHA-256 outside `excluding`, as a Result for an `async let`.
    static func hashInput(_ reader: FileReader, excluding: [Range<Int64>], input: String) async -> Result<[UInt8], SignError> {
        do {
            return .success(try AssetHasher.hash(reader, excluding: excluding, algorithm: .sha256))
        } catch {
            return .failure(SignError(code: .inputUnreadable, reason: "\(input): \(error)"))
        }
    }

    /// Size and modification time, to notice an input that changes between two reads.
    static func fileStamp(_ path: String) -> [Int64] {
        var st = stat()
        guard stat(path, &st) == 0 else { return [] }
        return [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ino)]
    }

    private func makeAssertions(
        input: String, outputPath: String, scan: AssetScan, options: SignOptions, thumbnail: (data: [UInt8], mediaType: String)?,
        ingredients: [PreparedIngredient]
    ) async throws(SignError) -> Parts {
        // The title names the asset the manifest describes: the output (the input when writing a sidecar).
        let named = options.sidecar ? input : outputPath
        var parts = Parts(title: options.title ?? definition.title ?? URL(fileURLWithPath: named).lastPathComponent)

        // Ingredients first: the actions name them by hashed URI. Their stores' manifests come along.
        var seenManifests = Set<String>()
        var ingredientURIs: [(IngredientRelationship, HashedURI)] = []
        for (i, ingredient) in ingredients.enumerated() {
            let suffix = i == 0 ? "" : "__\(i)"
            for m in ingredient.manifests where seenManifests.insert(m.label).inserted {
                parts.priorManifests.append(m.box)
            }
            var thumbLabel: String?
            var thumbHash: [UInt8]?
            if let t = ingredient.thumbnail {
                let label = "c2pa.thumbnail.ingredient\(suffix)"
                let box = JUMBFWriter.embeddedFileBox(label: label, mediaType: t.mediaType, fileName: nil, data: t.data, salt: Self.salt())
                parts.gathered.append((label, box))
                thumbLabel = label
                thumbHash = HashAlgorithm.sha256.hash(Self.payload(ofBox: box))
            }
            let label = "c2pa.ingredient.v3\(suffix)"
            let box = JUMBFWriter.cborContentBox(
                label: label, cbor: CBOREncoder().encode(ingredient.assertion(thumbnailLabel: thumbLabel, thumbnailHash: thumbHash)),
                salt: Self.salt())
            parts.gathered.append((label, box))
            ingredientURIs.append(
                (ingredient.input.relationship, HashedURI(url: "self#jumbf=c2pa.assertions/\(label)", hash: HashAlgorithm.sha256.hash(Self.payload(ofBox: box)))))
        }
        func uris(_ r: IngredientRelationship) -> CBOR { .array(ingredientURIs.filter { $0.0 == r }.map { $0.1.cbor }) }
        let hasParent = ingredientURIs.contains { $0.0 == .parentOf }

        // Actions: the definition's, else a `c2pa.created` with the digital source type. The first action must be
        // c2pa.created or c2pa.opened (C2PA 2.2, 18.14).
        var actions: [CBOR] = []
        var actionsExtra: [CBOR.MapEntry] = []
        var gatheredDefs = definition.assertions
        if let i = gatheredDefs.firstIndex(where: { $0.label == "c2pa.actions" || $0.label == "c2pa.actions.v2" }) {
            let def = gatheredDefs.remove(at: i)
            let cbor = CBORJSON.cbor(from: def.data)
            actions = cbor["actions"]?.arrayValue ?? []
            actionsExtra = (cbor.mapEntries ?? []).filter { $0.key != .textString("actions") }
        }
        let agent = CBOR.map([.init("name", .textString(Self.generatorName)), .init("version", .textString(Self.version))])
        // Components are placed, then the requested actions follow. A requested action that must name its
        // ingredient (opened: the parent; placed, removed: the components) names them when it does not itself; a
        // requested c2pa.placed stands for the one Signet would add.
        func needsIngredients(_ name: String) -> IngredientRelationship? {
            switch name {
            case "c2pa.opened": return .parentOf
            case "c2pa.placed", "c2pa.removed": return .componentOf
            default: return nil
            }
        }
        let requestsPlaced = options.actions.contains { $0.action == "c2pa.placed" }
        if ingredientURIs.contains(where: { $0.0 == .componentOf }) && !requestsPlaced {
            actions.append(.map([.init("action", "c2pa.placed"), .init("parameters", .map([.init("ingredients", uris(.componentOf))]))]))
        }
        var opening: [CBOR] = []
        for a in options.actions {
            var parameters: [CBOR.MapEntry] = a.parameters.isEmpty ? [] : (CBORJSON.cbor(from: .object(a.parameters)).mapEntries ?? [])
            if let relationship = needsIngredients(a.action), !a.parameters.contains(where: { $0.0 == "ingredients" || $0.0 == "ingredient" }) {
                guard ingredientURIs.contains(where: { $0.0 == relationship }) else {
                    let what = relationship == .parentOf ? "a parent ingredient (the asset it was opened from)" : "a component ingredient (what was placed or removed)"
                    throw SignError(code: .invalidOptions, reason: "action \(a.action) needs \(what)")
                }
                parameters.append(.init("ingredients", uris(relationship)))
            }
            var entry: [CBOR.MapEntry] = [.init("action", .textString(a.action))]
            if !parameters.isEmpty { entry.append(.init("parameters", .map(parameters))) }
            // c2pa.created and c2pa.opened open the list (C2PA 2.2, 18.14).
            if a.action == "c2pa.created" || a.action == "c2pa.opened" { opening.append(.map(entry)) } else { actions.append(.map(entry)) }
        }
        actions.insert(contentsOf: opening, at: 0)
        // The first action is c2pa.opened (naming the parent) or c2pa.created (C2PA 2.2, 18.14).
        let firstAction = actions.first?["action"]?.stringValue
        if firstAction != "c2pa.created" && firstAction != "c2pa.opened" {
            if hasParent {
                actions.insert(
                    .map([
                        .init("action", "c2pa.opened"), .init("softwareAgent", agent),
                        .init("parameters", .map([.init("ingredients", uris(.parentOf))])),
                    ]), at: 0)
            } else {
                var created: [CBOR.MapEntry] = [
                    .init("action", "c2pa.created"),
                    .init("digitalSourceType", .textString(options.digitalSourceType)),
                    .init("softwareAgent", agent),
                ]
                if ingredientURIs.contains(where: { $0.0 == .inputTo }) {
                    created.append(.init("parameters", .map([.init("ingredients", uris(.inputTo))])))
                }
                actions.insert(.map(created), at: 0)
            }
        }
        // Never sign an action list a validator refuses: the validator's own rules, on what is about to be signed.
        let relationships = Dictionary(
            ingredientURIs.map { (ManifestValidator.referencedLabel($0.1), $0.0.rawValue) }, uniquingKeysWith: { first, _ in first })
        let problems = ActionRules.check(
            [.init(url: "c2pa.actions.v2", actions: actions)], claimVersion: 2, isUpdate: false, relationships: relationships)
        if let problem = problems.first {
            throw SignError(code: .invalidOptions, reason: "the actions would not validate: \(problem.explanation ?? problem.code.rawValue)")
        }
        let actionsCBOR = CBOR.map([.init("actions", .array(actions))] + actionsExtra)
        parts.created.append(("c2pa.actions.v2", JUMBFWriter.cborContentBox(label: "c2pa.actions.v2", cbor: CBOREncoder().encode(actionsCBOR), salt: Self.salt())))

        if let thumb = thumbnail {
            parts.created.append(
                ("c2pa.thumbnail.claim",
                 JUMBFWriter.embeddedFileBox(label: "c2pa.thumbnail.claim", mediaType: thumb.mediaType, fileName: nil, data: thumb.data, salt: Self.salt())))
            parts.thumbnailSize = thumb.data.count
        }

        var labels = Set(parts.created.map(\.label))
        for def in gatheredDefs {
            var label = def.label
            var n = 1
            while labels.contains(label) {
                label = "\(def.label)__\(n)"
                n += 1
            }
            labels.insert(label)
            let box: [UInt8]
            if def.asJSON {
                box = JUMBFWriter.jsonContentBox(label: label, json: Array(def.data.serialized().utf8), salt: Self.salt())
            } else {
                box = JUMBFWriter.cborContentBox(label: label, cbor: CBOREncoder().encode(CBORJSON.cbor(from: def.data)), salt: Self.salt())
            }
            parts.gathered.append((label, box))
        }
        return parts
    }

    // MARK: - Store assembly

    /// The COSE_Sign1 box is padded to a fixed size so the store's size does not depend on the signature.
    private func signatureReserve(_ options: SignOptions) -> Int {
        let protected = CBOREncoder().encode(
            .map([
                .init(.int(1), .int(signer.algorithm.id)),
                .init(.int(33), signer.certificateChain.count == 1 ? .byteString(signer.certificateChain[0]) : .array(signer.certificateChain.map { .byteString($0) })),
            ]))
        let maxSignature = 1024  // RSA-8192; ECDSA and Ed25519 are far smaller
        let bare = CBOREncoder().encode(.tagged(18, .array([.byteString(protected), .map([]), .null, .byteString([UInt8](repeating: 0, count: maxSignature))])))
        let stapled = options.ocspResponses.isEmpty ? 0 : 32 + options.ocspResponses.reduce(0) { $0 + $1.count + 8 }
        let timestamp = options.timestamper.map { 64 + $0.maximumTokenSize } ?? 0
        return bare.count + 32 + stapled + timestamp
    }

    private func assemble(
        label: String, parts: Parts, options: SignOptions, signatureReserve: Int?, placeholderSignature: Bool = false
    ) async throws(SignError) -> [UInt8] {
        let binding: (label: String, cbor: CBOR) = parts.bmffHash.map { (BMFFHashAssertion.label, $0.cbor) }
            ?? (DataHashAssertion.label, parts.dataHash.cbor)
        let hashBox = JUMBFWriter.cborContentBox(label: binding.label, cbor: CBOREncoder().encode(binding.cbor), salt: nil)
        let created = [(binding.label, hashBox)] + parts.created
        func reference(_ item: (label: String, box: [UInt8])) -> HashedURI {
            HashedURI(url: "self#jumbf=c2pa.assertions/\(item.label)", hash: HashAlgorithm.sha256.hash(Self.payload(ofBox: item.box)))
        }
        var gathered = parts.gathered
        if let identity = options.identity {
            let referenced = (created + gathered).map(reference)
            let box = try await Self.identityBox(identity, referencing: referenced, placeholder: placeholderSignature)
            gathered.append((IdentityAssertion.baseLabel, box))
        }
        var generator: [CBOR.MapEntry] = [.init("name", .textString(Self.generatorName)), .init("version", .textString(Self.version))]
        if let first = definition.claimGeneratorInfo.first, case .map(let entries) = CBORJSON.cbor(from: first) {
            generator = entries + [.init("org.signet", .textString(Self.version))]
        }
        let claim = Claim.v2(
            instanceID: "xmp:iid:\(UUID().uuidString.lowercased())",
            generatorInfo: .map(generator),
            signature: JUMBFURI.absolute(manifest: label, path: "c2pa.signature"),
            created: created.map(reference),
            gathered: gathered.map(reference),
            title: parts.title, alg: "sha256")
        let claimBytes = CBOREncoder().encode(claim)

        let signatureBytes: [UInt8]
        if placeholderSignature, let signatureReserve {
            signatureBytes = [UInt8](repeating: 0, count: signatureReserve)
        } else {
            do {
                var header: [CBOR.MapEntry] = []
                if !options.ocspResponses.isEmpty {
                    header.append(.init("rVals", .map([.init("ocspVals", .array(options.ocspResponses.map { .byteString($0) }))])))
                }
                var sign1 = try await COSESign1.sign(detachedPayload: claimBytes, signer: signer, unprotectedHeader: header)
                if let timestamper = options.timestamper {
                    let data = TimestampValidator.imprintedBytes(
                        version: .v2, protectedHeaderBytes: sign1.protectedHeaderBytes, payload: claimBytes, signature: sign1.signature)
                    let token: [UInt8]
                    do { token = try await timestamper.timestamp(data) } catch {
                        throw SignError(code: .signerFailed, reason: "timestamping failed: \(error)")
                    }
                    sign1.unprotectedHeader.append(
                        .init("sigTst2", .map([.init("tstTokens", .array([.map([.init("val", .byteString(token))])]))])))
                }
                signatureBytes = try signatureReserve.map { try sign1.encoded(paddedTo: $0) } ?? sign1.encoded()
            } catch let e as SignError {
                throw e
            } catch {
                throw SignError(code: .signerFailed, reason: "signing failed: \(error)")
            }
        }

        let assertionStore = JUMBFWriter.superbox(
            JUMBFDescription(type: .assertionStore, requestable: true, label: "c2pa.assertions"),
            children: created.map(\.1) + gathered.map(\.box))
        let claimBox = JUMBFWriter.superbox(
            JUMBFDescription(type: .claim, requestable: true, label: "c2pa.claim.v2"),
            children: [JUMBFWriter.dataBox(.cbor, claimBytes)])
        let signatureBox = JUMBFWriter.superbox(
            JUMBFDescription(type: .signature, requestable: true, label: "c2pa.signature"),
            children: [JUMBFWriter.dataBox(.cbor, signatureBytes)])
        let manifest = JUMBFWriter.superbox(
            JUMBFDescription(type: .manifest, requestable: true, label: label),
            children: [assertionStore, claimBox, signatureBox])
        return JUMBFWriter.superbox(
            JUMBFDescription(type: .manifestStore, requestable: true, label: "c2pa"),
            children: parts.priorManifests.map { Array($0) } + [manifest])
    }

    /// The `cawg.identity` assertion box. Its size depends only on the signer's chain and the referenced labels, so
    /// the placeholder (zero signature) and the signed box are the same size: zero padding takes up the slack.
    static func identityBox(_ identity: IdentityOptions, referencing referenced: [HashedURI], placeholder: Bool) async throws(SignError) -> [UInt8] {
        let payload = IdentityAssertion.SignerPayload(referencedAssertions: referenced, sigType: IdentityAssertion.x509SigType, roles: identity.roles)
        let signer = identity.signer
        // The size: a COSE_Sign1 with the largest signature the algorithm makes (RSA: up to 8192 bits), plus slack.
        let maxSignature = signer.algorithm.fixedSignatureLength ?? 1024
        let reserveCOSE = COSESign1(
            protectedHeader: [
                .init(.int(COSESign1.algorithmLabel), .int(signer.algorithm.id)),
                .init(.int(COSESign1.x5chainLabel), signer.certificateChain.count == 1
                    ? .byteString(signer.certificateChain[0]) : .array(signer.certificateChain.map { .byteString($0) })),
            ], unprotectedHeader: [], payload: nil, signature: [UInt8](repeating: 0, count: maxSignature)).encoded()
        let size = CBOREncoder().encode(IdentityAssertion(signerPayload: payload, signature: reserveCOSE).cbor).count + 16
        let signature: [UInt8]
        if placeholder {
            signature = reserveCOSE
        } else {
            do {
                signature = try await COSESign1.sign(detachedPayload: payload.canonicalBytes, signer: signer).encoded()
            } catch {
                throw SignError(code: .signerFailed, reason: "identity signing failed: \(error)")
            }
        }
        guard let bytes = IdentityAssertion(signerPayload: payload, signature: signature).encoded(size: size) else {
            throw SignError(code: .signerFailed, reason: "the identity signature did not fit the reserved space")
        }
        return JUMBFWriter.cborContentBox(label: IdentityAssertion.baseLabel, cbor: bytes, salt: Self.salt())
    }

    /// A box's payload: everything after LBox/TBox (and XLBox when LBox is 1).
    static func payload(ofBox box: [UInt8]) -> ArraySlice<UInt8> {
        guard box.count >= 8 else { return box[...] }
        let lbox = UInt32(box[0]) << 24 | UInt32(box[1]) << 16 | UInt32(box[2]) << 8 | UInt32(box[3])
        return box[(lbox == 1 ? 16 : 8)...]
    }

    static func salt() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    private func openOutput(_ path: String, overwrite: Bool) throws(SignError) -> OutputFile {
        do {
            return try OutputFile(destination: path, overwrite: overwrite)
        } catch {
            if error.code == .outputExists {
                throw SignError(code: .outputExists, reason: "\(path) already exists (use --force to replace it)")
            }
            throw SignError(code: .outputFailed, reason: "\(path): \(error.reason)")
        }
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        let ua = URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
        let ub = URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
        if ua == ub { return true }
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0, stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return false
    }
}
