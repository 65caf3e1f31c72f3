import Crypto
import Foundation
import SignetPKI
import SwiftASN1
import X509

/// What a verifier trusts: trust anchors, a private credential store (allowed list) and an EKU configuration,
/// read from the same texts c2pa-rs takes (`trust.trust_anchors`, `trust.anchors[].allowed_list`,
/// `trust.trust_config`).
///
/// Formats accepted (lines end in LF or CRLF; a literal `\n` counts as a line break, as in c2pa-rs):
///
/// ```
/// anchors-text  = *( text-line / pem-block )            ; at least one CERTIFICATE block
/// allowed-text  = *( pem-block / hash-line / comment / blank )
/// hash-line     = *WSP ( b64-sha256 / hex-sha256 ) *WSP
/// b64-sha256    = 43base64char "="                      ; standard base64 of the 32-byte SHA-256 of the DER
/// hex-sha256    = 64HEXDIG                              ; lowercase or uppercase hex (an extension of c2pa-rs)
/// comment       = *WSP ( "//" / "#" ) *CHAR
/// eku-text      = *( oid-line / comment / blank )        ; c2pa-rs's "store.cfg"
/// oid-line      = *WSP dotted-oid *WSP                 ; nothing else on the line
/// ```
///
/// c2pa-rs silently ignores unreadable lines; this reader rejects them with a ``TrustError`` that names the
/// line, so a typo cannot silently remove trust. Only `CERTIFICATE` blocks count; other PEM blocks are
/// rejected in the anchors and allowed list.
///
/// EKU semantics follow c2pa-rs: `emailProtection`, `timeStamping` and `OCSPSigning` are always acceptable
/// and ``allowedEKUs`` adds to them; c2pa-rs (0.91.3, settings-driven) adds nothing else by default, so an
/// empty configuration means exactly those three.
public struct TrustSettings: Sendable {
    /// DER of every trust anchor, in configuration order. The source of truth for chain building, since
    /// some anchors (e.g. RSASSA-PSS keyed ones) cannot be represented by ``Certificate``.
    public var anchorDERs: [[UInt8]]

    /// The trust anchors that swift-certificates can represent. Setting this replaces ``anchorDERs``.
    public var anchors: [Certificate] {
        get { anchorDERs.compactMap { try? Certificate(derEncoded: $0) } }
        set {
            anchorDERs = newValue.compactMap { certificate in
                var serializer = DER.Serializer()
                guard (try? serializer.serialize(certificate)) != nil else { return nil }
                return serializer.serializedBytes
            }
        }
    }

    /// SHA-256 digests of the DER of end-entity certificates trusted directly (private credential store).
    public var allowedCertificateHashes: Set<[UInt8]>

    /// Extra EKU OIDs accepted for signers, on top of emailProtection, timeStamping and OCSPSigning.
    public var allowedEKUs: [ASN1ObjectIdentifier]

    /// The EKUs c2pa-rs always accepts for a C2PA signer, whatever the configuration.
    public static let builtInEKUs: [ASN1ObjectIdentifier] = [ASN1ObjectIdentifier.KeyPurpose.emailProtection, ASN1ObjectIdentifier.KeyPurpose.timeStamping, ASN1ObjectIdentifier.KeyPurpose.ocspSigning]

    /// The EKU list c2pa-rs ships as `valid_eku_oids.cfg` (a convenient `ekuConfigText` for callers who want
    /// documentSigning and the Microsoft / C2PA signing EKUs accepted too).
    public static let c2paRecommendedEKUConfig = """
        // id-kp-emailProtection
        1.3.6.1.5.5.7.3.4
        // id-kp-documentSigning
        1.3.6.1.5.5.7.3.36
        // id-kp-timeStamping
        1.3.6.1.5.5.7.3.8
        // id-kp-OCSPSigning
        1.3.6.1.5.5.7.3.9
        // MS C2PA Signing
        1.3.6.1.4.1.311.76.59.1.9
        // c2pa-kp-claimSigning
        1.3.6.1.4.1.62558.2.1
        """

    /// No anchors and no allowed list: a chain can be profile-valid but is never trusted (trust is not checked).
    public static let none = TrustSettings(anchorDERs: [], allowedCertificateHashes: [], allowedEKUs: [])

    /// The EKUs that let a signer be trusted: the EKU configuration's and nothing else when one was given
    /// (so a registry's OCSP-responder or time-stamping certificate never passes for a content signer), else
    /// the list c2pa-rs accepts with no configuration. (The certificate profile, which decides Invalid, keeps
    /// c2pa-rs's rule of built-ins plus configuration: see ``CertificateProfile``.)
    public var trustedSignerEKUs: [ASN1ObjectIdentifier] {
        let neverConfigurable: [ASN1ObjectIdentifier] = [ASN1ObjectIdentifier.KeyPurpose.serverAuth, ASN1ObjectIdentifier.KeyPurpose.clientAuth, ASN1ObjectIdentifier.KeyPurpose.codeSigning, ASN1ObjectIdentifier.KeyPurpose.any]
        return allowedEKUs.isEmpty ? Self.builtInEKUs : allowedEKUs.filter { !neverConfigurable.contains($0) }
    }

    /// Whether anything can make a credential trusted (an anchor or an allowed-list entry).
    public var hasTrustSources: Bool { !anchorDERs.isEmpty || !allowedCertificateHashes.isEmpty }

    /// Creates settings from already-decoded parts.
    public init(anchorDERs: [[UInt8]], allowedCertificateHashes: Set<[UInt8]>, allowedEKUs: [ASN1ObjectIdentifier]) {
        self.anchorDERs = anchorDERs
        self.allowedCertificateHashes = allowedCertificateHashes
        self.allowedEKUs = allowedEKUs
    }

    /// Reads the three configuration texts.
    ///
    /// - Parameters:
    ///   - anchorsPEM: a PEM bundle of trust anchor certificates (c2pa-rs `trust.trust_anchors`).
    ///   - allowedListText: PEM end-entity certificates and/or lines of SHA-256 hashes of their DER
    ///     (c2pa-rs `allowed_list`; standard base64 as in c2pa-rs, or 64 hex digits).
    ///   - ekuConfigText: one EKU OID per line with `//` or `#` comments (c2pa-rs `trust.trust_config`).
    /// - Throws: ``TrustError`` naming the text and line of the first problem.
    public init(anchorsPEM: String? = nil, allowedListText: String? = nil, ekuConfigText: String? = nil) throws(TrustError) {
        var anchors: [[UInt8]] = []
        if let anchorsPEM {
            for block in try Self.readPEM(anchorsPEM, source: "trust anchors").blocks {
                anchors.append(try Self.certificateDER(block, source: "trust anchors"))
            }
            guard !anchors.isEmpty || anchorsPEM.allSatisfy(\.isWhitespace) else {
                throw TrustError(code: .emptyConfiguration, reason: "trust anchors: no PEM CERTIFICATE block found")
            }
        }
        var hashes = Set<[UInt8]>()
        if let allowedListText {
            let contents = try Self.readPEM(allowedListText, source: "allowed list")
            for (number, line) in contents.otherLines {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("//") || trimmed.hasPrefix("#") { continue }
                if trimmed.count == 44, let digest = Base64.decode(trimmed), digest.count == 32 {
                    hashes.insert(digest)
                } else if trimmed.count == 64, let digest = Self.hex(trimmed) {
                    hashes.insert(digest)
                } else {
                    throw TrustError(
                        code: .malformedAllowedListLine,
                        reason: "allowed list: line \(number): \"\(trimmed.prefix(80))\" is not a base64 or hex SHA-256 hash, a PEM block or a comment"
                    )
                }
            }
            for block in contents.blocks {
                hashes.insert(Array(SHA256.hash(data: try Self.certificateDER(block, source: "allowed list"))))
            }
        }
        var ekus: [ASN1ObjectIdentifier] = []
        if let ekuConfigText {
            for (index, line) in PEMReader.configuration.lines(ekuConfigText).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("//") || trimmed.hasPrefix("#") { continue }
                guard let oid = Self.oid(trimmed) else {
                    // c2pa-rs silently skips such a line (even "OID // comment"); say so instead.
                    throw TrustError(
                        code: .malformedEKULine,
                        reason: "EKU configuration: line \(index + 1): \"\(trimmed.prefix(80))\" is not a dotted OID alone on its line (comments take whole lines starting with // or #)"
                    )
                }
                if !ekus.contains(oid) { ekus.append(oid) }
            }
        }
        self.init(anchorDERs: anchors, allowedCertificateHashes: hashes, allowedEKUs: ekus)
    }

    /// Every EKU acceptable for a signer under these settings.
    var acceptedEKUs: [ASN1ObjectIdentifier] {
        Self.builtInEKUs + allowedEKUs.filter { !Self.builtInEKUs.contains($0) }
    }

    /// Reads a configuration text's PEM blocks, naming `source` in any error.
    private static func readPEM(_ text: String, source: String) throws(TrustError) -> PEMReader.Contents {
        do {
            return try PEMReader.configuration.read(text)
        } catch {
            throw TrustError(code: error.code == .limitExceeded ? .limitExceeded : .malformedPEM, reason: "\(source): \(error.reason)")
        }
    }

    private static func certificateDER(_ block: PEMBlock, source: String) throws(TrustError) -> [UInt8] {
        guard block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" else {
            throw TrustError(
                code: .malformedPEM,
                reason: "\(source): line \(block.line): PEM block \"\(block.label)\" is not a CERTIFICATE"
            )
        }
        do {
            _ = try ParsedCertificate(der: block.der)
        } catch {
            throw TrustError(
                code: .malformedCertificate,
                reason: "\(source): line \(block.line): the CERTIFICATE block is not a readable X.509 certificate (\(error.reason))"
            )
        }
        return block.der
    }

    private static func hex(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }

    private static func oid(_ text: String) -> ASN1ObjectIdentifier? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        // X.660: the first arc is 0, 1 or 2, and under 0 and 1 the second arc is at most 39.
        guard let first = Int(parts[0]), first <= 2, first == 2 || (Int(parts[1]).map { $0 <= 39 } ?? false) else { return nil }
        return try? ASN1ObjectIdentifier(dotRepresentation: text)
    }
}
