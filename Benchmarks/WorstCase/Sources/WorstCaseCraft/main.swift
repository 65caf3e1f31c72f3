import Foundation
import Signet
import SignetCBOR
import SignetCOSE
import SignetJUMBF
import SignetKeys
import SignetMedia

/// Crafts hostile but genuinely signed JPEGs at Signet's limits (Spec/c2pa-support.md, "Limits (hostile stores)"),
/// with the public API only, and lists them with the verdict `signet verify` must print for each.
///
///   WorstCaseCraft --keys DIR --out DIR [--blob-bytes 5000000] [--references 1,1000,9999,10000]
///                  [--chains 10,500,2000,3000]
///
/// DIR for --keys is the output of `signet keys generate` (es256.key, es256.pem). Writes into --out:
/// - `refs-N.jpg`: one assertion holding a CBOR byte string of --blob-bytes, referenced N times by the claim's
///   created_assertions, plus the data hash (N + 1 hashed URIs: 9,999 is at the 10,000 cap, 10,000 over it);
/// - `chain-M.jpg`: M manifests, each the parentOf ingredient of the next, the last one active and bound to the file;
/// - `baseline-unsigned.jpg`: the same small JPEG padded with COM segments to the largest crafted file's size,
///   for `signet sign` to make the baseline;
/// - `cases.tsv`: file, what it holds, the number (references or manifests), the hashed URIs in the active claim,
///   the expected verdict (`TRUSTED`, or `Invalid:<failure code>`).
/// Every crafted file has one `c2pa.hash.data` whose exclusion is exactly its APP11 range, so verification
/// hashes the whole file and checks it.

var keysDir = ""
var outDir = ""
var blobBytes = 5_000_000
var referenceCounts = [1, 1_000, 9_999, 10_000]
var chainLengths = [10, 500, 2_000, 3_000]
var args = CommandLine.arguments.dropFirst()
func list(_ text: String?) -> [Int] { (text ?? "").split(separator: ",").compactMap { Int($0) } }
while let a = args.popFirst() {
    switch a {
    case "--keys": keysDir = args.popFirst() ?? ""
    case "--out": outDir = args.popFirst() ?? ""
    case "--blob-bytes": blobBytes = Int(args.popFirst() ?? "") ?? blobBytes
    case "--references": referenceCounts = list(args.popFirst())
    case "--chains": chainLengths = list(args.popFirst())
    default:
        FileHandle.standardError.write(Data("WorstCaseCraft: unknown argument \(a)\n".utf8))
        exit(2)
    }
}
guard !keysDir.isEmpty, !outDir.isEmpty else {
    FileHandle.standardError.write(Data("usage: WorstCaseCraft --keys DIR --out DIR [--blob-bytes N] [--references 1,1000] [--chains 10,500]\n".utf8))
    exit(2)
}

// The cap the validator applies to the hashed URIs of one claim (Spec/c2pa-support.md, "Limits").
let referenceCap = 10_000

let layout = DevelopmentCredentials.Layout(directory: keysDir)
let signer = try PEMKeySigner(keyPath: layout.keyPath(.es256), certificateChainPath: layout.chainPath(.es256), algorithm: .es256)
try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)

// MARK: Building blocks

/// Deterministic filler (xorshift64), so that no size depends on chance and nothing compresses.
struct Filler {
    var state: UInt64
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i < count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                var word = state
                for _ in 0..<8 where i < count {
                    raw[i] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    i += 1
                }
            }
        }
        return out
    }
}
var filler = Filler(state: 0x9E37_79B9_7F4A_7C15)

@MainActor func salt() -> [UInt8] { filler.bytes(16) }

/// A box's payload: the box without its 8-byte header (every box here is under 4 GiB).
func payload(ofBox box: [UInt8]) -> ArraySlice<UInt8> {
    precondition(box.count >= 8 && !(box[0] == 0 && box[1] == 0 && box[2] == 0 && box[3] == 1), "box with an XLBox")
    return box[8...]
}

func sha256(_ bytes: some DataProtocol) -> [UInt8] { HashAlgorithm.sha256.hash(bytes) }

/// A hashed-uri-map: { "url", ? "alg", "hash" }.
func cbor(_ uri: HashedURI) -> CBOR {
    var entries: [CBOR.MapEntry] = [.init("url", .textString(uri.url))]
    if let alg = uri.alg { entries.append(.init("alg", .textString(alg))) }
    entries.append(.init("hash", .byteString(uri.hash)))
    return .map(entries)
}

/// One assertion: its label and its serialised box (a salted CBOR content box).
@MainActor struct Assertion {
    var label: String
    var box: [UInt8]
    init(_ label: String, _ value: CBOR) {
        self.label = label
        box = JUMBFWriter.cborContentBox(label: label, cbor: CBOREncoder().encode(value), salt: salt())
    }
    /// The claim's (relative) hashed URI to it.
    var reference: HashedURI {
        HashedURI(url: "self#jumbf=c2pa.assertions/\(label)", hash: sha256(payload(ofBox: box)))
    }
}

func newManifestLabel() -> String { "urn:c2pa:\(UUID().uuidString.lowercased())" }

/// A signed standard manifest box: its assertions, a v2 claim naming `references` (in that order), the ES256
/// COSE_Sign1 over the claim.
@MainActor func manifestBox(label: String, assertions: [Assertion], references: [HashedURI], instanceID: String) async throws -> [UInt8] {
    let claim: CBOR = .map([
        .init("instanceID", .textString(instanceID)),
        .init("claim_generator_info", .map([.init("name", "WorstCaseCraft"), .init("version", "1")])),
        .init("signature", .textString("self#jumbf=/c2pa/\(label)/c2pa.signature")),
        .init("created_assertions", .array(references.map(cbor))),
        .init("dc:title", "worst-case.jpg"),
        .init("alg", "sha256"),
    ])
    let claimBytes = CBOREncoder().encode(claim)
    let sign1 = try await COSESign1.sign(detachedPayload: claimBytes, signer: signer)
    return JUMBFWriter.superbox(
        JUMBFDescription(type: .manifest, requestable: true, label: label),
        children: [
            JUMBFWriter.superbox(JUMBFDescription(type: .assertionStore, requestable: true, label: "c2pa.assertions"), children: assertions.map(\.box)),
            JUMBFWriter.superbox(JUMBFDescription(type: .claim, requestable: true, label: "c2pa.claim.v2"), children: [JUMBFWriter.dataBox(.cbor, claimBytes)]),
            JUMBFWriter.superbox(JUMBFDescription(type: .signature, requestable: true, label: "c2pa.signature"), children: [JUMBFWriter.dataBox(.cbor, sign1.encoded())]),
        ])
}

func storeBox(_ manifests: [[UInt8]]) -> [UInt8] {
    JUMBFWriter.superbox(JUMBFDescription(type: .manifestStore, requestable: true, label: "c2pa"), children: manifests)
}

// MARK: The asset

/// A small baseline JPEG: one 8x8 grey block (all coefficients zero), decodable, with JFIF APP0, and `comment`
/// bytes of COM segments (at most 65,533 bytes each) before the frame when asked.
@MainActor func syntheticJPEG(comment: Int = 0) -> [UInt8] {
    func segment(_ marker: UInt8, _ body: [UInt8]) -> [UInt8] {
        let length = body.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    }
    var out: [UInt8] = [0xFF, 0xD8]
    out += segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
    var left = comment
    while left > 0 {
        let n = min(left, 65_533)
        out += segment(0xFE, filler.bytes(n).map { 0x20 + $0 % 0x5F })  // printable, never 0xFF
        left -= n
    }
    out += segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))  // DQT: table 0, 8-bit, all ones
    out += segment(0xC0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])  // SOF0: 8x8, one component, table 0
    out += segment(0xC4, [0x00, 1] + [UInt8](repeating: 0, count: 15) + [0x00])  // DHT DC0: one 1-bit code, category 0
    out += segment(0xC4, [0x10, 1] + [UInt8](repeating: 0, count: 15) + [0x00])  // DHT AC0: one 1-bit code, EOB
    out += segment(0xDA, [1, 1, 0x00, 0, 63, 0])  // SOS
    out += [0x3F]  // DC "0", EOB "0", padded with ones
    out += [0xFF, 0xD9]
    return out
}

let baseJPEG = syntheticJPEG()
let basePath = outDir + "/base.jpg"
try Data(baseJPEG).write(to: URL(fileURLWithPath: basePath))
let insertionOffset = try AssetContainer.scan(FileReader(path: basePath)).insertionOffset
// The file is base[..<insertion] + APP11 packets + base[insertion...]; with the packets excluded, the data hash
// covers exactly the base JPEG.
let assetHash = sha256(baseJPEG)

/// Builds the store with the active manifest made by `active(dataHash)`, embeds it, and writes `name`. The data
/// hash's exclusion is the APP11 range, whose length depends on the store's size: rebuilt until it is stable
/// (ES256 signatures have a fixed size, so it is after one or two rounds).
@MainActor func writeBound(_ name: String, before: [[UInt8]], active: (Assertion) async throws -> [UInt8]) async throws -> Int {
    var excluded = 0
    for _ in 0..<5 {
        let binding = Assertion(
            DataHashAssertion.label,
            DataHashAssertion(exclusions: [insertionOffset..<(insertionOffset + Int64(excluded))], hash: assetHash).cbor)
        let store = storeBox(before + [try await active(binding)])
        let encoded = try AssetContainer.encodeStore(store, format: .jpeg)
        guard encoded.count == excluded else {
            excluded = encoded.count
            continue
        }
        let at = Int(insertionOffset)
        let file = Array(baseJPEG[..<at]) + encoded + Array(baseJPEG[at...])
        let path = outDir + "/" + name
        try Data(file).write(to: URL(fileURLWithPath: path))
        // Check the binding as a validator sees it: the store sits exactly in the excluded range.
        let scan = try AssetContainer.scan(FileReader(path: path))
        precondition(scan.storeRanges.first?.lowerBound == insertionOffset && scan.storeRanges.last?.upperBound == insertionOffset + Int64(excluded), "\(name): the store is not where the exclusion says")
        precondition(sha256(Array(file[..<at]) + Array(file[(at + excluded)...])) == assetHash, "\(name): data hash mismatch")
        return file.count
    }
    fatalError("\(name): the store's size did not settle")
}

var cases: [String] = []
var largest = 0
func log(_ text: String) { FileHandle.standardError.write(Data("WorstCaseCraft: \(text)\n".utf8)) }

// MARK: 1. One large assertion referenced many times

let blob = Assertion("org.signet.worstcase.blob", .byteString(filler.bytes(blobBytes)))
for n in referenceCounts {
    let label = newManifestLabel()
    let instance = "xmp:iid:\(UUID().uuidString.lowercased())"
    let name = "refs-\(n).jpg"
    let size = try await writeBound(name, before: []) { binding in
        let refs = [binding.reference] + [HashedURI](repeating: blob.reference, count: n)
        return try await manifestBox(label: label, assertions: [binding, blob], references: refs, instanceID: instance)
    }
    largest = max(largest, size)
    let uris = n + 1
    cases.append([name, "references", "\(n)", "\(uris)", uris > referenceCap ? "Invalid:claim.malformed" : "TRUSTED"].joined(separator: "\t"))
    log("\(name): \(size) bytes, \(uris) hashed URIs")
}

// MARK: 2. Chains of parentOf ingredients

let digitalCapture = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
/// The assertions of manifest `index` of a chain (without its hard binding): created for the first, else a
/// parentOf ingredient of the previous manifest and the opened action naming it.
@MainActor func chainAssertions(index: Int, parent: (label: String, box: [UInt8])?) -> [Assertion] {
    guard let parent else {
        return [Assertion("c2pa.actions.v2", .map([.init("actions", .array([
            .map([.init("action", "c2pa.created"), .init("digitalSourceType", .textString(digitalCapture))]),
        ]))]))]
    }
    let manifestRef = HashedURI(url: "self#jumbf=/c2pa/\(parent.label)", alg: "sha256", hash: sha256(payload(ofBox: parent.box)))
    let empty: CBOR = .map([.init("success", .array([])), .init("informational", .array([])), .init("failure", .array([]))])
    let ingredient = Assertion("c2pa.ingredient.v3", .map([
        .init("dc:title", .textString("step-\(index - 1).jpg")),
        .init("dc:format", "image/jpeg"),
        .init("relationship", "parentOf"),
        .init("activeManifest", cbor(manifestRef)),
        .init("validationResults", .map([.init("activeManifest", empty)])),
    ]))
    let actions = Assertion("c2pa.actions.v2", .map([.init("actions", .array([
        .map([.init("action", "c2pa.opened"), .init("parameters", .map([.init("ingredients", .array([cbor(ingredient.reference)]))]))]),
    ]))]))
    return [ingredient, actions]
}

for m in chainLengths {
    var boxes: [[UInt8]] = []
    var parent: (label: String, box: [UInt8])?
    for index in 0..<(m - 1) {
        // An ingredient's own hard binding is not checked against this asset; a standard manifest needs one.
        let binding = Assertion(DataHashAssertion.label, DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor)
        let assertions = chainAssertions(index: index, parent: parent) + [binding]
        let label = newManifestLabel()
        let box = try await manifestBox(label: label, assertions: assertions, references: assertions.map(\.reference), instanceID: "xmp:iid:\(UUID().uuidString.lowercased())")
        boxes.append(box)
        parent = (label, box)
    }
    let label = newManifestLabel()
    let instance = "xmp:iid:\(UUID().uuidString.lowercased())"
    let assertions = chainAssertions(index: m - 1, parent: parent)
    let name = "chain-\(m).jpg"
    let size = try await writeBound(name, before: boxes) { binding in
        let all = assertions + [binding]
        return try await manifestBox(label: label, assertions: all, references: all.map(\.reference), instanceID: instance)
    }
    largest = max(largest, size)
    cases.append([name, "manifests", "\(m)", "\(assertions.count + 1)", "TRUSTED"].joined(separator: "\t"))
    log("\(name): \(size) bytes, \(m) manifests")
}

// MARK: 3. The baseline's input: the same JPEG, padded to the largest crafted file (signet sign adds a few kB)

let padded = syntheticJPEG(comment: max(0, largest - baseJPEG.count - 8_192))
try Data(padded).write(to: URL(fileURLWithPath: outDir + "/baseline-unsigned.jpg"))
log("baseline-unsigned.jpg: \(padded.count) bytes")

try (cases.joined(separator: "\n") + "\n").write(toFile: outDir + "/cases.tsv", atomically: true, encoding: .utf8)
