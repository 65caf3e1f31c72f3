import Foundation
import FuzzSupport
import SignetTrust

private let rootPEM = Fuzz.keysFile("root-ca.pem")
private let anchors: TrustSettings = (try? TrustSettings(anchorsPEM: rootPEM)) ?? .none
/// Anchors plus the C2PA EKU configuration and an allowed list of SHA-256 hashes, as `verify --trust-config` reads.
private let configured: TrustSettings =
    (try? TrustSettings(
        anchorsPEM: rootPEM, allowedListText: String(repeating: "0", count: 64) + "\n",
        ekuConfigText: TrustSettings.c2paRecommendedEKUConfig)) ?? .none

/// X.509 as Signet uses it: a certificate chain from an x5chain (leaf first, DER; parts framed by Fuzz.split)
/// judged by CredentialEvaluator against the development root, and the same bytes read as the text inputs of
/// TrustSettings (anchors PEM, allowed list, EKU configuration).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let chain = Fuzz.split(bytes, maxParts: 12)
    _ = CredentialEvaluator.evaluateSync(chainDER: chain, settings: anchors, validationTime: Fuzz.validationTime)
    _ = CredentialEvaluator.evaluateSync(chainDER: chain, settings: configured, validationTime: Fuzz.validationTime)
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = try? TrustSettings(anchorsPEM: text)
        _ = try? TrustSettings(allowedListText: text)
        _ = try? TrustSettings(ekuConfigText: text)
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_x509_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
