import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Object identifiers used by this module.
enum OID {
    // RFC 6960
    static let ocspBasic: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]
    static let ocspNonce: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
    static let ocspNoCheck: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
    static let ocspSigningEKU: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 9]
    // Hashes
    static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]
    // Signatures
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    static let sha384WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    static let sha512WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    // RFC 5280 CRL extensions
    static let cRLNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
    static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
    static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
}

/// Size limits on untrusted input. DER nesting depth is bounded by SwiftASN1 (50 levels).
enum Limits {
    /// An OCSPRequest larger than this is refused before parsing.
    static let requestBytes = 64 * 1024
    /// An OCSPResponse larger than this is refused before parsing.
    static let responseBytes = 1024 * 1024
    /// A CRL larger than this is refused before parsing.
    static let crlBytes = 64 * 1024 * 1024
    /// At most this many Requests in one OCSPRequest, or SingleResponses in one response.
    static let certIDs = 1000
    /// At most this many certificates in `certs`.
    static let certificates = 32
}

/// Turns SwiftASN1 and X509 errors into ``RevocationError``.
enum DERInput {
    /// Parses `bytes` as one DER element, refusing more than `limit` bytes.
    static func root(_ bytes: ArraySlice<UInt8>, limit: Int, _ what: String) throws(RevocationError) -> ASN1Node {
        guard bytes.count <= limit else {
            throw RevocationError(.inputTooLarge, "\(what) is \(bytes.count) bytes; at most \(limit) are accepted")
        }
        do { return try DER.parse(bytes) } catch { throw RevocationError(.malformedDER, "\(what): \(error)") }
    }

    /// Runs a decoding step; anything but a ``RevocationError`` becomes `unexpectedStructure`.
    static func decode<T>(_ what: String, _ body: () throws -> T) throws(RevocationError) -> T {
        do { return try body() } catch let error as RevocationError { throw error } catch {
            throw RevocationError(.unexpectedStructure, "\(what): \(error)")
        }
    }

    /// Runs an encoding step; failures become `invalidArgument` (values that cannot be encoded).
    static func encode(_ what: String, _ body: (inout DER.Serializer) throws -> Void) throws(RevocationError) -> [UInt8]
    {
        var serializer = DER.Serializer()
        do { try body(&serializer) } catch let error as RevocationError { throw error } catch {
            throw RevocationError(.invalidArgument, "\(what): \(error)")
        }
        return serializer.serializedBytes
    }
}

/// DER pieces shared by the OCSP and CRL types. They throw SwiftASN1 errors or ``RevocationError``; callers wrap
/// them with ``DERInput/decode(_:_:)``.
enum DERCoding {
    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`
    static func algorithmIdentifier(_ node: ASN1Node) throws -> (oid: ASN1ObjectIdentifier, parameters: ASN1Any?) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return (oid, parameters)
        }
    }

    static func serializeAlgorithmIdentifier(
        _ oid: ASN1ObjectIdentifier, _ parameters: ASN1Any?, into coder: inout DER.Serializer
    ) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// `NULL` as an `ASN1Any`, for AlgorithmIdentifier parameters.
    static let null: ASN1Any = try! ASN1Any(erasing: ASN1Null())

    /// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` (duplicates refused).
    static func extensions(_ node: ASN1Node) throws -> Certificate.Extensions {
        let list = try DER.sequence(node, identifier: .sequence) { nodes in
            var list: [Certificate.Extension] = []
            while let next = nodes.next() {
                guard list.count < 32 else { throw RevocationError(.inputTooLarge, "more than 32 extensions") }
                list.append(try Certificate.Extension(derEncoded: next))
            }
            return list
        }
        return try Certificate.Extensions(list)
    }

    static func serializeExtensions(_ extensions: Certificate.Extensions, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            for ext in extensions { try coder.serialize(ext) }
        }
    }

    /// An INTEGER's content octets (a serial number, a CRL number), DER-minimal.
    static func integerBytes(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        try ArraySlice<UInt8>(derEncoded: node)
    }

    /// A GeneralizedTime as a `Date` (OCSP uses GeneralizedTime only).
    static func generalizedTime(_ node: ASN1Node) throws -> Date {
        let time = try GeneralizedTime(derEncoded: node)
        return try UTCDate.date(
            time.year, time.month, time.day, time.hours, time.minutes, time.seconds, time.fractionalSeconds)
    }

    /// RFC 5280 `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`.
    static func time(_ node: ASN1Node) throws -> Date {
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            return try UTCDate.date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds, 0)
        }
        return try generalizedTime(node)
    }

    static func serializeGeneralizedTime(_ date: Date, into coder: inout DER.Serializer) throws {
        try coder.serialize(try UTCDate.generalizedTime(date))
    }

    /// RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    static func serializeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        let c = try UTCDate.components(date)
        if (1950...2049).contains(c.year) {
            try coder.serialize(
                try UTCTime(
                    year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second))
        } else {
            try coder.serialize(try UTCDate.generalizedTime(date))
        }
    }

    /// The DER of a value that SwiftASN1 can serialize.
    static func der(_ value: some DERSerializable) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(value)
        return coder.serializedBytes
    }

    /// The contents of the subjectPublicKey BIT STRING of a certificate's key (what OCSP key hashes cover).
    /// swift-certificates exposes exactly these octets as `subjectPublicKeyInfoBytes`.
    static func subjectPublicKeyBits(_ key: Certificate.PublicKey) -> [UInt8] {
        Array(key.subjectPublicKeyInfoBytes)
    }
}

/// UTC calendar arithmetic without Calendar (no locale or time-zone dependence), whole seconds.
enum UTCDate {
    static func date(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ fraction: Double
    ) throws(RevocationError) -> Date {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...59).contains(second), fraction >= 0, fraction < 1
        else { throw RevocationError(.invalidTime, "time field out of range") }
        let days = daysFromCivil(year, month, day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction)
    }

    static func components(_ date: Date) throws(RevocationError) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    ) {
        let t = date.timeIntervalSince1970.rounded(.down)
        guard t.isFinite, abs(t) < 300_000_000_000, let seconds = Int(exactly: t) else {
            throw RevocationError(.invalidTime, "date out of range")
        }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        guard (1...9999).contains(y) else { throw RevocationError(.invalidTime, "year \(y) out of range") }
        return (y, m, d, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    static func generalizedTime(_ date: Date) throws(RevocationError) -> GeneralizedTime {
        let c = try components(date)
        do {
            return try GeneralizedTime(
                year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second,
                fractionalSeconds: 0)
        } catch { throw RevocationError(.invalidTime, "\(error)") }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Signature algorithms: the AlgorithmIdentifier each one is written with, and signing and checking with
/// swift-crypto keys through swift-certificates' `Certificate.PrivateKey` / `Certificate.PublicKey`.
///
/// Produced and accepted: ecdsa-with-SHA256/384/512 (DER `Ecdsa-Sig-Value`), sha256/384/512WithRSAEncryption
/// (RSASSA-PKCS1-v1_5, parameters NULL, as OpenSSL writes them for OCSP and CRLs) and Ed25519 (no parameters).
/// SHA-1 signatures and RSASSA-PSS are refused.
enum Signatures {
    private static let table: [(Certificate.SignatureAlgorithm, ASN1ObjectIdentifier, Bool)] = [
        (.ecdsaWithSHA256, OID.ecdsaWithSHA256, false),
        (.ecdsaWithSHA384, OID.ecdsaWithSHA384, false),
        (.ecdsaWithSHA512, OID.ecdsaWithSHA512, false),
        (.sha256WithRSAEncryption, OID.sha256WithRSA, true),
        (.sha384WithRSAEncryption, OID.sha384WithRSA, true),
        (.sha512WithRSAEncryption, OID.sha512WithRSA, true),
        (.ed25519, OID.ed25519, false),
    ]

    /// The OID and parameters to write for `algorithm`.
    static func identifier(_ algorithm: Certificate.SignatureAlgorithm) throws(RevocationError) -> (
        ASN1ObjectIdentifier, ASN1Any?
    ) {
        guard let entry = table.first(where: { $0.0 == algorithm }) else {
            throw RevocationError(.unsupportedAlgorithm, "signature algorithm \(algorithm) is not supported")
        }
        return (entry.1, entry.2 ? DERCoding.null : nil)
    }

    /// The algorithm an AlgorithmIdentifier names, nil when unsupported or with unexpected parameters.
    static func algorithm(oid: ASN1ObjectIdentifier, parameters: ASN1Any?) -> Certificate.SignatureAlgorithm? {
        guard let entry = table.first(where: { $0.1 == oid }) else { return nil }
        if entry.2 {
            guard parameters == nil || parameters == DERCoding.null else { return nil }
        } else if parameters != nil {
            return nil
        }
        return entry.0
    }

    /// The usual algorithm for a key: ECDSA with the curve's hash, SHA-256 with RSA, Ed25519.
    static func defaultAlgorithm(for key: Certificate.PublicKey) -> Certificate.SignatureAlgorithm? {
        if P256.Signing.PublicKey(key) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(key) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(key) != nil { return .sha256WithRSAEncryption }
        if Curve25519.Signing.PublicKey(key) != nil { return .ed25519 }
        return nil
    }

    /// Whether `algorithm` suits the kind of `key` (ECDSA for EC keys, RSA for RSA, Ed25519 for Ed25519).
    static func matches(_ algorithm: Certificate.SignatureAlgorithm, _ key: Certificate.PublicKey) -> Bool {
        switch algorithm {
        case .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512:
            return P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil
                || P521.Signing.PublicKey(key) != nil
        case .sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption:
            return _RSA.Signing.PublicKey(key) != nil
        case .ed25519:
            return Curve25519.Signing.PublicKey(key) != nil
        default:
            return false
        }
    }

    /// Signs `bytes`; the result is what goes in the BIT STRING.
    static func sign(
        _ bytes: [UInt8], key: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm
    ) throws(RevocationError) -> [UInt8] {
        _ = try identifier(algorithm)
        guard matches(algorithm, key.publicKey) else {
            throw RevocationError(.unsupportedAlgorithm, "\(algorithm) does not suit the signing key")
        }
        do {
            return try key.sign(bytes: bytes, signatureAlgorithm: algorithm).rawRepresentation
        } catch {
            throw RevocationError(.signingFailed, "\(error)")
        }
    }

    /// Checks a signature over `bytes` exactly as received.
    static func verify(
        _ signature: [UInt8], over bytes: [UInt8], key: Certificate.PublicKey,
        algorithm: Certificate.SignatureAlgorithm
    ) -> Bool {
        guard matches(algorithm, key) else { return false }
        return key.isValidSignature(signature, for: bytes, signatureAlgorithm: algorithm)
    }
}

/// Facts about certificates used by both the responder and the verifiers.
enum CertificateFacts {
    /// Whether `certificate` carries id-kp-OCSPSigning in its extended key usage.
    static func hasOCSPSigning(_ certificate: Certificate) -> Bool {
        guard let eku = try? certificate.extensions.extendedKeyUsage else { return false }
        return eku.contains(.ocspSigning)
    }

    /// SHA-1 of the subjectPublicKey bits: the ResponderID byKey value (RFC 6960 section 4.2.1).
    static func keyHash(_ key: Certificate.PublicKey) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: DERCoding.subjectPublicKeyBits(key)))
    }

    /// Whether `issuer` signed `certificate` and is named as its issuer.
    static func issued(_ issuer: Certificate, _ certificate: Certificate) -> Bool {
        certificate.issuer == issuer.subject
            && issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
    }
}
