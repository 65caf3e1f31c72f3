import Foundation
import FuzzSupport
import Signet
import SignetTrust

private let trust: TrustSettings = {
    (try? TrustSettings(anchorsPEM: Fuzz.keysFile("root-ca.pem"))) ?? .none
}()

/// A manifest store given alone (as a sidecar is): ManifestStore(bytes:), then full validation of every manifest
/// (claim, assertions, signature, certificates, timestamps, OCSP staples, identity assertions) without an asset,
/// the ingredient walk from the active manifest, and the report renderers over the result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    guard let store = try? ManifestStore(bytes: bytes) else { return 0 }
    Fuzz.blocking {
        let validator = ManifestValidator(trust: trust, identityTrust: trust, validationTime: Fuzz.validationTime)
        for manifest in store.manifests.prefix(8) {
            _ = await validator.validate(manifest, in: store, asset: nil)
            for assertion in manifest.assertions.prefix(64) {
                _ = manifest.resolveAssertion("self#jumbf=c2pa.assertions/\(assertion.label)", in: store)
            }
        }
        if let active = store.activeManifest {
            _ = await validator.validateIngredients(of: active, in: store)
        }
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_manifest_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
