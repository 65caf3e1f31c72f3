import Crypto
import Foundation
import SwiftASN1
import SignetPKI
import X509
import _CryptoExtras

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
        return try date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds, time.fractionalSeconds)
    }

    /// RFC 5280 `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`.
    static func time(_ node: ASN1Node) throws -> Date {
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            return try date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds, 0)
        }
        return try generalizedTime(node)
    }

    private static func date(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ fraction: Double
    ) throws(RevocationError) -> Date {
        guard second < 60, let date = UTCCalendar.date(year, month, day, hour, minute, second, fraction) else {
            throw RevocationError(.invalidTime, "time field out of range")
        }
        return date
    }

    /// The calendar fields of `date`, whole seconds, years 1 to 9999.
    static func components(_ date: Date) throws(RevocationError) -> UTCCalendar.Components {
        guard let components = UTCCalendar.components(date) else { throw RevocationError(.invalidTime, "date out of range") }
        return components
    }

    static func generalizedTime(_ date: Date) throws(RevocationError) -> GeneralizedTime {
        let c = try components(date)
        do {
            return try GeneralizedTime(
                year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second,
                fractionalSeconds: 0)
        } catch { throw RevocationError(.invalidTime, "\(error)") }
    }

    static func serializeGeneralizedTime(_ date: Date, into coder: inout DER.Serializer) throws {
        try coder.serialize(try generalizedTime(date))
    }

    /// RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    static func serializeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        let c = try components(date)
        if (1950...2049).contains(c.year) {
            try coder.serialize(
                try UTCTime(
                    year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second))
        } else {
            try coder.serialize(try generalizedTime(date))
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

/// Signature algorithms: the AlgorithmIdentifier each one is written with, and signing and checking with
/// swift-crypto keys through swift-certificates' `Certificate.PrivateKey` / `Certificate.PublicKey`.
///
/// Produced and accepted: ecdsa-with-SHA256/384/512 (DER `Ecdsa-Sig-Value`), sha256/384/512WithRSAEncryption
/// (RSASSA-PKCS1-v1_5, parameters NULL, as OpenSSL writes them for OCSP and CRLs) and Ed25519 (no parameters).
/// SHA-1 signatures and RSASSA-PSS are refused.
enum Signatures {
    private typealias Sig = ASN1ObjectIdentifier.SignatureAlgorithm
    private static let table: [(Certificate.SignatureAlgorithm, ASN1ObjectIdentifier, Bool)] = [
        (.ecdsaWithSHA256, Sig.ecdsaWithSHA256, false),
        (.ecdsaWithSHA384, Sig.ecdsaWithSHA384, false),
        (.ecdsaWithSHA512, Sig.ecdsaWithSHA512, false),
        (.sha256WithRSAEncryption, Sig.sha256WithRSA, true),
        (.sha384WithRSAEncryption, Sig.sha384WithRSA, true),
        (.sha512WithRSAEncryption, Sig.sha512WithRSA, true),
        (.ed25519, Sig.ed25519, false),
    ]

    /// The AlgorithmIdentifier to write for `algorithm`.
    static func identifier(_ algorithm: Certificate.SignatureAlgorithm) throws(RevocationError) -> AlgorithmIdentifier {
        guard let entry = table.first(where: { $0.0 == algorithm }) else {
            throw RevocationError(.unsupportedAlgorithm, "signature algorithm \(algorithm) is not supported")
        }
        return AlgorithmIdentifier(oid: entry.1, parameters: entry.2 ? AlgorithmIdentifier.nullParameters : nil)
    }

    /// The algorithm an AlgorithmIdentifier names, nil when unsupported or with unexpected parameters.
    static func algorithm(oid: ASN1ObjectIdentifier, parameters: ASN1Any?) -> Certificate.SignatureAlgorithm? {
        guard let entry = table.first(where: { $0.1 == oid }) else { return nil }
        if entry.2 {
            guard parameters == nil || parameters == AlgorithmIdentifier.nullParameters else { return nil }
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

    /// Checks a signature over `bytes` exactly as received, with ``SignatureCheck`` (which refuses SHA-1).
    static func verify(
        _ signature: [UInt8], over bytes: [UInt8], key: Certificate.PublicKey,
        algorithm: Certificate.SignatureAlgorithm
    ) -> Bool {
        guard matches(algorithm, key), let identifier = try? identifier(algorithm),
            let keyInfo = try? PublicKeyInfo(der: DERCoding.der(key))
        else { return false }
        return SignatureCheck.verify(signature: signature, over: bytes, algorithm: identifier, key: keyInfo) == .valid
    }
}

/// Facts about certificates used by both the responder and the verifiers.
enum CertificateFacts {
    /// SHA-1 of the subjectPublicKey bits: the ResponderID byKey value (RFC 6960 section 4.2.1; SHA-1 is the
    /// protocol's name for a key, not a signature).
    static func keyHash(_ key: Certificate.PublicKey) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: DERCoding.subjectPublicKeyBits(key)))
    }

    /// Whether `issuer` signed `certificate` and is named as its issuer (``SignatureCheck``, as on every path).
    static func issued(_ issuer: Certificate, _ certificate: Certificate) -> Bool {
        guard let issuerDER = try? DERCoding.der(issuer), let subjectDER = try? DERCoding.der(certificate),
            let parsedIssuer = try? ParsedCertificate(der: issuerDER), let parsed = try? ParsedCertificate(der: subjectDER)
        else { return false }
        return parsed.issuer == parsedIssuer.subject && SignatureCheck.verify(parsed, issuedBy: parsedIssuer) == .valid
    }

    /// Why `responder` may not answer for `issuer`'s certificates as a delegated responder (RFC 6960 section
    /// 4.2.2.2: issued by the CA directly, with id-kp-OCSPSigning), if it may not: the one path checker with the
    /// issuer as the only anchor and the `ocspSigning` policy. With a time, the responder certificate must be
    /// valid then (within `tolerance`).
    static func delegationFailure(
        of responder: Certificate, for issuer: Certificate, at time: Date?, tolerance: TimeInterval
    ) -> PathValidator.Failure? {
        guard let responderDER = try? DERCoding.der(responder), let issuerDER = try? DERCoding.der(issuer) else {
            return PathValidator.Failure(code: .malformedChain, reason: "a certificate does not encode")
        }
        return PathValidator.check(
            chainDER: [responderDER], anchorsDER: [issuerDER], at: time, tolerance: tolerance, policy: .ocspSigning)
    }
}
