import Foundation
import SignetPKI
import SwiftASN1
import X509

/// The outcome of checking a CRL against its issuer. Verification never throws: it says why here.
public enum CRLVerification: Hashable, Sendable {
    /// Signed by the issuer, usable (no unprocessed critical extension) and, when a time was given, current.
    case verified
    /// Not accepted; the error's code says why.
    case rejected(RevocationError)

    /// The reason, when rejected.
    public var failure: RevocationError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}

/// An X.509 v2 certificate revocation list (RFC 5280 section 5.1), parsed or built.
///
/// ```
/// CertificateList  ::=  SEQUENCE  {
///     tbsCertList          TBSCertList,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signatureValue       BIT STRING  }
/// TBSCertList  ::=  SEQUENCE  {
///     version                 Version OPTIONAL,   -- if present, MUST be v2
///     signature               AlgorithmIdentifier,
///     issuer                  Name,
///     thisUpdate              Time,
///     nextUpdate              Time OPTIONAL,
///     revokedCertificates     SEQUENCE OF SEQUENCE  {
///          userCertificate         CertificateSerialNumber,
///          revocationDate          Time,
///          crlEntryExtensions      Extensions OPTIONAL  -- if present, version MUST be v2
///                               }  OPTIONAL,
///     crlExtensions           [0]  EXPLICIT Extensions OPTIONAL  -- if present, version MUST be v2
///                               }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// CRLNumber ::= INTEGER (0..MAX)                          -- extension 2.5.29.20
/// CRLReason ::= ENUMERATED { ... }                        -- entry extension 2.5.29.21
/// InvalidityDate ::= GeneralizedTime                      -- entry extension 2.5.29.24
/// ```
///
/// Built CRLs are v2 with the cRLNumber and authorityKeyIdentifier extensions, times as UTCTime through 2049 and
/// GeneralizedTime after. Parsing accepts v1 and v2, refuses more than 64 MiB, and keeps every extension;
/// ``verify(issuer:at:tolerance:)`` refuses a CRL with a critical extension it does not process (RFC 5280
/// section 5.2; for example a delta CRL indicator or an issuing distribution point).
public struct CertificateRevocationList: Hashable, Sendable {
    /// One revoked certificate.
    public struct Entry: Hashable, Sendable {
        /// The revoked certificate's serial number.
        public var serialNumber: Certificate.SerialNumber
        /// When it was revoked (whole seconds).
        public var revocationDate: Date
        /// The reasonCode entry extension, if any.
        public var reason: CRLReason?
        /// The invalidityDate entry extension, if any.
        public var invalidityDate: Date?
        /// All crlEntryExtensions as read (nil when absent); ignored when building.
        public var extensions: Certificate.Extensions?

        /// Creates an entry; `reason` `unspecified` is written as no reasonCode (RFC 5280 section 5.3.1).
        public init(
            serialNumber: Certificate.SerialNumber, revocationDate: Date, reason: CRLReason? = nil,
            invalidityDate: Date? = nil
        ) {
            self.serialNumber = serialNumber
            self.revocationDate = revocationDate
            self.reason = reason
            self.invalidityDate = invalidityDate
            self.extensions = nil
        }
    }

    /// The version: 1 or 2 (the INTEGER in the encoding is one less).
    public let version: Int
    /// The issuer's name.
    public let issuer: DistinguishedName
    /// When this CRL was issued.
    public let thisUpdate: Date
    /// When the next CRL will be issued, if given.
    public let nextUpdate: Date?
    /// The revoked certificates, in order.
    public let revokedCertificates: [Entry]
    /// The crlExtensions, if any.
    public let extensions: Certificate.Extensions?
    /// The DER of tbsCertList, as signed.
    public let tbsCertListDER: [UInt8]
    /// The signature algorithm OID.
    public let signatureAlgorithmOID: ASN1ObjectIdentifier
    /// The signature algorithm parameters, if any.
    public let signatureAlgorithmParameters: ASN1Any?
    /// The signature octets.
    public let signature: [UInt8]
    /// The DER of the whole CertificateList.
    public let derEncoded: [UInt8]

    /// The signature algorithm, nil when this module does not support it.
    public var signatureAlgorithm: Certificate.SignatureAlgorithm? {
        Signatures.algorithm(oid: signatureAlgorithmOID, parameters: signatureAlgorithmParameters)
    }

    /// The cRLNumber extension's INTEGER content octets, if present and well-formed.
    public var crlNumber: [UInt8]? {
        guard let ext = extensions?[oid: ASN1ObjectIdentifier.CertificateExtension.crlNumber], let node = try? DER.parse(ext.value),
            let bytes = try? DERCoding.integerBytes(node)
        else { return nil }
        return Array(bytes)
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension, if present.
    public var authorityKeyIdentifier: [UInt8]? {
        guard let aki = try? extensions?.authorityKeyIdentifier, let id = aki.keyIdentifier else { return nil }
        return Array(id)
    }

    /// The entry for `serialNumber`, nil when it is not revoked by this CRL (a linear search).
    public func entry(for serialNumber: Certificate.SerialNumber) -> Entry? {
        revokedCertificates.first { $0.serialNumber == serialNumber }
    }

    /// Builds and signs a v2 CRL for the certificates issued by `issuer`.
    ///
    /// - Parameters:
    ///   - issuer: The CA certificate: its subject becomes the CRL issuer, its subject key identifier (or the
    ///     SHA-1 of its key) the authorityKeyIdentifier.
    ///   - key: The CA's private key.
    ///   - signatureAlgorithm: Defaults to the key's usual algorithm (sha256WithRSAEncryption for RSA).
    ///   - thisUpdate: Issue time.
    ///   - nextUpdate: When the next CRL will be issued (RFC 5280 requires it; nil omits it).
    ///   - crlNumber: The monotonically increasing CRL number.
    ///   - revoked: The revoked certificates.
    /// - Throws: `keyMismatch`, `unsupportedAlgorithm`, `invalidTime`, `signingFailed`.
    public init(
        issuer: Certificate, signingKey key: Certificate.PrivateKey,
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil, thisUpdate: Date, nextUpdate: Date?,
        crlNumber: UInt64, revoked: [Entry]
    ) throws(RevocationError) {
        guard key.publicKey == issuer.publicKey else {
            throw RevocationError(.keyMismatch, "the signing key does not belong to the issuer certificate")
        }
        guard let algorithm = signatureAlgorithm ?? Signatures.defaultAlgorithm(for: key.publicKey) else {
            throw RevocationError(.unsupportedAlgorithm, "no signature algorithm for this key")
        }
        let identifier = try Signatures.identifier(algorithm)
        let keyID: [UInt8]
        if let ski = try? issuer.extensions.subjectKeyIdentifier {
            keyID = Array(ski.keyIdentifier)
        } else {
            keyID = Array(SubjectKeyIdentifier(hash: issuer.publicKey).keyIdentifier)
        }
        let extensions = try DERInput.decode("crlExtensions") {
            try Certificate.Extensions([
                Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: keyID[...]), critical: false),
                Certificate.Extension(oid: ASN1ObjectIdentifier.CertificateExtension.crlNumber, critical: false, value: try DERCoding.der(crlNumber)[...]),
            ])
        }
        var entries: [Entry] = []
        for var entry in revoked {
            var list: [Certificate.Extension] = []
            if let reason = entry.reason, reason != .unspecified {
                list.append(
                    Certificate.Extension(
                        oid: ASN1ObjectIdentifier.CertificateExtension.reasonCode, critical: false,
                        value: try DERInput.encode("reasonCode") {
                            try reason.rawValue.serialize(into: &$0, withIdentifier: .enumerated)
                        }[...]))
            }
            if let invalidity = entry.invalidityDate {
                list.append(
                    Certificate.Extension(
                        oid: ASN1ObjectIdentifier.CertificateExtension.invalidityDate, critical: false,
                        value: try DERInput.encode("invalidityDate") {
                            try DERCoding.serializeGeneralizedTime(invalidity, into: &$0)
                        }[...]))
            }
            entry.extensions =
                list.isEmpty
                ? nil
                : try DERInput.decode("crlEntryExtensions") {
                    try Certificate.Extensions(list)
                }
            entries.append(entry)
        }
        let issuerName = issuer.subject
        let tbs = try DERInput.encode("TBSCertList") { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)  // v2
                try coder.serialize(identifier)
                try coder.serialize(issuerName)
                try DERCoding.serializeTime(thisUpdate, into: &coder)
                if let nextUpdate { try DERCoding.serializeTime(nextUpdate, into: &coder) }
                if !entries.isEmpty {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        for entry in entries {
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(entry.serialNumber.bytes)
                                try DERCoding.serializeTime(entry.revocationDate, into: &coder)
                                if let extensions = entry.extensions {
                                    try DERCoding.serializeExtensions(extensions, into: &coder)
                                }
                            }
                        }
                    }
                }
                try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) {
                    try DERCoding.serializeExtensions(extensions, into: &$0)
                }
            }
        }
        let signature = try Signatures.sign(tbs, key: key, algorithm: algorithm)
        let der = try DERInput.encode("CertificateList") { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbs)
                try coder.serialize(identifier)
                try coder.serialize(ASN1BitString(bytes: signature[...]))
            }
        }
        // Parse back what was written, so a built CRL reads exactly as a received one (times truncated to seconds).
        try self.init(derEncoded: der)
    }

    /// Parses a DER CertificateList.
    ///
    /// - Throws: `malformedDER`, `unexpectedStructure` (including a v1 CRL with extensions, and inner and outer
    ///   signature algorithms that differ), `unsupportedVersion`, `invalidTime`, `inputTooLarge`.
    public init(derEncoded bytes: [UInt8]) throws(RevocationError) {
        let root = try DERInput.root(bytes[...], limit: Limits.crlBytes, "CertificateList")
        self = try DERInput.decode("CertificateList") { try Self(asn1: root, bytes: bytes) }
    }

    private init(asn1 root: ASN1Node, bytes: [UInt8]) throws {
        var tbsNode: ASN1Node? = nil
        var outerAlgorithm: AlgorithmIdentifier? = nil
        var bits: ASN1BitString? = nil
        try DER.sequence(root, identifier: .sequence) { nodes in
            tbsNode = nodes.next()
            guard let algorithmNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "CertificateList lacks fields")
            }
            outerAlgorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
            bits = try ASN1BitString(derEncoded: &nodes)
        }
        guard let tbsNode, let outerAlgorithm, let bits else {
            throw ASN1Error.invalidASN1Object(reason: "CertificateList lacks fields")
        }
        guard bits.paddingBits == 0 else {
            throw RevocationError(.unexpectedStructure, "signature BIT STRING with unused bits")
        }
        var version = 1
        var issuer = DistinguishedName()
        var thisUpdate = Date(timeIntervalSince1970: 0)
        var nextUpdate: Date? = nil
        var entries: [Entry] = []
        var extensions: Certificate.Extensions? = nil
        try DER.sequence(tbsNode, identifier: .sequence) { nodes in
            var peek = nodes
            if let first = peek.next(), first.identifier == .integer {
                let value = try Int(derEncoded: &nodes)
                guard value == 1 else { throw RevocationError(.unsupportedVersion, "CRL version INTEGER \(value)") }
                version = 2
            }
            guard let algorithmNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "TBSCertList without signature")
            }
            let inner = try AlgorithmIdentifier(derEncoded: algorithmNode)
            guard inner.oid == outerAlgorithm.oid, inner.parameters == outerAlgorithm.parameters else {
                throw RevocationError(.unexpectedStructure, "tbsCertList signature differs from signatureAlgorithm")
            }
            guard let issuerNode = nodes.next(), let thisNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "TBSCertList lacks fields")
            }
            issuer = try DistinguishedName(derEncoded: issuerNode)
            thisUpdate = try DERCoding.time(thisNode)
            peek = nodes
            if let next = peek.next(), next.identifier == .utcTime || next.identifier == .generalizedTime {
                nextUpdate = try DERCoding.time(next)
                _ = nodes.next()
            }
            peek = nodes
            if let next = peek.next(), next.identifier == .sequence {
                entries = try Self.parseEntries(next)
                _ = nodes.next()
            }
            extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try DERCoding.extensions($0)
            }
        }
        if version == 1, extensions != nil || entries.contains(where: { $0.extensions != nil }) {
            throw RevocationError(.unexpectedStructure, "a v1 CRL carries extensions")
        }
        self.version = version
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revokedCertificates = entries
        self.extensions = extensions
        self.tbsCertListDER = Array(tbsNode.encodedBytes)
        self.signatureAlgorithmOID = outerAlgorithm.oid
        self.signatureAlgorithmParameters = outerAlgorithm.parameters
        self.signature = Array(bits.bytes)
        self.derEncoded = bytes
    }

    private static func parseEntries(_ node: ASN1Node) throws -> [Entry] {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var entries: [Entry] = []
            while let next = nodes.next() {
                entries.append(
                    try DER.sequence(next, identifier: .sequence) { nodes in
                        guard let serialNode = nodes.next(), let dateNode = nodes.next() else {
                            throw ASN1Error.invalidASN1Object(reason: "revoked entry lacks fields")
                        }
                        let serial = try DERCoding.integerBytes(serialNode)
                        var entry = Entry(
                            serialNumber: Certificate.SerialNumber(bytes: serial),
                            revocationDate: try DERCoding.time(dateNode))
                        if let extensionsNode = nodes.next() {
                            let extensions = try DERCoding.extensions(extensionsNode)
                            entry.extensions = extensions
                            if let ext = extensions[oid: ASN1ObjectIdentifier.CertificateExtension.reasonCode] {
                                let value = try Int(derEncoded: try DER.parse(ext.value), withIdentifier: .enumerated)
                                entry.reason = CRLReason(rawValue: value)
                            }
                            if let ext = extensions[oid: ASN1ObjectIdentifier.CertificateExtension.invalidityDate] {
                                entry.invalidityDate = try DERCoding.generalizedTime(try DER.parse(ext.value))
                            }
                        }
                        return entry
                    })
            }
            return entries
        }
    }

    /// Whether `issuer`'s key verifies the signature over ``tbsCertListDER``.
    public func isSignatureValid(issuer certificate: Certificate) -> Bool {
        guard let algorithm = signatureAlgorithm else { return false }
        return Signatures.verify(signature, over: tbsCertListDER, key: certificate.publicKey, algorithm: algorithm)
    }

    /// Checks this CRL against the CA that should have issued it.
    ///
    /// In order: the CRL names `issuer`'s subject, and its authorityKeyIdentifier (when both it and the CA's
    /// subject key identifier are present) matches (`issuerMismatch`); the CA's keyUsage, when present, includes
    /// cRLSign (`unauthorizedSigner`); the signature algorithm is supported (`unsupportedAlgorithm`) and the
    /// signature verifies (`badSignature`); no critical CRL or entry extension other than the ones this type
    /// reads (`unsupportedCriticalExtension`); with a time, `thisUpdate - tolerance <= time` and, when nextUpdate
    /// is present, `time <= nextUpdate + tolerance` (`notCurrent`).
    public func verify(
        issuer certificate: Certificate, at time: Date? = nil, tolerance: TimeInterval = OCSPVerifier.defaultTolerance
    ) -> CRLVerification {
        guard issuer == certificate.subject else {
            return .rejected(RevocationError(.issuerMismatch, "the CRL issuer is not the certificate's subject"))
        }
        if let aki = authorityKeyIdentifier, let ski = try? certificate.extensions.subjectKeyIdentifier,
            Array(ski.keyIdentifier) != aki
        {
            return .rejected(RevocationError(.issuerMismatch, "authorityKeyIdentifier does not match the CA's key"))
        }
        if let usage = try? certificate.extensions.keyUsage, !usage.cRLSign {
            return .rejected(RevocationError(.unauthorizedSigner, "the CA's keyUsage lacks cRLSign"))
        }
        guard signatureAlgorithm != nil else {
            return .rejected(RevocationError(.unsupportedAlgorithm, "signature algorithm \(signatureAlgorithmOID)"))
        }
        guard isSignatureValid(issuer: certificate) else {
            return .rejected(RevocationError(.badSignature, "the CRL signature does not verify"))
        }
        let known: Set<ASN1ObjectIdentifier> = [ASN1ObjectIdentifier.CertificateExtension.crlNumber, ASN1ObjectIdentifier.CertificateExtension.authorityKeyIdentifier]
        if let ext = extensions?.first(where: { $0.critical && !known.contains($0.oid) }) {
            return .rejected(RevocationError(.unsupportedCriticalExtension, "critical CRL extension \(ext.oid)"))
        }
        let knownEntry: Set<ASN1ObjectIdentifier> = [ASN1ObjectIdentifier.CertificateExtension.reasonCode, ASN1ObjectIdentifier.CertificateExtension.invalidityDate]
        for entry in revokedCertificates {
            if let ext = entry.extensions?.first(where: { $0.critical && !knownEntry.contains($0.oid) }) {
                return .rejected(
                    RevocationError(.unsupportedCriticalExtension, "critical CRL entry extension \(ext.oid)"))
            }
        }
        if let time {
            let early = thisUpdate.addingTimeInterval(-tolerance) > time
            let late = nextUpdate.map { time > $0.addingTimeInterval(tolerance) } ?? false
            if early || late {
                return .rejected(RevocationError(.notCurrent, "\(time) is outside thisUpdate ... nextUpdate"))
            }
        }
        return .verified
    }
}
