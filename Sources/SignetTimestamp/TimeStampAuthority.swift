import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Where a ``TimeStampAuthority`` takes its serial numbers from.
///
/// RFC 3161 section 2.4.2: "Time-Stamping users MUST be ready to accommodate integers up to 160 bits", and the
/// serial number must be unique for each token a TSA issues, also across restarts. ``random`` (the default)
/// meets this without state; ``sequential(startingAt:)`` is an in-memory counter for tests and single-process
/// use; a deployment with a database passes its own closure.
public struct TimeStampSerialNumberSource: Sendable {
    private let generate: @Sendable () throws -> TimeStampInteger

    /// A source that calls `next` for each token. It must return positive values of at most 160 bits, never
    /// the same one twice; a thrown error makes the authority answer `systemFailure`.
    public init(_ next: @escaping @Sendable () throws -> TimeStampInteger) {
        generate = next
    }

    /// The next serial number.
    public func next() throws -> TimeStampInteger { try generate() }

    /// 127 random bits per serial number (see ``TimeStampInteger/random(byteCount:)``).
    public static let random = TimeStampSerialNumberSource { TimeStampInteger.random(byteCount: 16) }

    /// `first`, `first + 1`, ... from an in-memory, thread-safe counter; throws once the counter would wrap.
    public static func sequential(startingAt first: UInt64 = 1) -> TimeStampSerialNumberSource {
        let counter = SerialCounter(first)
        return TimeStampSerialNumberSource { try counter.take() }
    }
}

/// The state behind ``TimeStampSerialNumberSource/sequential(startingAt:)``, guarded by a lock.
private final class SerialCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64?

    init(_ first: UInt64) { next = first }

    func take() throws(TimestampError) -> TimeStampInteger {
        lock.lock()
        defer { lock.unlock() }
        guard let value = next else { throw TimestampError(.signingFailed, "sequential serial numbers exhausted") }
        next = value == .max ? nil : value + 1
        return TimeStampInteger(value)
    }
}

/// An RFC 3161 time-stamping authority: answers ``TimeStampRequest``s with ``TimeStampResponse``s whose tokens
/// are CMS SignedData (RFC 5652) over a TSTInfo, signed with the TSA key.
///
/// The token it issues:
///
/// ```
/// ContentInfo ::= SEQUENCE { contentType id-signedData (1.2.840.113549.1.7.2), content [0] EXPLICIT SignedData }
/// SignedData ::= SEQUENCE {
///     version 3,                                     -- eContentType is not id-data (RFC 5652 section 5.1)
///     digestAlgorithms SET OF AlgorithmIdentifier,   -- the signer's digest algorithm
///     encapContentInfo SEQUENCE { eContentType id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4),
///                                 eContent [0] EXPLICIT OCTET STRING }   -- the DER TSTInfo
///     certificates [0] IMPLICIT SET OF Certificate OPTIONAL,  -- the chain, TSA first, when certReq is true
///     signerInfos SET OF SignerInfo }                          -- exactly one
/// SignerInfo ::= SEQUENCE {
///     version 1, sid IssuerAndSerialNumber,          -- of the TSA certificate, copied from its DER
///     digestAlgorithm AlgorithmIdentifier,           -- parameters absent
///     signedAttrs [0] IMPLICIT SET OF Attribute,     -- DER, sorted: contentType, messageDigest, signingTime,
///                                                    -- signingCertificateV2
///     signatureAlgorithm AlgorithmIdentifier,
///     signature OCTET STRING }                       -- over the DER SET OF signed attributes
/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }           -- RFC 5035, RFC 5816
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256,  -- omitted
///                            certHash OCTET STRING,                                -- SHA-256 of the TSA cert
///                            issuerSerial IssuerSerial }
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// TSTInfo ::= SEQUENCE { version 1, policy, messageImprint (as requested), serialNumber, genTime,
///                        accuracy OPTIONAL, nonce (echoed) OPTIONAL, tsa [0] GeneralName OPTIONAL }
///                        -- ordering FALSE is the DEFAULT, so it is omitted
/// ```
///
/// The signature follows the key: P-256 → SHA-256 with ecdsa-with-SHA256; P-384 → SHA-384 with
/// ecdsa-with-SHA384; P-521 → SHA-512 with ecdsa-with-SHA512; RSA → SHA-256 with sha256WithRSAEncryption
/// (PKCS #1 v1.5); Ed25519 → SHA-512 digest (RFC 8419) with id-Ed25519. The `certificates` field keeps the chain
/// in the order given (TSA certificate first) rather than DER's sorted SET OF order, as readers expect.
///
/// A value type: copies share the key and the serial-number source.
public struct TimeStampAuthority: Sendable {
    /// How precisely `genTime` is written.
    public struct TimePrecision: Sendable, Hashable {
        /// Decimal places of the seconds, 0 to 6 (trailing zeros are dropped in the encoding, as DER requires).
        public let fractionalDigits: Int

        private init(_ digits: Int) { fractionalDigits = digits }

        /// Whole seconds (`20250101120000Z`).
        public static let seconds = TimePrecision(0)
        /// Milliseconds (`20250101120000.123Z`).
        public static let milliseconds = TimePrecision(3)
        /// Microseconds (`20250101120000.123456Z`).
        public static let microseconds = TimePrecision(6)
    }

    /// The TSA certificate followed by the intermediates that lead to a root (the root may be left out).
    public let certificateChain: [Certificate]
    /// The TSA policy every token is issued under; a request naming another policy is refused.
    public let policy: ASN1ObjectIdentifier
    /// Where serial numbers come from.
    public let serialNumbers: TimeStampSerialNumberSource
    /// The imprint hash algorithms the TSA accepts; others are refused with `badAlg`. Default: SHA-256, SHA-384,
    /// SHA-512. Only algorithms with a known ``TimeStampHashAlgorithm/digestLength`` can be accepted.
    public var acceptedHashAlgorithms: Set<TimeStampHashAlgorithm> = [.sha256, .sha384, .sha512]
    /// The accuracy stated in each TSTInfo, nil to leave it out.
    public var accuracy: TimeStampAccuracy?
    /// The precision of `genTime` (default whole seconds; the time is truncated, never rounded up).
    public var timePrecision: TimePrecision = .seconds
    /// When true, each TSTInfo names the TSA (`tsa`: the TSA certificate's subject as a directoryName).
    public var includesTSAName = false

    /// The digest algorithm of the CMS signature (it follows the key; see the type's description).
    public var signatureDigestAlgorithm: TimeStampHashAlgorithm { signer.digest }

    private let privateKey: Certificate.PrivateKey
    private let signer: SignerProfile
    private let chainDER: [[UInt8]]
    private let issuerAndSerialNumber: [UInt8]
    private let subjectNameDER: [UInt8]
    private let signingCertificateAttribute: [UInt8]

    /// An authority signing with `privateKey` under the TSA certificate `certificateChain[0]`.
    ///
    /// - Parameters:
    ///   - privateKey: the TSA key: P-256, P-384, P-521, RSA or Ed25519, in software or a custom (HSM) key.
    ///   - certificateChain: the TSA certificate first, then its intermediates. The TSA certificate must carry
    ///     exactly one extended key usage, id-kp-timeStamping, marked critical (RFC 3161 section 2.3).
    ///   - policy: the TSA policy OID written in every token.
    ///   - serialNumbers: the serial-number source (default: random 127-bit serials).
    /// - Throws: ``TimestampError`` with ``TimestampError/Code/invalidArgument`` (empty chain, a certificate that
    ///   does not encode), ``TimestampError/Code/invalidCertificate`` (the extended key usage rule),
    ///   ``TimestampError/Code/keyMismatch`` or ``TimestampError/Code/unsupportedAlgorithm``.
    public init(
        privateKey: Certificate.PrivateKey, certificateChain: [Certificate], policy: ASN1ObjectIdentifier,
        serialNumbers: TimeStampSerialNumberSource = .random
    ) throws(TimestampError) {
        guard let leaf = certificateChain.first else {
            throw TimestampError(.invalidArgument, "the certificate chain is empty")
        }
        guard privateKey.publicKey == leaf.publicKey else {
            throw TimestampError(.keyMismatch, "the private key does not match the TSA certificate")
        }
        guard let ekuExtension = leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage], ekuExtension.critical,
            let eku = try? ExtendedKeyUsage(ekuExtension), eku.count == 1, eku.contains(.timeStamping)
        else {
            throw TimestampError(
                .invalidCertificate,
                "the TSA certificate must have one extended key usage, id-kp-timeStamping, marked critical")
        }
        signer = try SignerProfile(privateKey.publicKey)

        var ders: [[UInt8]] = []
        for certificate in certificateChain {
            var serializer = DER.Serializer()
            do { try serializer.serialize(certificate) } catch {
                throw TimestampError(.invalidArgument, "certificate does not encode: \(error)")
            }
            ders.append(serializer.serializedBytes)
        }
        let names = try Self.issuerSerialSubject(ders[0])

        self.privateKey = privateKey
        self.certificateChain = certificateChain
        self.policy = policy
        self.serialNumbers = serialNumbers
        chainDER = ders
        issuerAndSerialNumber = DERWriter.sequence([names.issuer, names.serial])
        subjectNameDER = names.subject
        // GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] is EXPLICIT because Name is a CHOICE.
        let issuerSerial = DERWriter.sequence([
            DERWriter.sequence([DERWriter.tlv(DERWriter.Tag.contextConstructed(4), names.issuer)]), names.serial,
        ])
        let essCertID = DERWriter.sequence([DERWriter.octetString(Array(SHA256.hash(data: ders[0]))), issuerSerial])
        signingCertificateAttribute = Self.attribute(
            CMSOID.signingCertificateV2, DERWriter.sequence([DERWriter.sequence([essCertID])]))
    }

    /// Answers a parsed request: a granted response with a token, or a rejection.
    ///
    /// Refused, in this order: `version` other than 1 (`badDataFormat`); an imprint algorithm not in
    /// ``acceptedHashAlgorithms`` (`badAlg`); a `hashedMessage` whose length is not the algorithm's
    /// (`badDataFormat`); a `reqPolicy` other than ``policy`` (`unacceptedPolicy`); any extension, since this TSA
    /// recognizes none (`unacceptedExtension`, as RFC 3161 section 2.4.1 requires). A time outside years 1 to 9999
    /// gives `timeNotAvailable`; a TSA certificate not valid at `time`, a failing serial-number source or key gives
    /// `systemFailure`.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - time: the time to attest (`genTime`); the current time by default.
    public func issue(request: TimeStampRequest, at time: Date = Date()) -> TimeStampResponse {
        if let refusal = refusal(of: request) {
            return .rejection(refusal.failure, reason: refusal.reason)
        }
        do {
            let token = try makeToken(
                imprint: request.messageImprint, nonce: request.nonce,
                includeCertificates: request.certificateRequested, at: time)
            return .granted(token: token)
        } catch {
            return .rejection(error.code == .invalidTime ? .timeNotAvailable : .systemFailure, reason: error.reason)
        }
    }

    /// Answers a DER request as received over the wire: a request that does not parse gets a `badDataFormat`
    /// rejection; otherwise as ``issue(request:at:)``.
    public func respond(to requestDER: [UInt8], at time: Date = Date()) -> TimeStampResponse {
        let request: TimeStampRequest
        do { request = try TimeStampRequest(derEncoded: requestDER) } catch {
            // The code only: the parser's detail names source files of the ASN.1 library, of no use to a client.
            return .rejection(.badDataFormat, reason: "the request is not a DER TimeStampReq (\(error.code))")
        }
        return issue(request: request, at: time)
    }

    /// A DER `TimeStampToken` for an imprint computed by the caller, with the certificate chain included: what a
    /// C2PA signer puts in a `sigTst2` header.
    ///
    /// - Parameters:
    ///   - imprint: the hash of the data to time-stamp (for C2PA `sigTst2`, of
    ///     ``TimestampValidator/imprintedBytes(version:protectedHeaderBytes:payload:signature:)``).
    ///   - hashAlgorithm: the algorithm that made `imprint`.
    ///   - nonce: a nonce to put in the TSTInfo, nil for none.
    ///   - time: the time to attest; the current time by default.
    /// - Throws: ``TimestampError/Code/requestRejected`` when ``issue(request:at:)`` would refuse the same request
    ///   (the reason names the PKIFailureInfo), else the error that kept the token from being made.
    public func token(
        imprint: [UInt8], hashAlgorithm: TimeStampHashAlgorithm = .sha256, nonce: TimeStampInteger? = nil,
        at time: Date = Date()
    ) throws(TimestampError) -> [UInt8] {
        let request = TimeStampRequest(
            messageImprint: TimeStampMessageImprint(hashAlgorithm: hashAlgorithm, hashedMessage: imprint),
            nonce: nonce, certificateRequested: true)
        if let refusal = refusal(of: request) {
            throw TimestampError(.requestRejected, "\(refusal.failure): \(refusal.reason)")
        }
        return try makeToken(imprint: request.messageImprint, nonce: nonce, includeCertificates: true, at: time)
    }

    // MARK: - Checks

    private func refusal(of request: TimeStampRequest) -> (failure: TimeStampResponse.FailureInfo, reason: String)? {
        guard request.version == 1 else {
            return (.badDataFormat, "unsupported request version \(request.version)")
        }
        let algorithm = request.messageImprint.hashAlgorithm
        guard acceptedHashAlgorithms.contains(algorithm), let length = algorithm.digestLength else {
            return (.badAlg, "unsupported hash algorithm \(algorithm)")
        }
        guard request.messageImprint.hashedMessage.count == length else {
            return (
                .badDataFormat,
                "\(algorithm) imprint of \(request.messageImprint.hashedMessage.count) octets, expected \(length)"
            )
        }
        if let requested = request.policy, requested != policy {
            return (.unacceptedPolicy, "policy \(requested) is not supported")
        }
        if let first = request.extensions.first {
            return (.unacceptedExtension, "extension \(first.oid) is not supported")
        }
        return nil
    }

    // MARK: - Building the token

    private func makeToken(
        imprint: TimeStampMessageImprint, nonce: TimeStampInteger?, includeCertificates: Bool, at time: Date
    ) throws(TimestampError) -> [UInt8] {
        guard let exact = UTCInstant(time) else {
            throw TimestampError(.invalidTime, "time outside the years 1 to 9999")
        }
        let genTime = exact.truncated(toFractionalDigits: timePrecision.fractionalDigits)
        let wholeSeconds = exact.truncated(toFractionalDigits: 0)
        let leaf = certificateChain[0]
        guard leaf.notValidBefore <= wholeSeconds.date, genTime.date <= leaf.notValidAfter else {
            throw TimestampError(.invalidCertificate, "the TSA certificate is not valid at the time of issue")
        }
        let serial: TimeStampInteger
        do { serial = try serialNumbers.next() } catch {
            throw TimestampError(.signingFailed, "serial-number source failed: \(error)")
        }
        guard serial.isPositive, serial.magnitude.count <= 20 else {
            throw TimestampError(.signingFailed, "serial number must be positive and at most 160 bits")
        }

        var fields = [
            DERWriter.integer(1), DERWriter.oid(policy), imprint.derEncoded, DERWriter.integer(serial),
            DERWriter.generalizedTime(genTime, fractionalDigits: timePrecision.fractionalDigits),
        ]
        if let accuracy { fields.append(accuracy.derEncoded) }
        if let nonce { fields.append(DERWriter.integer(nonce)) }
        if includesTSAName {
            fields.append(
                DERWriter.tlv(
                    DERWriter.Tag.contextConstructed(0),
                    DERWriter.tlv(DERWriter.Tag.contextConstructed(4), subjectNameDER)
                ))
        }
        let tstInfo = DERWriter.sequence(fields)

        guard let contentDigest = signer.digest.digest(tstInfo) else {
            throw TimestampError(.unsupportedAlgorithm, "cannot compute \(signer.digest)")
        }
        let signedAttributes = DERWriter.setOf([
            Self.attribute(CMSOID.contentType, DERWriter.oid(CMSOID.tstInfo)),
            Self.attribute(CMSOID.signingTime, DERWriter.cmsTime(wholeSeconds)),
            Self.attribute(CMSOID.messageDigest, DERWriter.octetString(contentDigest)),
            signingCertificateAttribute,
        ])
        let signature: [UInt8]
        do {
            signature = try privateKey.sign(bytes: signedAttributes, signatureAlgorithm: signer.algorithm)
                .rawRepresentation
        } catch {
            throw TimestampError(.signingFailed, "the TSA key failed to sign: \(error)")
        }
        var implicitAttributes = signedAttributes
        implicitAttributes[0] = DERWriter.Tag.contextConstructed(0)  // SET OF -> [0] IMPLICIT

        let digestAlgorithm = DERWriter.algorithm(signer.digest.oid)
        let signerInfo = DERWriter.sequence([
            DERWriter.integer(1), issuerAndSerialNumber, digestAlgorithm, implicitAttributes,
            signer.algorithmIdentifier,
            DERWriter.octetString(signature),
        ])
        var signedData = [
            DERWriter.integer(3), DERWriter.setOf([digestAlgorithm]),
            DERWriter.sequence([
                DERWriter.oid(CMSOID.tstInfo),
                DERWriter.tlv(DERWriter.Tag.contextConstructed(0), DERWriter.octetString(tstInfo)),
            ]),
        ]
        if includeCertificates {
            signedData.append(DERWriter.tlv(DERWriter.Tag.contextConstructed(0), chainDER.flatMap { $0 }))
        }
        signedData.append(DERWriter.setOf([signerInfo]))
        return DERWriter.sequence([
            DERWriter.oid(CMSOID.signedData),
            DERWriter.tlv(DERWriter.Tag.contextConstructed(0), DERWriter.sequence(signedData)),
        ])
    }

    /// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }` with one value.
    private static func attribute(_ type: ASN1ObjectIdentifier, _ value: [UInt8]) -> [UInt8] {
        DERWriter.sequence([DERWriter.oid(type), DERWriter.setOf([value])])
    }

    /// The DER of the issuer Name, serialNumber INTEGER and subject Name of a certificate, as they sit in it:
    /// `TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber, signature, issuer, validity,
    /// subject, ... }`.
    private static func issuerSerialSubject(_ der: [UInt8]) throws(TimestampError) -> (
        issuer: [UInt8], serial: [UInt8], subject: [UInt8]
    ) {
        let certificate = try DERReader.children(try DERReader.parse(der[...]), .sequence, "Certificate")
        guard let tbsNode = certificate.first else {
            throw TimestampError(.invalidArgument, "empty Certificate")
        }
        let tbs = try DERReader.children(tbsNode, .sequence, "TBSCertificate")
        let start = tbs.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) ? 1 : 0
        guard tbs.count > start + 4, tbs[start].identifier == .integer, tbs[start + 2].identifier == .sequence,
            tbs[start + 4].identifier == .sequence
        else {
            throw TimestampError(.invalidArgument, "TBSCertificate lacks serialNumber, issuer or subject")
        }
        return (Array(tbs[start + 2].encodedBytes), Array(tbs[start].encodedBytes), Array(tbs[start + 4].encodedBytes))
    }
}

/// The CMS signature the TSA makes, chosen by its key type.
private struct SignerProfile: Sendable {
    var digest: TimeStampHashAlgorithm
    var algorithm: Certificate.SignatureAlgorithm
    var algorithmIdentifier: [UInt8]

    init(_ key: Certificate.PublicKey) throws(TimestampError) {
        if P256.Signing.PublicKey(key) != nil {
            self.init(.sha256, .ecdsaWithSHA256, DERWriter.algorithm(CMSOID.ecdsaWithSHA256))
        } else if P384.Signing.PublicKey(key) != nil {
            self.init(.sha384, .ecdsaWithSHA384, DERWriter.algorithm(CMSOID.ecdsaWithSHA384))
        } else if P521.Signing.PublicKey(key) != nil {
            self.init(.sha512, .ecdsaWithSHA512, DERWriter.algorithm(CMSOID.ecdsaWithSHA512))
        } else if _RSA.Signing.PublicKey(key) != nil {
            // RFC 4055 section 5: the sha*WithRSAEncryption parameters are NULL.
            self.init(
                .sha256, .sha256WithRSAEncryption, DERWriter.algorithm(CMSOID.sha256WithRSA, nullParameters: true))
        } else if Curve25519.Signing.PublicKey(key) != nil {
            // RFC 8419 section 3: with signed attributes, the message digest is SHA-512.
            self.init(.sha512, .ed25519, DERWriter.algorithm(CMSOID.ed25519))
        } else {
            throw TimestampError(.unsupportedAlgorithm, "unsupported TSA key type")
        }
    }

    private init(
        _ digest: TimeStampHashAlgorithm, _ algorithm: Certificate.SignatureAlgorithm, _ identifier: [UInt8]
    ) {
        self.digest = digest
        self.algorithm = algorithm
        self.algorithmIdentifier = identifier
    }
}

/// The OIDs a TSA writes.
enum CMSOID {
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 4]
    static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 3]
    static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 4]
    static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 5]
    static let signingCertificateV2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 2, 47]
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 4]
    static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
}
