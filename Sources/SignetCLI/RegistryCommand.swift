import ArgumentParser
import Foundation
import Signet
import SignetCOSE
import SignetLog
import SignetMedia
import SwiftASN1
import SignetRegistry

/// Where the registry lives and how its passphrase is read (never from the command line).
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: "The registry folder (default: $SIGNET_REGISTRY, else ~/.signet/registry).")
    var registry: String?

    @Option(name: .long, help: "A file whose first line is the registry passphrase (else $SIGNET_PASSPHRASE, else a prompt).")
    var passphraseFile: String?

    @Option(name: .long, help: "Keep the registry's records in this PostgreSQL database (postgres://USER@HOST:PORT/DB, else $SIGNET_REGISTRY_URL); the keys stay in the registry folder.")
    var registryURL: String?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        try refusePasswordInArguments(registryURL)
    }

    /// The PostgreSQL database, if the records live in one.
    var databaseURL: String? {
        if let registryURL { return registryURL }
        if let env = ProcessInfo.processInfo.environment["SIGNET_REGISTRY_URL"], !env.isEmpty { return env }
        return nil
    }

    var directory: String {
        if let registry { return registry }
        if let env = ProcessInfo.processInfo.environment["SIGNET_REGISTRY"], !env.isEmpty { return env }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".signet/registry")
    }

    func open() throws -> Registry {
        do { return try Registry(opening: directory, databaseURL: databaseURL) } catch { throw CLIError.registry(error) }
    }

    /// The passphrase: --passphrase-file, else SIGNET_PASSPHRASE, else a prompt on the terminal (echo off).
    func passphrase(confirm: Bool = false) throws -> String {
        if let passphraseFile {
            let text = try readTextFile(passphraseFile, what: "passphrase file")
            let line = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw CLIError(.credentials, "passphrase file \(passphraseFile) is empty") }
            return line
        }
        if let env = ProcessInfo.processInfo.environment["SIGNET_PASSPHRASE"], !env.isEmpty { return env }
        guard isatty(STDIN_FILENO) == 1, let first = getpass("Registry passphrase: ").map({ String(cString: $0) }), !first.isEmpty else {
            throw CLIError(.credentials, "a passphrase is needed: set SIGNET_PASSPHRASE, pass --passphrase-file, or run on a terminal")
        }
        if confirm {
            let again = getpass("Again: ").map { String(cString: $0) } ?? ""
            guard again == first else { throw CLIError(.credentials, "the passphrases differ") }
        }
        return first
    }

    func emit(_ json: JSONValue, text: @autoclosure () -> String) {
        print(self.json ? json.serialized() : text())
    }
}

extension CLIError {
    static func registry(_ e: RegistryError) -> CLIError {
        switch e.code {
        case .passphrase: return CLIError(.credentials, e.reason)
        case .invalidInput: return CLIError(.usage, e.reason)
        case .notInitialized, .notFound, .invalidRequest, .alreadyInitialized, .alreadyExists: return CLIError(.registry, e.reason)
        case .inconsistent: return CLIError(.registryFailure, "registry integrity failure: \(e.reason)")
        default: return CLIError(.registryFailure, e.reason)
        }
    }
}

/// A database URL given as an argument must not carry its password: every user of the machine can read a process's
/// arguments. The environment (`SIGNET_REGISTRY_URL`, `PGPASSWORD`) is private to the process.
func refusePasswordInArguments(_ url: String?) throws {
    if let url, URLComponents(string: url)?.password != nil {
        throw ValidationError("--registry-url must not carry a password (other users can read command lines): set PGPASSWORD, or give the whole URL in SIGNET_REGISTRY_URL")
    }
}

func registryCall<T>(_ body: () throws(RegistryError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError.registry(error) }
}

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Publisher key registry: keys, certificates, rotation, revocation, OCSP, trust bundles, transparency log.",
        discussion: """
            The registry lives in --registry DIR, $SIGNET_REGISTRY, or ~/.signet/registry. Private keys are PKCS#8 \
            encrypted under the registry passphrase, read from --passphrase-file, $SIGNET_PASSPHRASE or a prompt, \
            never from the command line. Every change is recorded in an append-only transparency log.

            Exit status: 0 success, 2 usage, 4 passphrase, 5 output exists, 7 not found or refused, \
            8 storage or integrity failure (a log whose history was rewritten).
            """,
        subcommands: [
            RegistryInit.self, RegistryPublisher.self, RegistryKey.self, RegistryStatus.self, RegistryOCSP.self, RegistryCRL.self, RegistryTSA.self,
            RegistryExport.self, RegistryLogCommand.self,
        ])
}

struct RegistryInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a registry: root and intermediate CAs, OCSP responder, TSA and log key.")
    @OptionGroup var options: RegistryOptions
    @Option(name: .long, help: "Organization named in the registry's certificates.") var organization = "Signet Registry"
    @Option(name: .long, help: "The log's origin (checkpoint first line and note key name).") var origin: String?
    @Option(name: .long, help: "OCSP URL written in signer certificates.") var ocspURL = "http://localhost:8080/ocsp"

    func run() throws {
        let passphrase = try options.passphrase(confirm: true)
        var init_ = Registry.InitOptions(organization: organization, origin: origin, ocspURL: ocspURL)
        init_.origin = origin
        let registry = try registryCall { () throws(RegistryError) in
            try Registry.initialize(at: options.directory, passphrase: passphrase, options: init_, databaseURL: options.databaseURL)
        }
        let origin = try registryCall { () throws(RegistryError) in try registry.origin }
        let vkey = try registryCall { () throws(RegistryError) in try registry.logVerifierKey }
        options.emit(
            .object([("registry", .string(options.directory)), ("origin", .string(origin)), ("log_vkey", .string(vkey))]),
            text: "initialized registry \(options.directory) (log origin \(origin))")
    }
}

// MARK: - Publishers

struct RegistryPublisher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publisher", abstract: "Add, list and show publishers.", subcommands: [Add.self, List.self, Show.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a publisher.")
        @OptionGroup var options: RegistryOptions
        @Argument var name: String
        @Option(name: .long, help: "Organization.") var org: String?
        @Option(name: .long, help: "Two-letter country code.") var country: String?
        func run() throws {
            let registry = try options.open()
            let p = try registryCall { () throws(RegistryError) in try registry.addPublisher(name: name, organization: org, country: country) }
            options.emit(RegistryJSON.publisher(p, keys: []), text: "added publisher \(p.name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List publishers.")
        @OptionGroup var options: RegistryOptions
        func run() throws {
            let registry = try options.open()
            let all = try registryCall { () throws(RegistryError) in try registry.publishers() }
            options.emit(
                .array(all.map { RegistryJSON.publisher($0, keys: nil) }),
                text: all.isEmpty ? "no publishers" : all.map { "\($0.name)\($0.organization.map { " (\($0))" } ?? "")" }.joined(separator: "\n"))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a publisher and its keys.")
        @OptionGroup var options: RegistryOptions
        @Argument var name: String
        func run() throws {
            let registry = try options.open()
            let (p, keys) = try registryCall { () throws(RegistryError) in (try registry.publisher(named: name), try registry.keys(publisher: name)) }
            var lines = ["\(p.name)\(p.organization.map { ", \($0)" } ?? "")\(p.country.map { ", \($0)" } ?? "")"]
            lines += keys.map { "  \($0.id)  \($0.algorithm)  \($0.status.rawValue)  until \(Timestamps.day($0.notAfter))" }
            options.emit(RegistryJSON.publisher(p, keys: keys), text: lines.joined(separator: "\n"))
        }
    }
}

// MARK: - Keys

struct RegistryKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Issue, rotate, revoke, list and show signing keys.",
        subcommands: [Issue.self, Rotate.self, Revoke.self, List.self, Show.self])

    static func algorithm(_ name: String?) throws -> COSEAlgorithm? {
        guard let name else { return nil }
        guard let alg = COSEAlgorithm(name: name), Registry.algorithms.contains(alg) else {
            throw CLIError(.usage, "unknown algorithm \(name) (use es256, es384, es512, ed25519 or ps256)")
        }
        return alg
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a signing key and certificate; it becomes the publisher's active key.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .long) var publisher: String
        @Option(name: .long, help: "es256 (default), es384, es512, ed25519 or ps256.") var alg: String?
        func run() throws {
            let alg = try RegistryKey.algorithm(alg) ?? .es256
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let key = try registryCall { () throws(RegistryError) in try registry.issueKey(publisher: publisher, algorithm: alg, passphrase: passphrase) }
            options.emit(RegistryJSON.key(key), text: "issued \(key.id) (\(key.algorithm)) for \(key.publisher), valid until \(Timestamps.day(key.notAfter))")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new active key for a publisher; the old one retires but stays valid for what it signed.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .long) var publisher: String
        @Option(name: .long, help: "Algorithm of the new key (default: the current key's).") var alg: String?
        func run() throws {
            let alg = try RegistryKey.algorithm(alg)
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let key = try registryCall { () throws(RegistryError) in try registry.rotateKey(publisher: publisher, algorithm: alg, passphrase: passphrase) }
            options.emit(RegistryJSON.key(key), text: "rotated \(publisher): \(key.id) is now active")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key from an effective time (default: now).")
        @OptionGroup var options: RegistryOptions
        @Argument var key: String
        @Option(name: .long, help: "keyCompromise, superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn, unspecified, ...")
        var reason: String
        @Option(name: .long, help: "When the revocation takes effect (RFC 3339, e.g. 2026-11-30T12:00:00Z); default now.")
        var effective: String?
        func run() throws {
            guard let reason = RevocationReason(name: reason) else {
                throw CLIError(.usage, "unknown reason \(reason) (use \(RevocationReason.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            var when: Date?
            if let effective {
                guard let d = Timestamps.parse(effective) else { throw CLIError(.usage, "--effective \(effective) is not an RFC 3339 time") }
                when = d
            }
            let registry = try options.open()
            let k = try registryCall { () throws(RegistryError) in try registry.revokeKey(key, reason: reason, effective: when) }
            options.emit(RegistryJSON.key(k), text: "revoked \(k.id) (\(reason.rawValue)) effective \(Timestamps.format(k.revocation?.effectiveAt ?? Date()))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .long) var publisher: String?
        func run() throws {
            let registry = try options.open()
            let keys = try registryCall { () throws(RegistryError) in try registry.keys(publisher: publisher) }
            options.emit(
                .array(keys.map(RegistryJSON.key)),
                text: keys.isEmpty ? "no keys" : keys.map { "\($0.id)  \($0.publisher)  \($0.algorithm)  \($0.status.rawValue)" }.joined(separator: "\n"))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a key: fingerprints and status history.")
        @OptionGroup var options: RegistryOptions
        @Argument var key: String
        func run() throws {
            let registry = try options.open()
            let k = try registryCall { () throws(RegistryError) in try registry.key(key) }
            var lines = [
                "\(k.id)  \(k.publisher)  \(k.algorithm)  \(k.status.rawValue)",
                "  serial       \(k.serialHex)",
                "  cert sha256  \(k.certificateSHA256)",
                "  spki sha256  \(k.spkiSHA256)",
                "  valid        \(Timestamps.format(k.notBefore)) to \(Timestamps.format(k.notAfter))",
            ]
            for h in k.history {
                lines.append("  \(h.status.rawValue)\(h.reason.map { " (\($0.rawValue))" } ?? "") effective \(Timestamps.format(h.effectiveAt)), recorded \(Timestamps.format(h.recordedAt)), log #\(h.logIndex)")
            }
            options.emit(RegistryJSON.key(k), text: lines.joined(separator: "\n"))
        }
    }
}

struct RegistryStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "A key's status, now or at a given time.")
    @OptionGroup var options: RegistryOptions
    @Argument var key: String
    @Option(name: .long, help: "The time to judge at (RFC 3339); default now.") var at: String?
    func run() throws {
        var time = Date()
        if let at {
            guard let d = Timestamps.parse(at) else { throw CLIError(.usage, "--at \(at) is not an RFC 3339 time") }
            time = d
        }
        let registry = try options.open()
        let k = try registryCall { () throws(RegistryError) in try registry.key(key) }
        let status = k.status(at: time)
        options.emit(
            .object([("key", .string(k.id)), ("at", .string(Timestamps.format(time))), ("status", .string(status.rawValue))]),
            text: "\(k.id): \(status.rawValue) at \(Timestamps.format(time))")
    }
}

struct RegistryExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the trust bundle verifiers load.")
    @OptionGroup var options: RegistryOptions
    @Option(name: .shortAndLong) var output: String
    @Flag(name: .long, help: "Replace an existing bundle folder.") var force = false
    func run() throws {
        let registry = try options.open()
        let passphrase = try options.passphrase()
        let files = try registryCall { () throws(RegistryError) in try registry.exportBundle(to: output, passphrase: passphrase, overwrite: force) }
        options.emit(
            .object([("output", .string(output)), ("files", .array(files.map { .string($0) }))]),
            text: "wrote \(output): \(files.joined(separator: ", "))")
    }
}

struct RegistryOCSP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ocsp", abstract: "OCSP (RFC 6960) responses from the registry's responder.", subcommands: [Respond.self])

    struct Respond: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a DER OCSP request (as `openssl ocsp -reqout` writes) with a signed DER response.")
        @OptionGroup var options: RegistryOptions
        @Argument(help: "The DER OCSPRequest.") var request: String
        @Option(name: .shortAndLong, help: "Where to write the DER OCSPResponse.") var output: String
        @Flag(name: .long) var force = false
        func run() throws {
            guard let data = FileManager.default.contents(atPath: request) else { throw CLIError(.usage, "cannot read \(request)") }
            guard data.count <= 64 << 10 else { throw CLIError(.usage, "\(request) is larger than an OCSP request can be (64 KiB)") }
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let response = try registryCall { () throws(RegistryError) in try registry.respondOCSP(request: Array(data), passphrase: passphrase) }
            try writeOutput(response, to: output, force: force)
            options.emit(.object([("output", .string(output)), ("bytes", .int(Int64(response.count)))]), text: "wrote \(output) (\(response.count) bytes)")
        }
    }
}

struct RegistryTSA: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tsa", abstract: "RFC 3161 timestamps from the registry's timestamp authority.", subcommands: [Respond.self])

    struct Respond: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a DER TimeStampReq (`openssl ts -query` makes one) with a TimeStampResp.")
        @OptionGroup var options: RegistryOptions
        @Argument(help: "The DER TimeStampReq.") var request: String
        @Option(name: .shortAndLong, help: "Where to write the DER TimeStampResp.") var output: String
        @Flag(name: .long) var force = false
        func run() throws {
            guard let data = FileManager.default.contents(atPath: request) else { throw CLIError(.usage, "cannot read \(request)") }
            guard data.count <= 64 << 10 else { throw CLIError(.usage, "\(request) is larger than a timestamp request can be (64 KiB)") }
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let authority = try registryCall { () throws(RegistryError) in try registry.timestampAuthority(passphrase: passphrase) }
            let response = authority.respond(to: Array(data)).derEncoded
            try writeOutput(response, to: output, force: force)
            options.emit(.object([("output", .string(output)), ("bytes", .int(Int64(response.count)))]), text: "wrote \(output) (\(response.count) bytes)")
        }
    }
}

struct RegistryCRL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crl", abstract: "Write the intermediate CA's CRL (DER).")
    @OptionGroup var options: RegistryOptions
    @Option(name: .shortAndLong) var output: String
    @Flag(name: .long) var force = false
    func run() throws {
        let registry = try options.open()
        let passphrase = try options.passphrase()
        let crl = try registryCall { () throws(RegistryError) in try registry.crlDER(passphrase: passphrase) }
        try writeOutput(crl, to: output, force: force)
        options.emit(.object([("output", .string(output)), ("bytes", .int(Int64(crl.count)))]), text: "wrote \(output) (\(crl.count) bytes)")
    }
}

/// Writes through the project's crash-safe output file (temporary file, fsync, rename); an existing file needs `force`.
func writeOutput(_ bytes: [UInt8], to path: String, force: Bool) throws {
    do throws(MediaError) {
        let out = try OutputFile(destination: path, overwrite: force)
        do throws(MediaError) {
            try out.write(bytes)
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    } catch {
        if error.code == .outputExists { throw CLIError(.output, "\(path) already exists (use --force to replace it)") }
        throw CLIError(.output, "cannot write \(path): \(error.reason)")
    }
}

// MARK: - Log

struct RegistryLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The transparency log: checkpoints, proofs, verification, static tiles.",
        subcommands: [Checkpoint_.self, Proof.self, Consistency.self, Verify.self, Tiles.self])

    struct Checkpoint_: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Sign and print a checkpoint of the log.")
        @OptionGroup var options: RegistryOptions
        func run() throws {
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let note = try registryCall { () throws(RegistryError) in try registry.checkpoint(passphrase: passphrase) }
            let text = String(decoding: note.encoded, as: UTF8.self)
            if options.json { print(JSONValue.object([("checkpoint", .string(text))]).serialized()) } else { print(text, terminator: "") }
        }
    }

    struct Proof: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An inclusion proof for entry --index in the tree of --size entries.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .long) var index: UInt64
        @Option(name: .long) var size: UInt64?
        func run() throws {
            let registry = try options.open()
            let json = try registryCall { () throws(RegistryError) in try registry.inclusionProofJSON(index: index, size: size) }
            options.emit(json, text: json.serialized(pretty: true))
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A consistency proof from the tree of --old entries to --new.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .long) var old: UInt64
        @Option(name: .long) var new: UInt64?
        func run() throws {
            let registry = try options.open()
            let json = try registryCall { () throws(RegistryError) in try registry.consistencyProofJSON(old: old, new: new) }
            options.emit(json, text: json.serialized(pretty: true))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the log from its entries up, every record against its log entry, and the log against a remembered checkpoint (--since).",
            discussion: """
                Every publisher, key and key status row must be the one a log entry records (a row without its entry, an \
                entry without its row, or two rows on one entry is an integrity failure, exit status 8). --key pins the \
                log's verifier key from outside the database (the bundle's log.vkey), so a replaced log key with \
                checkpoints re-signed by it is caught.
                """)
        @OptionGroup var options: RegistryOptions
        @Option(name: .long, help: "A checkpoint seen earlier: the log must still extend it.") var since: String?
        @Option(name: .long, help: "The log's verifier key as kept outside the registry (an exported log.vkey): checkpoints must verify with it.")
        var key: String?
        func run() throws {
            var pinned: String?
            if let key {
                guard let data = FileManager.default.contents(atPath: key), data.count <= 4096 else { throw CLIError(.usage, "cannot read log key \(key)") }
                pinned = String(decoding: data, as: UTF8.self)
            }
            var remembered: [UInt8]?
            if let since {
                guard let data = FileManager.default.contents(atPath: since), data.count <= 1 << 20 else {
                    throw CLIError(.usage, "cannot read checkpoint \(since)")
                }
                remembered = Array(data)
            }
            let registry = try options.open()
            let result = try registryCall { () throws(RegistryError) in try registry.verifyLog(since: remembered, pinnedKey: pinned) }
            var members: [(String, JSONValue)] = [("size", .int(Int64(result.size))), ("root", .string(result.rootHash.base64)), ("verified", .bool(true))]
            if let c = result.checkpointSize { members.append(("checkpoint_size", .int(Int64(c)))) }
            if let s = result.sinceSize { members.append(("since_size", .int(Int64(s)))) }
            members.append(("records_checked", .int(Int64(result.recordsChecked))))
            members.append(("key_pinned", .bool(result.keyPinned)))
            let pinnedText = result.keyPinned ? ", checkpoints signed by the pinned key" : ""
            options.emit(
                .object(members),
                text: "log verified: \(result.size) entries, root \(result.rootHash.base64), \(result.recordsChecked) records match their entries\(pinnedText)\(result.sinceSize.map { ", extends the checkpoint of \($0) entries" } ?? "")")
        }
    }

    struct Tiles: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the log as static C2SP tlog-tiles files.")
        @OptionGroup var options: RegistryOptions
        @Option(name: .shortAndLong) var output: String
        func run() throws {
            let registry = try options.open()
            let passphrase = try options.passphrase()
            let note = try registryCall { () throws(RegistryError) in try registry.writeTiles(to: output, passphrase: passphrase) }
            let text = String(decoding: note.text, as: UTF8.self)
            options.emit(.object([("output", .string(output)), ("checkpoint", .string(text))]), text: "wrote tiles to \(output)")
        }
    }
}

enum RegistryJSON {
    static func pem(_ der: [UInt8]) -> String {
        PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n"
    }

    static func publisher(_ p: PublisherRecord, keys: [KeyRecord]?) -> JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(p.name))]
        if let o = p.organization { m.append(("organization", .string(o))) }
        if let c = p.country { m.append(("country", .string(c))) }
        m.append(("created_at", .string(Timestamps.format(p.createdAt))))
        if let keys { m.append(("keys", .array(keys.map(key)))) }
        return .object(m)
    }

    static func key(_ k: KeyRecord) -> JSONValue {
        .object([
            ("id", .string(k.id)), ("publisher", .string(k.publisher)), ("algorithm", .string(k.algorithm)),
            ("serial", .string(k.serialHex)), ("cert_sha256", .string(k.certificateSHA256)), ("spki_sha256", .string(k.spkiSHA256)),
            ("not_before", .string(Timestamps.format(k.notBefore))), ("not_after", .string(Timestamps.format(k.notAfter))),
            ("status", .string(k.status.rawValue)),
            ("certificate_pem", .string(RegistryJSON.pem(k.certificate))),
            ("history", .array(k.history.map { h in
                var m: [(String, JSONValue)] = [("status", .string(h.status.rawValue))]
                if let r = h.reason { m.append(("reason", .string(r.rawValue))) }
                m += [("effective_at", .string(Timestamps.format(h.effectiveAt))), ("recorded_at", .string(Timestamps.format(h.recordedAt))),
                      ("log_index", .int(Int64(h.logIndex)))]
                return .object(m)
            })),
        ])
    }
}
