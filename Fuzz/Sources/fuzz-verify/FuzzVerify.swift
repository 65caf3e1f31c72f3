import Foundation
import FuzzSupport
import Signet
import SignetReport
import SignetTrust

private let trust: TrustSettings = {
    (try? TrustSettings(anchorsPEM: Fuzz.keysFile("root-ca.pem"))) ?? .none
}()

/// The whole path `signet verify` takes on a file: Verifier.verify(path:) on a JPEG, PNG or bare store (written
/// to a scratch file), with the development root as anchor, then the JSON report.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Fuzz.writeScratch(Fuzz.bytes(data, size))
    Fuzz.blocking {
        let verifier = Verifier(trust: trust, identityTrust: trust, validationTime: Fuzz.validationTime)
        // No sidecar lookup beside the scratch file: point it at a path that never exists.
        if case .success(let report) = await verifier.result(path: path, sidecar: path + ".none") {
            _ = ReportJSON.render(report)
        }
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_verify_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
