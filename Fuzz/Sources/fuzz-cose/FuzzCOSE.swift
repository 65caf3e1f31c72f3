import FuzzSupport
import SignetCBOR
import SignetCOSE
import X509

/// The public key of Keys/es256.pem: signatures from the seeds verify, mutants exercise every rejection path.
private let es256Key: Certificate.PublicKey? = {
    guard let der = Fuzz.certificatesDER("es256.pem").first, let cert = try? Certificate(derEncoded: der) else { return nil }
    return cert.publicKey
}()

/// COSE_Sign1 as C2PA carries it: decode (tagged or not), header accessors, re-encoding with and without padding,
/// and verification of the detached payload with the key in its own x5chain and with a fixed ES256 key.
/// Input: a 2-byte length and the detached payload (the claim), then the COSE bytes (see Fuzz.split).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = Fuzz.split(Fuzz.bytes(data, size), maxParts: 2)
    guard parts.count == 2 else { return 0 }
    let payload = parts[0]
    let cose = parts[1]
    guard let sign1 = try? COSESign1(decoding: cose) else { return 0 }
    _ = sign1.algorithm
    _ = try? sign1.requireAlgorithm()
    let encoded = sign1.encoded()
    _ = try? COSESign1(decoding: encoded)
    _ = try? sign1.encoded(paddedTo: encoded.count + 40)
    _ = COSESign1.sigStructure(protectedHeaderBytes: sign1.protectedHeaderBytes, payload: payload)
    if let chain = sign1.x5chain, let leaf = chain.certificates.first, let cert = try? Certificate(derEncoded: leaf) {
        _ = sign1.verify(detachedPayload: payload, publicKey: cert.publicKey)
    }
    if let es256Key {
        _ = sign1.verify(detachedPayload: payload, publicKey: es256Key)
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_cose_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
