import Foundation
import SignetPKI
import SwiftASN1

/// The C2PA certificate profile (§14.5.1) for a claim signer's end-entity certificate, checked in the same
/// order and with the same outcomes as c2pa-rs (`check_certificate_profile` followed by
/// `check_end_entity_certificate_profile`): the first violation ends the check.
enum CertificateProfile {
    /// Extensions c2pa-rs understands; any other extension marked critical breaks the profile.
    static let understoodExtensions: [ASN1ObjectIdentifier] = [
        ASN1ObjectIdentifier.CertificateExtension.authorityKeyIdentifier, ASN1ObjectIdentifier.CertificateExtension.subjectKeyIdentifier, ASN1ObjectIdentifier.CertificateExtension.keyUsage, ASN1ObjectIdentifier.CertificateExtension.certificatePolicies,
        ASN1ObjectIdentifier.CertificateExtension.policyMappings, ASN1ObjectIdentifier.CertificateExtension.subjectAltName, ASN1ObjectIdentifier.CertificateExtension.basicConstraints, ASN1ObjectIdentifier.CertificateExtension.nameConstraints, ASN1ObjectIdentifier.CertificateExtension.policyConstraints,
        ASN1ObjectIdentifier.CertificateExtension.extendedKeyUsage, ASN1ObjectIdentifier.CertificateExtension.crlDistributionPoints, ASN1ObjectIdentifier.CertificateExtension.inhibitAnyPolicy, ASN1ObjectIdentifier.CertificateExtension.authorityInfoAccess,
        ASN1ObjectIdentifier.CertificateExtension.netscapeCertType, ASN1ObjectIdentifier.CertificateExtension.crlNumber, ASN1ObjectIdentifier.CertificateExtension.reasonCode, ASN1ObjectIdentifier.CertificateExtension.invalidityDate,
    ]

    static let supportedSignatureAlgorithms: [ASN1ObjectIdentifier] = [
        ASN1ObjectIdentifier.SignatureAlgorithm.sha256WithRSA, ASN1ObjectIdentifier.SignatureAlgorithm.sha384WithRSA, ASN1ObjectIdentifier.SignatureAlgorithm.sha512WithRSA, ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA256, ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA384,
        ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA512, ASN1ObjectIdentifier.SignatureAlgorithm.rsassaPSS, ASN1ObjectIdentifier.SignatureAlgorithm.ed25519,
    ]

    static func check(_ certificate: ParsedCertificate?, settings: TrustSettings, at time: Date) -> [StatusEntry] {
        guard let certificate else { return [invalid("certificate could not be parsed")] }
        if let failure = checkGeneral(certificate, settings: settings, at: time) { return [failure] }
        if certificate.isCA { return [invalid("expected end-entity certificate")] }
        return []
    }

    private static func invalid(_ explanation: String) -> StatusEntry {
        StatusEntry(code: StatusEntry.signingCredentialInvalid, explanation: explanation)
    }

    /// `true` when `eku` holds an EKU acceptable for a signer (c2pa-rs `has_allowed_eku`): emailProtection,
    /// timeStamping, OCSPSigning, or a configured OID other than the serverAuth/clientAuth/codeSigning/any
    /// ones, which c2pa-rs never consults the configuration for.
    static func hasAcceptedEKU(_ eku: [ASN1ObjectIdentifier], settings: TrustSettings) -> Bool {
        let neverConfigurable: [ASN1ObjectIdentifier] = [ASN1ObjectIdentifier.KeyPurpose.serverAuth, ASN1ObjectIdentifier.KeyPurpose.clientAuth, ASN1ObjectIdentifier.KeyPurpose.codeSigning, ASN1ObjectIdentifier.KeyPurpose.any]
        return eku.contains { oid in
            TrustSettings.builtInEKUs.contains(oid) || (!neverConfigurable.contains(oid) && settings.allowedEKUs.contains(oid))
        }
    }

    private static func checkGeneral(_ cert: ParsedCertificate, settings: TrustSettings, at time: Date) -> StatusEntry? {
        guard cert.version == 2 else { return invalid("certificate version incorrect") }

        guard cert.notBefore <= time, time <= cert.notAfter else {
            return StatusEntry(code: StatusEntry.signingCredentialExpired, explanation: "certificate expired")
        }

        let algorithm = cert.signatureAlgorithm
        guard supportedSignatureAlgorithms.contains(algorithm.oid) else {
            return invalid("certificate algorithm not supported")
        }
        if algorithm.oid == ASN1ObjectIdentifier.SignatureAlgorithm.ed25519, algorithm.parameters != nil {
            return invalid("certificate Ed25519 signature algorithm parameters must be absent")
        }
        if algorithm.oid != cert.tbsSignatureAlgorithm.oid
            || algorithm.parameters != cert.tbsSignatureAlgorithm.parameters
        {
            return invalid("certificate signature algorithm does not match tbsCertificate signature algorithm")
        }
        if algorithm.oid == ASN1ObjectIdentifier.SignatureAlgorithm.rsassaPSS, case .failure(let problem) = PSSParameters.read(algorithm) {
            return invalid(problem.explanation)
        }

        let keyAlgorithm = cert.publicKeyAlgorithm
        if keyAlgorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.ecPublicKey {
            guard let curve = keyAlgorithm.namedCurve else {
                return invalid("certificate EC public key parameters are not a named curve")
            }
            guard [ASN1ObjectIdentifier.Curve.prime256v1, ASN1ObjectIdentifier.Curve.secp384r1, ASN1ObjectIdentifier.Curve.secp521r1].contains(curve) else {
                return invalid("certificate unsupported EC curve")
            }
        }
        if keyAlgorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.ed25519, keyAlgorithm.parameters != nil {
            return invalid("certificate Ed25519 public key parameters must be absent")
        }
        if keyAlgorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.rsaEncryption || keyAlgorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.rsassaPSS {
            guard let (modulusBits, exponent) = rsaKey(cert.publicKeyBits) else {
                return invalid("certificate RSA public key could not be parsed")
            }
            if modulusBits < 2048 { return invalid("certificate key length too short") }
            if !exponent.isValidRSAExponent { return invalid("certificate RSA public exponent is invalid") }
        }

        if cert.isCA, cert.issuer == cert.subject {
            return invalid("certificate issuer and subject cannot be the same (self-signed disallowed)")
        }
        if cert.hasIssuerUniqueID || cert.hasSubjectUniqueID {
            return invalid("certificate issuer/subject unique ids are not allowed")
        }

        var problems: [String] = []
        if cert.extendedKeyUsageUnreadable {
            return invalid("certificate extended key usage could not be parsed")
        }
        if let eku = cert.extendedKeyUsage {
            if eku.contains(ASN1ObjectIdentifier.KeyPurpose.any) { return invalid("certificate 'any' EKU not allowed") }
            if !hasAcceptedEKU(eku, settings: settings) { return invalid("certificate missing required EKU") }
            let ocsp = eku.contains(ASN1ObjectIdentifier.KeyPurpose.ocspSigning)
            let timeStamping = eku.contains(ASN1ObjectIdentifier.KeyPurpose.timeStamping)
            let others = eku.contains { $0 != ASN1ObjectIdentifier.KeyPurpose.ocspSigning && $0 != ASN1ObjectIdentifier.KeyPurpose.timeStamping }
            if (ocsp && timeStamping) || (ocsp != timeStamping && others) {
                return invalid("certificate invalid set of EKUs")
            }
        } else if !cert.isCA {
            problems.append("no extended key usage")
        }

        var keyUsageGood = false
        if let keyUsage = cert.keyUsage {
            if keyUsage.digitalSignature {
                if keyUsage.keyCertSign && !cert.isCA { return invalid("certificate missing digitalSignature EKU") }
                keyUsageGood = true
            }
            if keyUsage.keyCertSign || keyUsage.nonRepudiation { keyUsageGood = true }
        }
        if !keyUsageGood {
            problems.append(cert.hasExtension(ASN1ObjectIdentifier.CertificateExtension.keyUsage) ? "key usage lacks digitalSignature" : "no key usage")
        }
        if !cert.hasExtension(ASN1ObjectIdentifier.CertificateExtension.authorityKeyIdentifier) { problems.append("no authority key identifier") }
        if cert.isCA, !cert.hasExtension(ASN1ObjectIdentifier.CertificateExtension.subjectKeyIdentifier) { problems.append("no subject key identifier on a CA") }
        if let unknown = cert.extensions.first(where: { $0.critical && !understoodExtensions.contains($0.oid) }) {
            problems.append("unsupported critical extension \(unknown.oid)")
        }
        if !problems.isEmpty {
            return invalid("certificate params incorrect (\(problems.joined(separator: ", ")))")
        }
        return nil
    }

    /// Reads `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` and returns the modulus
    /// size in bits and the exponent.
    private static func rsaKey(_ bits: ArraySlice<UInt8>) -> (Int, RSAExponent)? {
        guard let node = try? DER.parse(bits), node.identifier == .sequence,
            let items = try? DERNodes.children(of: node, "RSAPublicKey"), items.count >= 2,
            let modulus = try? ArraySlice<UInt8>(derEncoded: items[0]),
            let exponent = try? ArraySlice<UInt8>(derEncoded: items[1])
        else { return nil }
        return (bitLength(modulus), RSAExponent(bytes: exponent))
    }

    /// Bit length of a big-endian two's-complement INTEGER's magnitude (leading zero bytes ignored).
    private static func bitLength(_ bytes: ArraySlice<UInt8>) -> Int {
        let significant = bytes.drop { $0 == 0 }
        guard let first = significant.first else { return 0 }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    struct RSAExponent {
        var bytes: ArraySlice<UInt8>
        /// c2pa-rs: exponent >= 3 and odd (a negative exponent is invalid).
        var isValidRSAExponent: Bool {
            guard let first = bytes.first, first & 0x80 == 0, let last = bytes.last, last & 1 == 1 else { return false }
            let significant = bytes.drop { $0 == 0 }
            return significant.count > 1 || (significant.first ?? 0) >= 3
        }
    }
}
