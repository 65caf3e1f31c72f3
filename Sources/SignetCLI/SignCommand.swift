import ArgumentParser
import Foundation
import Signet
import SignetCOSE
import SignetImaging
import SignetKeys
import SignetRegistry
import SignetTimestamp

/// Thumbnails through libjpeg-turbo / libpng: scaled decode, long edge <= 1024, never upscaled, never larger than the source.
struct CodecThumbnails: ThumbnailProvider {
    func thumbnail(forImageAt path: String) throws -> (data: [UInt8], mediaType: String)? {
        guard let t = try ImageCodec.makeThumbnail(path: path) else { return nil }
        return (t.jpeg, "image/jpeg")
    }
}

struct CredentialOptions: ParsableArguments {
    @Option(name: .long, help: "Private key (PEM: PKCS#8, SEC1, PKCS#1, or encrypted PKCS#8).")
    var key: String?

    @Option(name: .long, help: "Certificate chain (PEM): the signer's certificate first, then intermediates.")
    var cert: String?

    @Option(name: .long, help: "Sign with this publisher's active registry key instead of --key/--cert.")
    var publisher: String?

    @Option(name: .long, help: "The registry folder for --publisher (default: $SIGNET_REGISTRY, else ~/.signet/registry).")
    var registry: String?

    @Option(name: .long, help: "A file whose first line is the registry passphrase (else $SIGNET_PASSPHRASE, else a prompt).")
    var passphraseFile: String?

    @Option(name: .long, help: "With --publisher: the PostgreSQL database holding the registry's records (else $SIGNET_REGISTRY_URL).")
    var registryURL: String?

    @Option(name: .long, help: "Signing algorithm (es256, es384, es512, ps256, ps384, ps512, ed25519); default: follows the key.")
    var alg: String?

    @Option(name: .long, help: "Environment variable holding the key's passphrase (default: SIGNET_KEY_PASSPHRASE).")
    var passphraseEnv: String = "SIGNET_KEY_PASSPHRASE"

    func validate() throws {
        try refusePasswordInArguments(registryURL)
        switch (key, cert, publisher) {
        case (_?, _?, nil), (nil, nil, _?): break
        case (_, _, _?): throw ValidationError("--publisher signs with a registry key: leave out --key and --cert")
        default: throw ValidationError("give --key and --cert, or --publisher")
        }
    }

    var registryOptions: RegistryOptions {
        get throws {
            var args: [String] = []
            if let registry { args += ["--registry", registry] }
            if let passphraseFile { args += ["--passphrase-file", passphraseFile] }
            if let registryURL { args += ["--registry-url", registryURL] }
            return try RegistryOptions.parse(args)
        }
    }

    func makeSigner() throws -> PEMKeySigner {
        var algorithm: COSEAlgorithm?
        if let alg {
            guard let a = COSEAlgorithm(name: alg) else {
                throw CLIError(.usage, "unknown algorithm \(alg) (use es256, es384, es512, ps256, ps384, ps512 or ed25519)")
            }
            algorithm = a
        }
        if publisher != nil { return try makeRegistrySigner().signer }
        guard let key, let cert else { throw CLIError(.usage, "give --key and --cert, or --publisher") }
        let passphrase = ProcessInfo.processInfo.environment[passphraseEnv]
        do {
            return try PEMKeySigner(keyPath: key, certificateChainPath: cert, passphrase: passphrase, algorithm: algorithm)
        } catch {
            throw CLIError(.credentials, Self.describe(error))
        }
    }

    /// The publisher's active registry key as a signer, with a fresh OCSP response about it to staple.
    func makeRegistrySigner() throws -> (signer: PEMKeySigner, staple: [UInt8], registry: Registry, passphrase: String) {
        guard let publisher else { throw CLIError(.usage, "no --publisher") }
        let options = try registryOptions
        let registry = try options.open()
        let passphrase = try options.passphrase()
        return try registryCall { () throws(RegistryError) in
            let key = try registry.activeKey(publisher: publisher)
            return (try registry.signer(for: key, passphrase: passphrase), try registry.ocspStaple(for: key, passphrase: passphrase), registry, passphrase)
        }
    }

    static func describe(_ error: KeyError) -> String {
        if error.code == .passphraseRequired {
            return "\(error.reason) (set the passphrase in SIGNET_KEY_PASSPHRASE or the variable named by --passphrase-env)"
        }
        return error.reason
    }
}

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an image, audio or video file: embed a C2PA manifest store (or write a .c2pa sidecar).",
        discussion: """
            The output is written to a temporary file and renamed into place; the input is never modified.
            An existing output is replaced only with --force.
            """
    )

    @Argument(help: "The file to sign: JPEG, PNG, GIF, TIFF, DNG, JPEG XL, SVG, WebP, WAV, AVI, MP3, FLAC, MP4, MOV, M4A, HEIF, HEIC or AVIF (told apart by content, not name); a PDF only with --sidecar (Signet reads PDFs but does not write into them).")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the signed file (or the .c2pa store with --sidecar).")
    var output: String

    @OptionGroup var credentials: CredentialOptions

    @Option(name: .long, help: "Manifest definition JSON (c2patool's shape: claim_generator_info, title, assertions).")
    var manifest: String?

    @Option(name: .long, help: "Title of the asset (default: the definition's title, else the input's file name).")
    var title: String?

    @Option(name: .long, help: "Digital source type of the c2pa.created action: a short IPTC name (digitalCapture, trainedAlgorithmicMedia, ...) or a URL. Default: digitalCapture.")
    var sourceType: String?

    @Option(name: .long, help: "The file this one was edited from: recorded as its parentOf ingredient, its manifests carried over.")
    var parent: String?

    @Option(name: .long, help: "A file placed into this one (componentOf ingredient). Repeatable.")
    var ingredient: [String] = []

    @Option(name: .long, help: "A file used as input to make this one (inputTo ingredient). Repeatable.")
    var inputTo: [String] = []

    @Option(name: .long, help: "An action to record: a C2PA action (cropped, resized, color_adjustments, filtered, edited, ...) or a dotted custom name. Repeatable.")
    var action: [String] = []

    @Option(name: .long, help: "A parameter key=value for the first --action (value parsed as JSON when it can be). Repeatable.")
    var actionParam: [String] = []

    @Option(name: .long, help: "Private key (PEM) of the publisher's identity credential: adds a CAWG X.509 identity assertion (cawg.identity). Needs --identity-cert.")
    var identityKey: String?

    @Option(name: .long, help: "Certificate chain (PEM) of the identity credential, leaf first.")
    var identityCert: String?

    @Option(name: .long, help: "A role the identity claims (e.g. cawg.creator, cawg.editor, cawg.publisher). Repeatable.")
    var identityRole: [String] = []

    @Flag(name: .long, help: "Add an RFC 3161 timestamp (sigTst2) to the claim signature: from --tsa-url, else the registry's TSA (with --publisher).")
    var timestamp = false

    @Flag(name: .customLong("no-ocsp-staple"), help: "With --publisher: staple no OCSP response; verifiers then ask the responder the signer certificate names (its AIA URL) themselves.")
    var noOCSPStaple = false

    @Option(name: .long, help: "An RFC 3161 timestamp authority's URL (HTTP POST application/timestamp-query).")
    var tsaURL: String?

    @Flag(name: .long, help: "Do not embed a thumbnail.")
    var noThumbnail = false

    @Flag(name: .long, help: "Write the manifest store to --output as a .c2pa sidecar; leave the asset untouched.")
    var sidecar = false

    @Option(name: .long, help: "Fragment files of a fragmented MP4 (DASH/CMAF) whose initialization segment is INPUT, in play order; a quoted pattern such as 'seg-*.m4s' is expanded with numbers in order. Repeatable. Needs --fragments-dir.")
    var fragments: [String] = []

    @Option(name: .long, help: "Where the signed fragment files go (same file names); the signed initialization segment goes to --output.")
    var fragmentsDir: String?

    @Option(name: .long, help: "MP4 and other ISO BMFF files: also bind the media data by Merkle trees of blocks of this many KiB (at least 1), so players can check it while it streams.")
    var merkleBlock: Int?

    @Flag(name: .long, help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if !fragments.isEmpty && fragmentsDir == nil { throw ValidationError("--fragments needs --fragments-dir") }
        if fragments.isEmpty && fragmentsDir != nil { throw ValidationError("--fragments-dir needs --fragments") }
        if noOCSPStaple && credentials.publisher == nil { throw ValidationError("--no-ocsp-staple goes with --publisher") }
    }

    func run() async throws {
        var definition = ManifestDefinition()
        if let manifest {
            let text = try readTextFile(manifest, what: "manifest definition")
            do {
                definition = try ManifestDefinition(json: text)
            } catch {
                throw CLIError(.usage, error.reason)
            }
        }
        var options = SignOptions()
        options.title = title
        options.thumbnail = !noThumbnail
        options.sidecar = sidecar
        options.overwrite = force
        if let merkleBlock {
            guard merkleBlock >= 1, merkleBlock <= 1 << 20 else { throw CLIError(.usage, "--merkle-block takes 1 to 1048576 (KiB)") }
            options.merkleBlockSize = merkleBlock * 1024
        }
        if let sourceType {
            guard let url = DigitalSourceType.url(for: sourceType) else {
                throw CLIError(.usage, "unknown source type \(sourceType); use one of: \(DigitalSourceType.shortNames.joined(separator: ", ")) or a URL")
            }
            options.digitalSourceType = url
        }
        if let parent { options.ingredients.append(IngredientInput(path: parent, relationship: .parentOf)) }
        options.ingredients += ingredient.map { IngredientInput(path: $0, relationship: .componentOf) }
        options.ingredients += inputTo.map { IngredientInput(path: $0, relationship: .inputTo) }
        var parameters: [(String, JSONValue)] = []
        for p in actionParam {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw CLIError(.usage, "--action-param \(p): expected key=value")
            }
            let value = String(p[p.index(after: eq)...])
            parameters.append((String(p[..<eq]), (try? JSONValue.parse(value)) ?? .string(value)))
        }
        if !parameters.isEmpty && action.isEmpty { throw CLIError(.usage, "--action-param needs an --action") }
        options.actions = action.enumerated().map { i, a in ActionInput(action: a, parameters: i == 0 ? parameters : []) }
        switch (identityKey, identityCert) {
        case (let key?, let cert?):
            let passphrase = ProcessInfo.processInfo.environment[credentials.passphraseEnv]
            do {
                options.identity = IdentityOptions(
                    signer: try PEMKeySigner(keyPath: key, certificateChainPath: cert, passphrase: passphrase, algorithm: nil),
                    roles: identityRole)
            } catch {
                throw CLIError(.credentials, "identity credential: \(CredentialOptions.describe(error))")
            }
        case (nil, nil):
            if !identityRole.isEmpty { throw CLIError(.usage, "--identity-role needs --identity-key and --identity-cert") }
        default:
            throw CLIError(.usage, "--identity-key and --identity-cert go together")
        }
        let signer: PEMKeySigner
        if let tsaURL {
            guard let url = URL(string: tsaURL), url.scheme == "http" || url.scheme == "https" else {
                throw CLIError(.usage, "--tsa-url \(tsaURL) is not an http(s) URL")
            }
            options.timestamper = CLITimestamper(client: HTTPTimestamper(url: url))
        }
        if credentials.publisher != nil {
            let made = try credentials.makeRegistrySigner()
            signer = made.signer
            if !noOCSPStaple { options.ocspResponses = [made.staple] }
            if timestamp && options.timestamper == nil {
                let passphrase = made.passphrase
                let registry = made.registry
                options.timestamper = LocalTimestamper(
                    authority: try registryCall { () throws(RegistryError) in try registry.timestampAuthority(passphrase: passphrase) })
            }
        } else {
            if timestamp && options.timestamper == nil {
                throw CLIError(.usage, "--timestamp needs --tsa-url, or --publisher to use the registry's timestamp authority")
            }
            signer = try credentials.makeSigner()
        }
        let builder = Builder(definition: definition, signer: signer, thumbnails: CodecThumbnails())
        let result: SignResult
        let fragmentFiles = fragmentsDir == nil ? [] : try FragmentFiles.expand(fragments)
        do throws(SignError) {
            if let fragmentsDir {
                result = try await builder.signFragmented(
                    initSegment: input, fragments: fragmentFiles, output: output,
                    fragmentsDirectory: fragmentsDir, options: options)
            } else {
                result = try await builder.sign(input: input, output: output, options: options)
            }
        } catch {
            throw CLIError(Self.status(for: error.code), error.reason)
        }
        if json {
            var members: [(String, JSONValue)] = [
                ("output", .string(result.output)), ("manifest", .string(result.manifestLabel)),
                ("store_size", .int(Int64(result.storeSize))), ("algorithm", .string(signer.algorithm.name)),
            ]
            if let t = result.thumbnailSize { members.append(("thumbnail_size", .int(Int64(t)))) }
            print(JSONValue.object(members).serialized())
        } else {
            let thumb = result.thumbnailSize.map { ", thumbnail \($0) bytes" } ?? ", no thumbnail"
            print("signed \(input) -> \(result.output) (\(signer.algorithm.name), manifest \(result.storeSize) bytes\(thumb))")
        }
    }

    static func status(for code: SignError.Code) -> ExitStatus {
        switch code {
        case .inputNotFound, .inputUnreadable, .unsupportedFormat, .corruptInput, .thumbnailFailed: return .badInput
        case .outputExists, .outputFailed, .outputIsInput: return .output
        case .signerFailed: return .signing
        default: return .usage
        }
    }
}
