import ArgumentParser
import Foundation
import Signet
import SignetCOSE
import SignetImaging
import SignetKeys
import SignetTrust
import SignetReport

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Sign a generated sample image with development credentials, verify it, tamper with a copy, verify again.",
        discussion: "Everything is written under --dir (default ./signet-demo); credentials there are reused on later runs."
    )

    @Option(name: .long, help: "Working folder for the demo's credentials and images.")
    var dir: String = "signet-demo"

    func run() async throws {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let credentialsDir = (dir as NSString).appendingPathComponent("credentials")
        let existed = fm.fileExists(atPath: (credentialsDir as NSString).appendingPathComponent("root-ca.pem"))
        let layout: DevelopmentCredentials.Layout
        do {
            layout = try DevelopmentCredentials.loadOrGenerate(in: credentialsDir)
        } catch {
            throw CLIError(.credentials, "cannot create development credentials in \(credentialsDir): \(error)")
        }
        print("1. Development credentials (NOT for production) \(existed ? "reused from" : "created in") \(credentialsDir)/")

        let sample = (dir as NSString).appendingPathComponent("sample.jpg")
        let image = SampleImage.generate(width: 1600, height: 1067, seed: 2026)
        let jpeg = try ImageCodec.encodeJPEG(image, quality: 88)
        try Data(jpeg).write(to: URL(fileURLWithPath: sample))
        print("2. Generated a sample photo: \(sample) (\(image.width)x\(image.height), \(jpeg.count) bytes)")

        let signed = (dir as NSString).appendingPathComponent("sample-signed.jpg")
        let signer: PEMKeySigner
        do {
            signer = try PEMKeySigner(keyPath: layout.keyPath(.es256), certificateChainPath: layout.chainPath(.es256))
        } catch {
            throw CLIError(.credentials, error.reason)
        }
        var options = SignOptions()
        options.overwrite = true
        options.digitalSourceType = DigitalSourceType.url(for: "algorithmicMedia")!
        options.title = "Signet demo sample"
        let definition = ManifestDefinition(
            claimGeneratorInfo: [.object([("name", .string("signet demo")), ("version", .string(Builder.version))])],
            assertions: [
                .init(
                    label: "stds.schema-org.CreativeWork",
                    data: .object([
                        ("@context", .string("http://schema.org/")), ("@type", .string("CreativeWork")),
                        ("author", .array([.object([("@type", .string("Organization")), ("name", .string("Signet Demo Publisher"))])])),
                    ]), asJSON: true)
            ])
        let result: SignResult
        do {
            result = try await Builder(definition: definition, signer: signer, thumbnails: CodecThumbnails())
                .sign(input: sample, output: signed, options: options)
        } catch {
            throw CLIError(SignCommand.status(for: error.code), error.reason)
        }
        print("3. Signed it with ES256: \(signed) (manifest store \(result.storeSize) bytes, thumbnail \(result.thumbnailSize.map { "\($0) bytes" } ?? "none"))")

        let anchors = try readTextFile(layout.trustAnchors, what: "trust anchors")
        let verifier = Verifier(trust: try TrustSettings(anchorsPEM: anchors))
        let good = try await verifier.verify(path: signed)
        print("4. Verified with the development root as trust anchor:")
        print(indent(TreeReport.summary(good)))

        let tampered = (dir as NSString).appendingPathComponent("sample-tampered.jpg")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: signed))
        let index = bytes.count - 100  // a byte of entropy-coded pixel data, well after the manifest
        bytes[index] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: tampered))
        let bad = try await verifier.verify(path: tampered)
        print("5. Flipped one bit of pixel data at byte \(index) in a copy: \(tampered)")
        print(indent(HumanReport.line(bad)))

        let before = good.state?.rawValue ?? "?"
        let after = bad.state?.rawValue ?? "?"
        print("\nVerdict changed from \(before) to \(after). Try: signet verify --trust-anchors \(layout.trustAnchors) \(signed) \(tampered)")
        if good.state != .trusted || bad.state != .invalid {
            throw CLIError(.verificationFailed, "demo did not produce the expected verdicts (Trusted, then Invalid)")
        }
    }

    func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Development credentials.",
        subcommands: [GenerateKeys.self]
    )

    struct GenerateKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a development root CA, intermediate CA and one signer per algorithm (NOT for production)."
        )

        @Option(name: .shortAndLong, help: "Folder to write the credentials to.")
        var output: String

        @Flag(name: .long, help: "Replace existing files.")
        var force = false

        func run() async throws {
            do {
                let layout = try DevelopmentCredentials.generate(in: output, overwrite: force)
                print("wrote development credentials to \(layout.directory) (trust anchor: \(layout.trustAnchors))")
            } catch let error as KeyError {
                throw CLIError(error.code == .alreadyExists ? .output : .credentials, error.reason)
            } catch {
                throw CLIError(.output, "\(error)")
            }
        }
    }
}
