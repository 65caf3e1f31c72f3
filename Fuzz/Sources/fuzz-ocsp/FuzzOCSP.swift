import Foundation
import FuzzSupport
import SignetOCSP
import X509

private func certificate(_ file: String) -> Certificate? {
    Fuzz.certificatesDER(file).first.flatMap { try? Certificate(derEncoded: $0) }
}
private let intermediate = certificate("intermediate-ca.pem")
private let signer = certificate("es256.pem")

/// OCSP and CRLs as Signet reads them (stapled in a claim signature's `rVals`, fetched from a registry): the
/// input is parsed as an OCSPResponse and verified for Keys/es256.pem against its issuer, and also parsed as a
/// CRL (verified against the intermediate), an OCSPRequest (what a registry's responder reads) and a
/// BasicOCSPResponse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    if let response = try? OCSPResponse(derEncoded: bytes), let intermediate, let signer {
        let verifier = OCSPVerifier(issuer: intermediate)
        _ = verifier.verify(response, for: signer, at: Fuzz.validationTime)
        _ = verifier.verify(response, for: signer, at: nil)
        if let basic = response.basicResponse {
            _ = basic.responseData.nonce
            for cert in basic.certificates.prefix(4) { _ = basic.isSignatureValid(signer: cert) }
        }
    }
    _ = try? BasicOCSPResponse(derEncoded: bytes)
    if let crl = try? CertificateRevocationList(derEncoded: bytes), let intermediate, let signer {
        _ = crl.isSignatureValid(issuer: intermediate)
        _ = crl.entry(for: signer.serialNumber)
        _ = crl.crlNumber
        _ = crl.authorityKeyIdentifier
    }
    if let request = try? OCSPRequest(derEncoded: bytes) {
        _ = request.nonce
        _ = request.certIDs
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_ocsp_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
