import Foundation
import Signet
import SignetTrust
import SwiftASN1
import X509

/// Where a verifier's signer trust comes from.
public enum TrustSource: Sendable, Hashable {
    /// Separate files: a PEM bundle of trust anchors and a c2pa-rs EKU configuration (`store.cfg`); either may be
    /// nil (no anchors: nothing is Trusted; no EKU configuration: c2pa-rs's default list).
    case files(anchors: String?, ekuConfig: String?)
    /// A trust bundle folder as ``Registry/exportBundle(to:passphrase:overwrite:)`` writes it (``TrustBundle``): its
    /// anchors, EKU configuration and CRL. The CRL is required: a bundle without it would silently skip revocation.
    case bundle(directory: String)
    /// A registry folder: its anchors, EKU configuration and revocations, read without its passphrase and without
    /// writing anything (``Registry/verificationMaterial()``).
    case registry(directory: String)
}

/// What a `Signet.Verifier` is built from, as files: the signer trust (``TrustSource``), an optional allowed list,
/// and optional trust anchors for CAWG identity assertions' X.509 credentials (a list of their own, as in c2pa-rs).
///
/// Every failure is a ``RegistryError``: ``RegistryError/Code/invalidInput`` for a file that is missing,
/// unreadable or malformed, and the registry's own codes when a ``TrustSource/registry(directory:)`` cannot be
/// opened or read.
public struct VerifierConfiguration: Sendable, Hashable {
    public var source: TrustSource
    /// Allowed list: PEM certificates and/or SHA-256 certificate hashes (base64 or hex), one per line.
    public var allowedList: String?
    /// PEM bundle of trust anchors for CAWG identity assertions' X.509 credentials.
    public var identityAnchors: String?
    /// With a ``TrustSource/registry(directory:)`` source: the PostgreSQL database holding its records.
    public var registryDatabase: String?

    public init(
        source: TrustSource = .files(anchors: nil, ekuConfig: nil), allowedList: String? = nil, identityAnchors: String? = nil,
        registryDatabase: String? = nil
    ) {
        self.source = source
        self.allowedList = allowedList
        self.identityAnchors = identityAnchors
        self.registryDatabase = registryDatabase
    }

    /// The verifier these files describe.
    public func verifier() throws(RegistryError) -> Signet.Verifier {
        let loaded = try load()
        return Signet.Verifier(trust: loaded.trust, identityTrust: loaded.identityTrust, revocations: loaded.revocations)
    }

    /// The verifier's parts, read in this order (the first failure is the one reported): the registry, the
    /// revocations, the signer trust settings, the identity trust settings.
    public func load() throws(RegistryError) -> (trust: TrustSettings, identityTrust: TrustSettings, revocations: RevocationList) {
        let material = try registryMaterial()
        let revocations = try revocationList(material: material)
        let trust = try trustSettings(material: material)
        return (trust, try identityTrustSettings(), revocations)
    }

    /// The signer trust settings alone (a registry source is opened and read).
    public func trustSettings() throws(RegistryError) -> TrustSettings {
        try trustSettings(material: try registryMaterial())
    }

    /// The revocations alone: a registry's revoked keys, a bundle's CRL, or none for separate files.
    public func revocationList() throws(RegistryError) -> RevocationList {
        try revocationList(material: try registryMaterial())
    }

    /// The trust settings for CAWG identity assertions (``TrustSettings/none`` without identity anchors).
    public func identityTrustSettings() throws(RegistryError) -> TrustSettings {
        guard let identityAnchors else { return .none }
        let anchors = try TextFile.read(identityAnchors, what: "identity trust anchors")
        do {
            // c2pa-rs judges identity certificates with its default EKU list (claim signing, email, document signing...).
            return try TrustSettings(anchorsPEM: anchors, ekuConfigText: TrustSettings.c2paRecommendedEKUConfig)
        } catch {
            throw RegistryError(.invalidInput, "identity trust settings: \(error)")
        }
    }

    // MARK: - Parts

    /// With a registry source: its anchors, EKUs and revocations.
    func registryMaterial() throws(RegistryError) -> VerificationMaterial? {
        guard case .registry(let directory) = source else { return nil }
        return try Registry(opening: directory, databaseURL: registryDatabase).verificationMaterial()
    }

    func revocationList(material: VerificationMaterial?) throws(RegistryError) -> RevocationList {
        if let material, let list = material.revocationList { return list }
        guard case .bundle(let directory) = source else { return RevocationList() }
        let crlPath = Self.path(TrustBundle.crl, in: directory)
        guard let crl = FileManager.default.contents(atPath: crlPath), crl.count <= 64 << 20 else {
            throw RegistryError(.invalidInput, "\(crlPath) is missing or unreadable: a bundle is used with its CRL")
        }
        var cas: [[UInt8]] = []
        for name in [TrustBundle.anchors, TrustBundle.intermediates] {
            let path = Self.path(name, in: directory)
            if FileManager.default.fileExists(atPath: path) { cas += try Self.certificates(path) }
        }
        do { return try RevocationList(crls: [Array(crl)], issuers: cas) } catch {
            throw RegistryError(.invalidInput, "\(crlPath): \(error.reason)")
        }
    }

    func trustSettings(material: VerificationMaterial?) throws(RegistryError) -> TrustSettings {
        let anchorsPath: String?
        let ekuPath: String?
        switch source {
        case .files(let anchors, let ekuConfig): (anchorsPath, ekuPath) = (anchors, ekuConfig)
        case .bundle(let directory): (anchorsPath, ekuPath) = (Self.path(TrustBundle.anchors, in: directory), Self.path(TrustBundle.ekuConfig, in: directory))
        case .registry: (anchorsPath, ekuPath) = (nil, nil)
        }
        func read(_ path: String?, what: String) throws(RegistryError) -> String? {
            guard let path else { return nil }
            return try TextFile.read(path, what: what)
        }
        let anchors = if let material { material.anchorsPEM } else { try read(anchorsPath, what: "trust anchors") }
        let allowed = try read(allowedList, what: "allowed list")
        let eku = if let material { material.ekuConfig } else { try read(ekuPath, what: "trust config") }
        do {
            return try TrustSettings(anchorsPEM: anchors, allowedListText: allowed, ekuConfigText: eku)
        } catch {
            throw RegistryError(.invalidInput, "trust settings: \(error)")
        }
    }

    static func path(_ name: String, in directory: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// Certificates from a PEM file, as DER.
    static func certificates(_ path: String) throws(RegistryError) -> [[UInt8]] {
        let text = try TextFile.read(path, what: "certificates")
        do {
            return try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }.map { Array($0.derBytes) }
        } catch {
            throw RegistryError(.invalidInput, "\(path): not a PEM certificate bundle")
        }
    }
}

/// Small UTF-8 text files given as input (trust anchors, allowed lists, EKU configurations, passphrase files).
public enum TextFile {
    /// The largest file read.
    public static let maximumSize = 16 << 20

    /// The file's text; `what` names it in messages ("trust anchors PATH does not exist"). Throws
    /// ``RegistryError/Code/invalidInput`` when it is missing, a directory, unreadable, too large or not UTF-8.
    public static func read(_ path: String, what: String) throws(RegistryError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw RegistryError(.invalidInput, "\(what) \(path) cannot be read\(isDir.boolValue ? " (it is a directory)" : "")")
            }
            throw RegistryError(.invalidInput, "\(what) \(path) does not exist")
        }
        guard data.count <= maximumSize else { throw RegistryError(.invalidInput, "\(what) \(path) is larger than 16 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw RegistryError(.invalidInput, "\(what) \(path) is not UTF-8 text") }
        return text
    }
}
