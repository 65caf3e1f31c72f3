import Crypto
import Foundation
import SignetCBOR
import SignetPKI
import SwiftASN1
import X509
import _CryptoExtras

/// Which of c2pa-rs's three validation-result lists a status belongs in.
public enum TimestampStatusList: String, Sendable, Hashable {
    /// `success`.
    case success
    /// `informational`: every time-stamp fault goes here in c2pa-rs (it never fails a manifest by itself).
    case informational
    /// `failure` (only used for statuses a custom trust evaluator reports as failures).
    case failure
}

/// One `timeStamp.*` (or, from a custom trust evaluator, other) validation status.
public struct TimestampStatus: Sendable, Hashable, CustomStringConvertible {
    /// `timeStamp.validated`, `timeStamp.trusted`, `timeStamp.untrusted`, `timeStamp.mismatch`,
    /// `timeStamp.malformed` or `timeStamp.outsideValidity`.
    public var code: String
    /// The explanation, worded as c2pa-rs words it.
    public var explanation: String
    /// The list c2pa-rs puts this status in.
    public var list: TimestampStatusList
    /// True when the status belongs in the failure list.
    public var isFailure: Bool { list == .failure }

    /// Creates a status.
    public init(code: String, explanation: String, list: TimestampStatusList) {
        self.code = code
        self.explanation = explanation
        self.list = list
    }

    /// `code: explanation`.
    public var description: String { "\(code): \(explanation)" }

    /// `timeStamp.validated`.
    public static let validatedCode = "timeStamp.validated"
    /// `timeStamp.trusted`.
    public static let trustedCode = "timeStamp.trusted"
    /// `timeStamp.untrusted`.
    public static let untrustedCode = "timeStamp.untrusted"
    /// `timeStamp.mismatch`.
    public static let mismatchCode = "timeStamp.mismatch"
    /// `timeStamp.malformed`.
    public static let malformedCode = "timeStamp.malformed"
    /// `timeStamp.outsideValidity`.
    public static let outsideValidityCode = "timeStamp.outsideValidity"

    static func info(_ code: String, _ explanation: String) -> TimestampStatus {
        TimestampStatus(code: code, explanation: explanation, list: .informational)
    }
}

/// Which COSE header carried the token, and so which payload its imprint covers.
public enum TimestampVersion: String, Sendable, Hashable {
    /// `sigTst` (C2PA 1.x, deprecated): imprint over the claim bytes.
    case v1 = "sigTst"
    /// `sigTst2` (C2PA 2.x): imprint over the CBOR-encoded `signature` bstr of the COSE_Sign1.
    case v2 = "sigTst2"
}

/// What the validator found.
public struct TimestampResult: Sendable {
    /// The header the token came from.
    public var version: TimestampVersion
    /// TSTInfo `genTime`, whenever the token parsed (even when it did not validate).
    public var genTime: Date?
    /// The time c2pa-rs attests: the signer's signed `signingTime` attribute when present (whole seconds),
    /// else `genTime`. Set only when the time-stamp is both validated and trusted (including "legacy" trust):
    /// then it, not the current time, is the validation time for the claim signer's certificate.
    public var attestedTime: Date?
    /// The common name(s) of the TSA signing certificate, concatenated as c2pa-rs does.
    public var tsaCommonName: String?
    /// The TSA signer certificate followed by the issuers found in the token, leaf first (DER).
    public var tsaChainDER: [[UInt8]]
    /// The statuses in c2pa-rs order (`timeStamp.validated` before `timeStamp.trusted`).
    public var statuses: [TimestampStatus]

    /// True when the token was validated and trusted: ``attestedTime`` may then be used.
    public var isTrustedAndValidated: Bool { attestedTime != nil }
}

/// The outcome of a TSA trust decision made outside this module (see ``TSATrust/custom(_:)``).
public struct TSATrustOutcome: Sendable {
    /// Whether the TSA chain is trusted.
    public var trusted: Bool
    /// The trust list name for the explanation `timestamp cert trusted: <CN>, trust list: <name>`.
    public var trustListName: String
    /// Extra statuses to report before the timeStamp status (e.g. certificate profile failures, which
    /// c2pa-rs logs under `signingCredential.*`).
    public var extraStatuses: [TimestampStatus]

    /// Creates an outcome.
    public init(trusted: Bool, trustListName: String = "system_anchors", extraStatuses: [TimestampStatus] = []) {
        self.trusted = trusted
        self.trustListName = trustListName
        self.extraStatuses = extraStatuses
    }
}

/// How the TSA certificate chain is judged once the token has validated.
public enum TSATrust: Sendable {
    /// Do not check: report `timeStamp.trusted` "legacy timestamp cert trusted: CN". c2pa-rs does this for a
    /// claim v1 (`c2pa.claim`) and when `verify.verify_timestamp_trust` is false.
    case skip
    /// Check with the one path checker (``PathValidator``, policy `timeStamping`): the TSA leaf is an end entity
    /// with the id-kp-timeStamping EKU, and the token's certificates chain to one of these anchors (DER) with the
    /// signer's rules: each signed by the next, issuers CAs within their path length, all valid at the attested
    /// time, at most ``PathValidator/maxChainLength`` certificates. No anchors: untrusted.
    case anchors([[UInt8]], trustListName: String = "system_anchors")
    /// Delegate: called with the TSA chain (leaf first, DER) and the attested time.
    case custom(@Sendable (_ chainDER: [[UInt8]], _ time: Date) -> TSATrustOutcome)
}

/// Validates the RFC 3161 time-stamp that C2PA stores in a claim signature's COSE unprotected header, the way
/// c2pa-rs does (its `timeStamp.*` codes, explanations and list placement).
///
/// Header value (`sigTst` or `sigTst2`), CBOR: `{ "tstTokens": [ { "val": bstr } ] }`; `val` is a DER
/// `TimeStampResp` (sigTst) or `TimeStampToken` (sigTst2); either is accepted in both.
///
/// The message imprint covers the hash (with the imprint's own algorithm) of the CBOR
/// `Sig_structure` `["CounterSignature", protected, h'', payload]` where `protected` is the COSE_Sign1 protected
/// header bstr and `payload` is, for `sigTst`, the claim bytes, and for `sigTst2`, the CBOR encoding of the
/// COSE_Sign1 `signature` as a bstr (header bytes included), wrapped again as a bstr by the Sig_structure.
public enum TimestampValidator {
    /// Validates with the built-in TSA trust evaluator (see ``TSATrust/anchors(_:trustListName:)``), or skips the
    /// trust check ("legacy") when `verifyTrust` is false.
    ///
    /// - Returns: nil when the header has neither `sigTst` nor `sigTst2`.
    public static func validate(
        unprotectedHeader: [CBOR.MapEntry], protectedHeaderBytes: [UInt8], payload: [UInt8], signature: [UInt8],
        tsaAnchorsDER: [[UInt8]], verifyTrust: Bool = true
    ) -> TimestampResult? {
        validate(
            unprotectedHeader: unprotectedHeader, protectedHeaderBytes: protectedHeaderBytes, payload: payload,
            signature: signature, trust: verifyTrust ? .anchors(tsaAnchorsDER) : .skip)
    }

    /// Validates with an explicit trust mode.
    ///
    /// - Parameters:
    ///   - unprotectedHeader: the COSE_Sign1 unprotected header entries, in order (the first `sigTst`/`sigTst2`
    ///     entry is used, as in c2pa-rs).
    ///   - protectedHeaderBytes: the protected header bstr's content.
    ///   - payload: the claim bytes (the detached COSE payload).
    ///   - signature: the COSE_Sign1 signature bytes.
    ///   - trust: how to judge the TSA chain.
    /// - Returns: nil when the header has neither `sigTst` nor `sigTst2`.
    public static func validate(
        unprotectedHeader: [CBOR.MapEntry], protectedHeaderBytes: [UInt8], payload: [UInt8], signature: [UInt8],
        trust: TSATrust
    ) -> TimestampResult? {
        var found: (TimestampVersion, CBOR)?
        for entry in unprotectedHeader {
            if case .textString(let label) = entry.key, let v = TimestampVersion(rawValue: label) {
                found = (v, entry.value)
                break
            }
        }
        guard let (version, container) = found else { return nil }
        var result = TimestampResult(
            version: version, genTime: nil, attestedTime: nil, tsaCommonName: nil, tsaChainDER: [], statuses: [])

        guard let tokens = container["tstTokens"]?.arrayValue else {
            result.statuses = [.info(TimestampStatus.malformedCode, "could not parse timestamp data")]
            return result
        }
        if tokens.count > 1 {
            result.statuses = [
                .info(TimestampStatus.malformedCode, "only a single timestamp response is allowed in a manifest")
            ]
            return result
        }
        guard let val = tokens.first?["val"]?.bytesValue else {
            result.statuses = [.info(TimestampStatus.malformedCode, "could not parse timestamp data")]
            return result
        }
        let imprinted = imprintedBytes(
            version: version, protectedHeaderBytes: protectedHeaderBytes, payload: payload, signature: signature)
        verify(token: val, imprinted: imprinted, trust: trust, into: &result)
        return result
    }

    /// The bytes whose hash the message imprint must equal: the CBOR
    /// `["CounterSignature", protected, h'', payload]`, with `payload` chosen by `version`.
    public static func imprintedBytes(
        version: TimestampVersion, protectedHeaderBytes: [UInt8], payload: [UInt8], signature: [UInt8]
    ) -> [UInt8] {
        let encoder = CBOREncoder()
        let inner: [UInt8]
        switch version {
        case .v1: inner = payload
        case .v2: inner = encoder.encode(.byteString(signature))
        }
        return encoder.encode(
            .array([
                .textString("CounterSignature"), .byteString(protectedHeaderBytes), .byteString([]), .byteString(inner),
            ]))
    }

    // MARK: - The c2pa-rs verification sequence

    static func verify(token bytes: [UInt8], imprinted: [UInt8], trust: TSATrust, into result: inout TimestampResult) {
        let token: TimeStampToken
        do {
            token = try TimeStampToken(derEncoded: bytes)
        } catch {
            result.statuses = [.info(TimestampStatus.malformedCode, "could not parse timestamp data")]
            return
        }
        result.genTime = token.genTime
        guard let certDERs = token.certificates else {
            result.statuses = [.info(TimestampStatus.untrustedCode, "could not parse timestamp data")]
            return
        }
        var certs: [Certificate] = []
        var ders: [[UInt8]] = []
        for der in certDERs {
            guard let der, let cert = try? Certificate(derEncoded: der) else {
                result.statuses = [.info(TimestampStatus.untrustedCode, "could not parse timestamp data")]
                return
            }
            certs.append(cert)
            ders.append(der)
        }

        var log: [TimestampStatus] = []
        var matchedAnySigner = false
        for signer in token.signers {
            log = []
            guard let pos = certs.firstIndex(where: { matches(signer.identifier, $0) }) else { continue }
            matchedAnySigner = true
            let cert = certs[pos]
            let cn = commonName(cert)
            result.tsaCommonName = cn
            let chain = orderedChain(certs: certs, ders: ders, leaf: pos)
            result.tsaChainDER = chain.map(\.der)

            var signingTime = token.genTime
            if signer.signedAttributesDER != nil {
                if let values = signer.attributeValues(ASN1ObjectIdentifier.CMS.signingTime.description), values.count == 1,
                    let node = try? DERReader.parse(values[0][...]), let t = try? DERReader.time(node, "signingTime")
                {
                    signingTime = Date(timeIntervalSince1970: t.timeIntervalSince1970.rounded(.down))
                }
                guard let digests = signer.attributeValues(ASN1ObjectIdentifier.CMS.messageDigest.description) else {
                    log.append(.info(TimestampStatus.malformedCode, "timestamp no message digest"))
                    continue
                }
                guard digests.count == 1 else {
                    log.append(
                        .info(TimestampStatus.malformedCode, "timestamp response contained multiple message digests"))
                    continue
                }
                guard let node = try? DERReader.parse(digests[0][...]),
                    let signed = try? DERReader.octets(node, .octetString, "messageDigest")
                else {
                    log.append(.info(TimestampStatus.malformedCode, "timestamp could not decode signed message data"))
                    continue
                }
                guard let computed = digest(signer.digestAlgorithm, token.encapsulatedContent) else {
                    log.append(.info(TimestampStatus.malformedCode, "timestamp bad message digest algorithm"))
                    continue
                }
                guard computed == signed else {
                    log.append(.info(TimestampStatus.mismatchCode, "timestamp bad message digest"))
                    continue
                }
            }
            let tbs = signer.signedAttributesDER ?? token.encapsulatedContent
            guard signatureIsValid(signer, certificateDER: ders[pos], signedBytes: tbs) else {
                log.append(.info(TimestampStatus.untrustedCode, "timestamp signed data did not match signature"))
                continue
            }
            let t = signingTime.timeIntervalSince1970.rounded(.down)
            guard t >= cert.notValidBefore.timeIntervalSince1970, t <= cert.notValidAfter.timeIntervalSince1970 else {
                log.append(
                    .info(TimestampStatus.outsideValidityCode, "timestamp signer outside of certificate validity"))
                continue
            }
            guard let imprint = digest(token.imprintAlgorithm, imprinted) else {
                log.append(.info(TimestampStatus.untrustedCode, "timestamp unknown message digest algorithm"))
                continue
            }
            guard imprint == token.imprintDigest else {
                log.append(.info(TimestampStatus.mismatchCode, "timestamp message digest did not match: \(cn)"))
                continue
            }
            log.append(
                TimestampStatus(
                    code: TimestampStatus.validatedCode, explanation: "timestamp message digest matched: \(cn)",
                    list: .success))

            let trustedExplanation: String
            switch trust {
            case .skip:
                trustedExplanation = "legacy timestamp cert trusted: \(cn)"
            case .anchors(let anchors, let listName):
                let problem = PathValidator.validate(
                    chainDER: chain.map(\.der), anchorsDER: anchors, at: signingTime, policy: .timeStamping)
                guard problem == nil else {
                    log.append(.info(TimestampStatus.untrustedCode, "timestamp cert untrusted: \(cn)"))
                    continue
                }
                trustedExplanation = "timestamp cert trusted: \(cn), trust list: \(listName)"
            case .custom(let evaluate):
                let outcome = evaluate(chain.map(\.der), signingTime)
                log.append(contentsOf: outcome.extraStatuses)
                guard outcome.trusted else {
                    log.append(.info(TimestampStatus.untrustedCode, "timestamp cert untrusted: \(cn)"))
                    continue
                }
                trustedExplanation = "timestamp cert trusted: \(cn), trust list: \(outcome.trustListName)"
            }
            log.append(
                TimestampStatus(code: TimestampStatus.trustedCode, explanation: trustedExplanation, list: .success))
            result.attestedTime = signingTime
            result.statuses = log
            return
        }
        if !matchedAnySigner {
            // c2pa-rs logs nothing here; a silent failure would read as "no time-stamp", so say why.
            log = [.info(TimestampStatus.untrustedCode, "timestamp signer certificate not found")]
        }
        result.statuses = log
    }

    static func matches(_ id: TimeStampToken.Signer.Identifier, _ cert: Certificate) -> Bool {
        switch id {
        case .issuerAndSerialNumber(let issuerDER, let serial):
            guard let node = try? DER.parse(issuerDER), let issuer = try? DistinguishedName(derEncoded: node) else {
                return false
            }
            return issuer == cert.issuer && Certificate.SerialNumber(bytes: serial) == cert.serialNumber
        case .subjectKeyIdentifier(let ski):
            guard let ext = try? cert.extensions.subjectKeyIdentifier else { return false }
            return Array(ext.keyIdentifier) == ski
        }
    }

    static func commonName(_ cert: Certificate) -> String {
        var name = ""
        for rdn in cert.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                name += String(describing: attribute.value)
            }
        }
        return name
    }

    /// The signer certificate, then repeatedly an unused certificate whose subject is the last one's issuer.
    static func orderedChain(certs: [Certificate], ders: [[UInt8]], leaf: Int) -> [(cert: Certificate, der: [UInt8])] {
        var chain = [(certs[leaf], ders[leaf])]
        var used: Set<Int> = [leaf]
        var current = leaf
        while let next = certs.indices.first(where: { !used.contains($0) && certs[$0].subject == certs[current].issuer }
        ) {
            chain.append((certs[next], ders[next]))
            used.insert(next)
            current = next
        }
        return chain
    }

    /// The digest of `bytes` under the dotted `oid`: SHA-256/384/512 only. SHA-1 is refused for imprints and
    /// signed attributes alike (C2PA 2.2, 13.1): a collision could move a genuine token onto other bytes.
    static func digest(_ oid: String, _ bytes: [UInt8]) -> [UInt8]? {
        guard let algorithm = try? ASN1ObjectIdentifier(dotRepresentation: oid) else { return nil }
        return SignedDigest.digest(algorithm, bytes)
    }

    /// Whether the SignerInfo's signature over `signedBytes` verifies with the TSA certificate's key.
    ///
    /// As in c2pa-rs, the hash is the SignerInfo `digestAlgorithm` (SHA-256/384/512) and the scheme follows the key
    /// (RFC 5754, RFC 8419): RSA PKCS#1 v1.5, or RSASSA-PSS with its parameters when `signatureAlgorithm` is
    /// id-RSASSA-PSS; ECDSA (DER signature) on P-256/384/521; Ed25519 over the bytes themselves. The check itself
    /// is ``SignatureCheck``'s, which refuses every SHA-1 based algorithm.
    static func signatureIsValid(_ signer: TimeStampToken.Signer, certificateDER: [UInt8], signedBytes: [UInt8]) -> Bool {
        typealias Sig = ASN1ObjectIdentifier.SignatureAlgorithm
        typealias Hash = ASN1ObjectIdentifier.HashAlgorithm
        guard let certificate = try? ParsedCertificate(der: certificateDER),
            let digest = try? ASN1ObjectIdentifier(dotRepresentation: signer.digestAlgorithm)
        else { return false }
        let key = certificate.publicKeyInfo
        let algorithm: AlgorithmIdentifier
        switch key.algorithm.oid {
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.ed25519:
            algorithm = AlgorithmIdentifier(oid: Sig.ed25519)
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.rsaEncryption, ASN1ObjectIdentifier.PublicKeyAlgorithm.rsassaPSS:
            if signer.signatureAlgorithm == Sig.rsassaPSS.description {
                guard let parameters = signer.signatureAlgorithmParameters,
                    let node = try? DER.parse(parameters),
                    case let pss = AlgorithmIdentifier(oid: Sig.rsassaPSS, parameters: ASN1Any(derEncoded: node)),
                    case .success(let read) = PSSParameters.read(pss), read.hash == digest
                else { return false }
                algorithm = pss
            } else {
                let table = [Hash.sha256: Sig.sha256WithRSA, Hash.sha384: Sig.sha384WithRSA, Hash.sha512: Sig.sha512WithRSA]
                guard let oid = table[digest] else { return false }
                algorithm = AlgorithmIdentifier(oid: oid, parameters: AlgorithmIdentifier.nullParameters)
            }
        default:
            let table = [Hash.sha256: Sig.ecdsaWithSHA256, Hash.sha384: Sig.ecdsaWithSHA384, Hash.sha512: Sig.ecdsaWithSHA512]
            guard let oid = table[digest] else { return false }
            algorithm = AlgorithmIdentifier(oid: oid)
        }
        return SignatureCheck.verify(signature: signer.signature, over: signedBytes, algorithm: algorithm, key: key) == .valid
    }

}
