import Foundation
import SignetPKI
import SignetTestPKI

@testable import SignetTrust

extension TestPKI {
    var anchorSettings: TrustSettings { try! TrustSettings(anchorsPEM: root.pem) }
}

/// The c2pa-rs fixtures in ../shared (skipped, with a note, when absent).
enum Fixtures {
    static let directory: URL? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<8 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/fixtures/c2pa-rs/certs")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        let fallback = URL(fileURLWithPath: "/work/shared/fixtures/c2pa-rs/certs")
        return FileManager.default.fileExists(atPath: fallback.path) ? fallback : nil
    }()

    static func text(_ name: String) -> String? {
        guard let directory else {
            print("note: c2pa-rs fixtures not found (../shared/fixtures/c2pa-rs); skipping fixture check")
            return nil
        }
        return try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func chain(_ name: String) -> [[UInt8]]? {
        guard let text = text(name) else { return nil }
        return try? PEMReader.configuration.read(text).blocks.map(\.der)
    }

    static let algorithms = ["es256", "es384", "es512", "ps256", "ed25519"]
}

func codes(_ evaluation: CredentialEvaluation) -> [String] { evaluation.profileFailures.map(\.code) }

extension CredentialEvaluation.Trust {
    var isTrusted: Bool { if case .trusted = self { return true } else { return false } }
    var isUntrusted: Bool { if case .untrusted = self { return true } else { return false } }
}
