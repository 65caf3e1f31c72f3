import Crypto
import Foundation
import SignetCOSE
import SignetKeys
import SignetLog
import X509

/// A publisher key registry in one folder: a SQLite database of publishers, keys and their status history, the
/// registry's own credentials, encrypted key files, and an append-only transparency log of every change.
///
///     <folder>/registry.sqlite        publishers, keys, status history, log (see SQLiteRegistryStore)
///     <folder>/keys/<name>.key.pem    private keys, PKCS#8 encrypted under the registry passphrase, mode 0600
///
/// Every change is one database transaction that also appends its event to the log; a key file is written
/// before the transaction that records it (under a `.pending` name, renamed once recorded), so an interrupted
/// command leaves either no key or a fully recorded one.
public final class Registry: Sendable {
    public let directory: String
    public let store: any RegistryStore
    let clock: @Sendable () -> Date

    public static let databaseName = "registry.sqlite"
    public static let keysFolder = "keys"

    /// Opens an initialized registry: its keys in `directory`, its records in `directory`'s SQLite database, or
    /// in the PostgreSQL database `databaseURL` names (`postgres://...`) when given.
    public init(opening directory: String, databaseURL: String? = nil, clock: @escaping @Sendable () -> Date = Date.init) throws(RegistryError) {
        self.directory = directory
        self.clock = clock
        if let databaseURL {
            self.store = try PostgresRegistryStore(url: databaseURL)
            guard try store.isInitialized() else {
                throw RegistryError(.notInitialized, "the registry database holds no initialized registry (run `signet registry init`)")
            }
            return
        }
        let db = (directory as NSString).appendingPathComponent(Self.databaseName)
        guard FileManager.default.fileExists(atPath: db) else {
            throw RegistryError(.notInitialized, "\(directory) holds no registry (run `signet registry init`)")
        }
        self.store = try SQLiteRegistryStore(path: db)
        guard try store.isInitialized() else {
            throw RegistryError(.notInitialized, "\(directory) holds no initialized registry (run `signet registry init`)")
        }
    }

    init(directory: String, store: any RegistryStore, clock: @escaping @Sendable () -> Date) {
        self.directory = directory
        self.store = store
        self.clock = clock
    }

    // MARK: - Settings

    /// The log's origin line (and note key name), e.g. `signet.example/registry`.
    public var origin: String { get throws(RegistryError) { try store.setting("origin") ?? "signet-registry" } }
    /// The URL written in signer certificates' AIA extension for OCSP.
    public var ocspURL: String { get throws(RegistryError) { try store.setting("ocsp_url") ?? "http://localhost:8080/ocsp" } }
    public var organization: String? { get throws(RegistryError) { try store.setting("organization") } }

    // MARK: - Init

    public struct InitOptions: Sendable {
        public var organization: String
        public var origin: String?
        public var ocspURL: String
        /// Validity of the root and intermediate CA certificates.
        public var caValidity: TimeInterval = 10 * 365 * 86400
        public init(organization: String = "Signet Registry", origin: String? = nil, ocspURL: String = "http://localhost:8080/ocsp") {
            self.organization = organization
            self.origin = origin
            self.ocspURL = ocspURL
        }
    }

    /// Creates a registry in `directory` (created if needed; refused if it already holds one): a root CA (its key
    /// only ever used to issue intermediates), an intermediate, an OCSP responder and a TSA certificate issued by
    /// the intermediate, and an Ed25519 log key. Every private key is encrypted under `passphrase`.
    ///
    /// The records go to `directory`'s SQLite database, or to the PostgreSQL database `databaseURL` names; the
    /// keys always go to `directory`'s `keys` folder (every machine that signs or answers OCSP needs a copy).
    public static func initialize(
        at directory: String, passphrase: String, options: InitOptions = .init(), databaseURL: String? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(RegistryError) -> Registry {
        guard !passphrase.isEmpty else { throw RegistryError(.passphrase, "a passphrase is required to encrypt the registry's keys") }
        let fm = FileManager.default
        let keys = (directory as NSString).appendingPathComponent(keysFolder)
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw RegistryError(.storage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let store: any RegistryStore =
            if let databaseURL { try PostgresRegistryStore(url: databaseURL) } else {
                try SQLiteRegistryStore(path: (directory as NSString).appendingPathComponent(databaseName))
            }
        if try store.isInitialized() {
            throw RegistryError(.alreadyInitialized, databaseURL == nil ? "\(directory) already holds a registry" : "the registry database already holds a registry")
        }
        let registry = Registry(directory: directory, store: store, clock: clock)
        let now = clock()
        let origin = options.origin ?? "signet.registry/\(UUID().uuidString.lowercased().prefix(8))"
        do {
            _ = try Ed25519NoteSigner(name: origin, privateKey: Curve25519.Signing.PrivateKey())
        } catch {
            throw RegistryError(.invalidRequest, "origin \(origin) cannot name a note key: \(error.reason)")
        }

        let notBefore = now.addingTimeInterval(-3600)
        let caNotAfter = now.addingTimeInterval(options.caValidity)
        let org = options.organization
        let rootKey = P256.Signing.PrivateKey()
        let intermediateKey = P256.Signing.PrivateKey()
        let ocspKey = P256.Signing.PrivateKey()
        let tsaKey = P256.Signing.PrivateKey()
        let logKey = Curve25519.Signing.PrivateKey()
        let authorities: [AuthorityRecord]
        do {
            let root = try Authority.root(
                key: rootKey, name: try Authority.name(common: "\(org) Root CA", organization: org, country: nil),
                notBefore: notBefore, notAfter: caNotAfter)
            let intermediate = try Authority.intermediate(
                key: intermediateKey, name: try Authority.name(common: "\(org) Intermediate CA", organization: org, country: nil),
                root: root, rootKey: rootKey, notBefore: notBefore, notAfter: caNotAfter)
            let serviceNotAfter = min(caNotAfter, now.addingTimeInterval(2 * 365 * 86400))
            let ocsp = try Authority.service(
                publicKey: Certificate.PublicKey(ocspKey.publicKey),
                name: try Authority.name(common: "\(org) OCSP Responder", organization: org, country: nil),
                eku: .ocspSigning, criticalEKU: false, issuer: intermediate, issuerKey: intermediateKey,
                notBefore: notBefore, notAfter: serviceNotAfter)
            let tsa = try Authority.service(
                publicKey: Certificate.PublicKey(tsaKey.publicKey),
                name: try Authority.name(common: "\(org) Timestamp Authority", organization: org, country: nil),
                eku: .timeStamping, criticalEKU: true, issuer: intermediate, issuerKey: intermediateKey,
                notBefore: notBefore, notAfter: serviceNotAfter)
            authorities = [
                AuthorityRecord(role: .root, certificate: try Authority.der(root), keyFile: "root.key.pem"),
                AuthorityRecord(role: .intermediate, certificate: try Authority.der(intermediate), keyFile: "intermediate.key.pem"),
                AuthorityRecord(role: .ocsp, certificate: try Authority.der(ocsp), keyFile: "ocsp.key.pem"),
                AuthorityRecord(role: .tsa, certificate: try Authority.der(tsa), keyFile: "tsa.key.pem"),
                AuthorityRecord(role: .log, certificate: nil, keyFile: "log.key.pem"),
            ]
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.crypto, "cannot make the registry's certificates: \(error)")
        }
        let keyMaterial: [(String, SoftwareKey)] = [
            ("root.key.pem", .p256(rootKey)), ("intermediate.key.pem", .p256(intermediateKey)),
            ("ocsp.key.pem", .p256(ocspKey)), ("tsa.key.pem", .p256(tsaKey)), ("log.key.pem", .ed25519(logKey)),
        ]
        for (file, key) in keyMaterial {
            // Never over another init's keys: a folder whose keys/ already holds them is refused.
            try registry.writeKey(key, file: file, passphrase: passphrase, overwrite: false)
        }
        let rootSPKI = (try? Authority.spkiDER(certificateDER: authorities[0].certificate ?? [])) ?? []
        // The initialization leaf covers the settings and every credential's certificate.
        var initialized = [
            "origin": origin, "organization": org, "root_spki_sha256": Authority.sha256Hex(rootSPKI),
            "log_key": try registry.logVerifierKey(publicKey: logKey.publicKey, origin: origin), "ocsp_url": options.ocspURL,
            "time": Timestamps.format(now),
        ]
        for a in authorities { if let der = a.certificate { initialized["\(a.role.rawValue)_cert_sha256"] = Authority.sha256Hex(der) } }
        try store.initialize(
            settings: [
                "origin": origin, "ocsp_url": options.ocspURL, "organization": org, "created_at": Timestamps.format(now),
                "log_vkey": try registry.logVerifierKey(publicKey: logKey.publicKey, origin: origin),
            ],
            authorities: authorities,
            event: LogEvent(kind: "registry.initialized", fields: initialized), at: now)
        return registry
    }

    // MARK: - Publishers

    public func addPublisher(name: String, organization: String? = nil, country: String? = nil) throws(RegistryError) -> PublisherRecord {
        try Self.checkName(name, what: "publisher name")
        if let country, country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw RegistryError(.invalidRequest, "country must be a two-letter ISO 3166 code, not \(country)")
        }
        var fields = ["publisher": name]
        if let organization { fields["organization"] = organization }
        if let country { fields["country"] = country.uppercased() }
        let now = clock()
        fields["time"] = Timestamps.format(now)
        return try store.addPublisher(
            name: name, organization: organization, country: country?.uppercased(), event: LogEvent(kind: "publisher.added", fields: fields),
            at: now)
    }

    public func publishers() throws(RegistryError) -> [PublisherRecord] { try store.publishers() }

    public func publisher(named name: String) throws(RegistryError) -> PublisherRecord {
        guard let p = try store.publisher(named: name) else { throw RegistryError(.notFound, "no publisher named \(name)") }
        return p
    }

    static func checkName(_ name: String, what: String) throws(RegistryError) {
        guard !name.isEmpty, name.count <= 128, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }),
            name.trimmingCharacters(in: .whitespaces) == name
        else {
            throw RegistryError(.invalidRequest, "\(what) must be 1 to 128 printable characters without leading or trailing spaces")
        }
    }

    // MARK: - Keys

    /// Signing algorithms the registry issues keys for.
    public static let algorithms: [COSEAlgorithm] = [.es256, .es384, .es512, .ed25519, .ps256]

    /// Issues a new signing key and certificate for `publisher` and makes it the publisher's active key (an older
    /// active key retires: it stays valid for what it signed). Needs the passphrase (the intermediate CA signs).
    @discardableResult
    public func issueKey(
        publisher name: String, algorithm: COSEAlgorithm = .es256, passphrase: String, validity: TimeInterval = 365 * 86400,
        kind: String = "key.issued"
    ) throws(RegistryError) -> KeyRecord {
        guard Self.algorithms.contains(algorithm) else {
            throw RegistryError(.invalidRequest, "the registry issues \(Self.algorithms.map { $0.name.lowercased() }.joined(separator: ", ")) keys, not \(algorithm.name)")
        }
        guard validity > 0, validity <= Authority.maxSignerValidity else {
            throw RegistryError(.invalidRequest, "a signer certificate is valid for at most a year")
        }
        let publisher = try publisher(named: name)
        let now = clock()
        // Never issue over a tampered history: the publisher's keys must be the ones the log recorded.
        _ = try coveredKeys(publisher: publisher.name)
        let intermediateRecord = try coveredAuthority(.intermediate)
        let intermediate = try certificate(intermediateRecord)
        let intermediateKey = try loadP256(intermediateRecord.keyFile, passphrase: passphrase)

        let key: SoftwareKey
        do {
            key = try KeyFile.generate(algorithm)
        } catch {
            throw RegistryError(.crypto, "cannot generate a \(algorithm.name) key: \(error)")
        }
        let certificate: Certificate
        let der: [UInt8]
        do {
            certificate = try Authority.signer(
                publicKey: try key.certificatePublicKey,
                name: try Authority.name(common: publisher.name, organization: publisher.organization, country: publisher.country),
                issuer: intermediate, issuerKey: intermediateKey, notBefore: now.addingTimeInterval(-300),
                notAfter: now.addingTimeInterval(validity), ocspURL: try ocspURL)
            der = try Authority.der(certificate)
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.crypto, "cannot issue the certificate: \(error)")
        }
        let certSHA = Authority.sha256Hex(der)
        let spkiSHA: String
        do { spkiSHA = Authority.sha256Hex(try Authority.spkiDER(certificateDER: der)) } catch {
            throw RegistryError(.crypto, "cannot read the certificate's public key: \(error)")
        }
        let id = "k-" + certSHA.prefix(12)
        let file = "\(id).key.pem"
        // The key file first, under a pending name; the transaction that records the key; then the final name.
        try writeKey(key, file: file + ".pending", passphrase: passphrase, overwrite: false)
        let serial = Authority.hex(certificate.serialNumber.bytes)
        let record = try store.addKey(
            NewKey(
                id: id, publisher: publisher.name, algorithm: algorithm.name.lowercased(), serialHex: serial, certificate: der,
                keyFile: file, certificateSHA256: certSHA, spkiSHA256: spkiSHA, notBefore: certificate.notValidBefore,
                notAfter: certificate.notValidAfter),
            event: LogEvent(kind: kind, fields: [
                "publisher": publisher.name, "key": id, "algorithm": algorithm.name.lowercased(), "serial": serial,
                "cert_sha256": certSHA, "spki_sha256": spkiSHA,
                "not_before": Timestamps.format(certificate.notValidBefore), "not_after": Timestamps.format(certificate.notValidAfter),
                "time": Timestamps.format(now),
            ]), at: now)
        try finishPendingKeyFile(file)
        return record
    }

    /// Issues a new key for `publisher` (same algorithm as its active key unless given); the old one retires.
    public func rotateKey(publisher: String, algorithm: COSEAlgorithm? = nil, passphrase: String) throws(RegistryError) -> KeyRecord {
        let current = try coveredKeys(publisher: publisher).last { $0.status == .active }
        let alg = algorithm ?? current.flatMap { COSEAlgorithm(name: $0.algorithm) } ?? .es256
        return try issueKey(publisher: publisher, algorithm: alg, passphrase: passphrase, kind: "key.rotated")
    }

    /// Revokes a key from `effective` on (default: now). Signatures made before then, per a trusted timestamp,
    /// stay valid; the revocation is recorded now, in the history and the log.
    public func revokeKey(_ idOrPrefix: String, reason: RevocationReason, effective: Date? = nil) throws(RegistryError) -> KeyRecord {
        let key = try key(idOrPrefix)
        let now = clock()
        let when = effective ?? now
        return try store.appendStatus(
            keyID: key.id, status: .revoked, reason: reason, effectiveAt: when,
            event: LogEvent(kind: "key.revoked", fields: [
                "publisher": key.publisher, "key": key.id, "serial": key.serialHex, "reason": reason.rawValue,
                "effective_at": Timestamps.format(when), "cert_sha256": key.certificateSHA256, "time": Timestamps.format(now),
            ]), at: now)
    }

    public func keys(publisher: String? = nil) throws(RegistryError) -> [KeyRecord] {
        if let publisher { _ = try self.publisher(named: publisher) }
        return try coveredKeys(publisher: publisher)
    }

    /// A key by id or unique id prefix (at least 4 characters after `k-`), checked against the log leaves its rows
    /// name (an integrity failure, ``RegistryError/Code/inconsistent``, when a row is not the one the log recorded).
    public func key(_ idOrPrefix: String) throws(RegistryError) -> KeyRecord {
        if let exact = try coveredKey(id: idOrPrefix) { return exact }
        guard idOrPrefix.count >= 6 else { throw RegistryError(.notFound, "no key \(idOrPrefix)") }
        let matches = try store.keys(publisher: nil).filter { $0.id.hasPrefix(idOrPrefix) }
        guard matches.count == 1, let match = matches.first else {
            throw RegistryError(.notFound, matches.isEmpty ? "no key \(idOrPrefix)" : "\(idOrPrefix) names \(matches.count) keys")
        }
        return try covered([match])[0]
    }

    /// The active key of a publisher, as a signer with its chain (signer certificate, then the intermediate).
    public func activeKey(publisher: String) throws(RegistryError) -> KeyRecord {
        _ = try self.publisher(named: publisher)
        guard let key = try coveredKeys(publisher: publisher).last(where: { $0.status == .active }) else {
            throw RegistryError(.notFound, "publisher \(publisher) has no active key (run `signet registry key issue --publisher \(publisher)`)")
        }
        return key
    }

    public func signer(for key: KeyRecord, passphrase: String) throws(RegistryError) -> PEMKeySigner {
        let software = try loadKey(key.keyFile, passphrase: passphrase)
        let intermediate = try certificate(try coveredAuthority(.intermediate))
        do {
            return try PEMKeySigner(
                key: software, certificateChain: [try Certificate(derEncoded: key.certificate), intermediate],
                algorithm: COSEAlgorithm(name: key.algorithm))
        } catch {
            throw RegistryError(.crypto, "key \(key.id) does not match its certificate: \(error)")
        }
    }

    // MARK: - Credentials

    public func certificate(_ role: AuthorityRole) throws(RegistryError) -> Certificate {
        try certificate(try coveredAuthority(role))
    }

    func certificate(_ record: AuthorityRecord) throws(RegistryError) -> Certificate {
        guard let der = record.certificate else { throw RegistryError(.inconsistent, "the \(record.role.rawValue) credential has no certificate") }
        do { return try Certificate(derEncoded: der) } catch {
            throw RegistryError(.inconsistent, "the \(record.role.rawValue) certificate does not parse: \(error)")
        }
    }

    var keysDirectory: String { (directory as NSString).appendingPathComponent(Self.keysFolder) }

    func keyPath(_ file: String) -> String { (keysDirectory as NSString).appendingPathComponent(file) }

    func writeKey(_ key: SoftwareKey, file: String, passphrase: String, overwrite: Bool) throws(RegistryError) {
        do {
            try KeyFile.write(key, to: keyPath(file), passphrase: passphrase, overwrite: overwrite)
        } catch where error.code == .alreadyExists {
            throw RegistryError(
                .alreadyExists,
                "\(keyPath(file)) already exists: another command is writing this registry, or an earlier init was interrupted (then remove \(keysDirectory) and run init again)")
        } catch {
            throw RegistryError(.storage, "cannot write key \(file): \(error.reason)")
        }
    }

    /// Renames `file.pending` to `file` once its key is recorded (also repairs a rename an interruption skipped).
    func finishPendingKeyFile(_ file: String) throws(RegistryError) {
        let final = keyPath(file)
        let pending = final + ".pending"
        guard FileManager.default.fileExists(atPath: pending), !FileManager.default.fileExists(atPath: final) else { return }
        guard rename(pending, final) == 0 else {
            throw RegistryError(.storage, "cannot rename \(pending): \(String(cString: strerror(errno)))")
        }
    }

    func loadKey(_ file: String, passphrase: String) throws(RegistryError) -> SoftwareKey {
        try finishPendingKeyFile(file)
        do {
            return try KeyFile.load(path: keyPath(file), passphrase: passphrase)
        } catch {
            if error.code == .wrongPassphrase || error.code == .passphraseRequired {
                throw RegistryError(.passphrase, "the passphrase does not open the registry's keys")
            }
            throw RegistryError(.storage, "cannot read key \(file): \(error.reason)")
        }
    }

    func loadP256(_ file: String, passphrase: String) throws(RegistryError) -> P256.Signing.PrivateKey {
        guard case .p256(let k) = try loadKey(file, passphrase: passphrase) else {
            throw RegistryError(.inconsistent, "\(file) is not a P-256 key")
        }
        return k
    }

    func logVerifierKey(publicKey: Curve25519.Signing.PublicKey, origin: String) throws(RegistryError) -> String {
        do { return try Ed25519NoteVerifier(name: origin, publicKey: publicKey).verifierKey } catch {
            throw RegistryError(.invalidRequest, "log key: \(error.reason)")
        }
    }
}
