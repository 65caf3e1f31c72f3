import Foundation
import Testing

@testable import SignetJUMBF

/// Builders for small, C2PA-shaped test stores and raw boxes.
enum Sample {
    static let manifestLabel = "urn:c2pa:3fa2c1d0-1111-4222-8333-944455556666"
    static let hashDataCBOR: [UInt8] = [0xA1, 0x64, 0x6E, 0x61, 0x6D, 0x65, 0x64, 0x6A, 0x75, 0x6D, 0x62]  // {"name":"jumb"}
    static let actionsCBOR: [UInt8] = [0xA1, 0x67, 0x61, 0x63, 0x74, 0x69, 0x6F, 0x6E, 0x73, 0x80]  // {"actions":[]}
    static let salt: [UInt8] = Array(0..<16)
    static let thumbnail: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
    static let claimCBOR: [UInt8] = [0xA0]
    static let signatureCBOR: [UInt8] = [0xD2, 0x84, 0x40, 0xA0, 0xF6, 0x40]

    static var hashDataBox: [UInt8] { JUMBFWriter.cborContentBox(label: "c2pa.hash.data", cbor: hashDataCBOR) }
    static var actionsBox: [UInt8] {
        JUMBFWriter.cborContentBox(label: "c2pa.actions.v2", cbor: actionsCBOR, salt: salt)
    }
    static var thumbnailBox: [UInt8] {
        JUMBFWriter.embeddedFileBox(
            label: "c2pa.thumbnail.claim.jpeg", mediaType: "image/jpeg", fileName: nil, data: thumbnail)
    }
    static var assertionStore: [UInt8] {
        JUMBFWriter.contentSuperbox(
            type: .assertionStore, label: "c2pa.assertions", children: [hashDataBox, actionsBox, thumbnailBox])
    }
    static var claimBox: [UInt8] {
        JUMBFWriter.superbox(
            JUMBFDescription(type: .claim, label: "c2pa.claim.v2"), children: [JUMBFWriter.dataBox(.cbor, claimCBOR)])
    }
    static var signatureBox: [UInt8] {
        JUMBFWriter.superbox(
            JUMBFDescription(type: .signature, label: "c2pa.signature"),
            children: [JUMBFWriter.dataBox(.cbor, signatureCBOR)])
    }
    static var manifest: [UInt8] {
        JUMBFWriter.contentSuperbox(
            type: .manifest, label: manifestLabel, children: [assertionStore, claimBox, signatureBox])
    }
    /// store > manifest > (assertion store > (hash.data, actions.v2 salted, thumbnail), claim, signature)
    static var store: [UInt8] {
        JUMBFWriter.contentSuperbox(type: .manifestStore, label: "c2pa", children: [manifest])
    }

    /// A raw box with an 8-byte header whose LBox is `lbox` (not necessarily consistent with the payload).
    static func rawBox(lbox: UInt32, _ type: String, _ payload: [UInt8]) -> [UInt8] {
        JUMBFWriter.bigEndian(lbox) + FourCC(type).bytes + payload
    }

    /// A raw box with LBox = 1 and the given XLBox.
    static func xlBox(xlbox: UInt64, _ type: String, _ payload: [UInt8]) -> [UInt8] {
        JUMBFWriter.bigEndian(UInt32(1)) + FourCC(type).bytes + JUMBFWriter.bigEndian(xlbox) + payload
    }

    /// A `jumd` payload with arbitrary toggles and trailing fields.
    static func jumdPayload(type: JUMBFType = .cbor, toggles: UInt8, _ rest: [UInt8]) -> [UInt8] {
        type.uuid + [toggles] + rest
    }

    /// A superbox whose jumd payload is given raw.
    static func superbox(jumdPayload: [UInt8], children: [[UInt8]] = []) -> [UInt8] {
        JUMBFWriter.dataBox(.jumb, JUMBFWriter.dataBox(.jumd, jumdPayload) + children.flatMap { $0 })
    }
}

/// Locates the c2pa-rs fixtures: `$SIGNET_C2PA_RS_FIXTURES`, else `../shared/fixtures/c2pa-rs` beside the
/// package root. Returns nil (and the test prints a note and returns) when absent.
func c2paRSFixture(_ name: String) -> [UInt8]? {
    var candidates: [URL] = []
    if let override = ProcessInfo.processInfo.environment["SIGNET_C2PA_RS_FIXTURES"] {
        candidates.append(URL(fileURLWithPath: override))
    }
    let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/c2pa-rs"))
    for directory in candidates {
        let url = directory.appendingPathComponent(name)
        if let data = try? Data(contentsOf: url) { return [UInt8](data) }
    }
    print("note: c2pa-rs fixture \(name) not found (looked in \(candidates.map(\.path))); skipping")
    return nil
}

/// A small SHA-256 (FIPS 180-4) so the tests can check C2PA hashed-URI coverage without a crypto dependency.
func sha256(_ message: [UInt8]) -> [UInt8] {
    let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
    var h: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    var data = message
    data.append(0x80)
    while data.count % 64 != 56 { data.append(0) }
    data += JUMBFWriter.bigEndian(UInt64(message.count) * 8)
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    var w = [UInt32](repeating: 0, count: 64)
    for chunk in stride(from: 0, to: data.count, by: 64) {
        for i in 0..<16 {
            let j = chunk + i * 4
            w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
        h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
    }
    return h.flatMap { JUMBFWriter.bigEndian($0) }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run.
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// Runs `body`, expecting a JUMBFError with `code`.
func expectJUMBFError(
    _ code: JUMBFError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected JUMBFError.\(code), got success", sourceLocation: sourceLocation)
    } catch let error as JUMBFError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected JUMBFError.\(code), got \(error)", sourceLocation: sourceLocation)
    }
}
