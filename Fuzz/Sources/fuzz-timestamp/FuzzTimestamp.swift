import Foundation
import FuzzSupport
import SignetCBOR
import SignetTimestamp

private let anchors = Fuzz.certificatesDER("root-ca.pem")

/// RFC 3161 time-stamps as C2PA carries them: the input is the DER `val` of a `sigTst2` (a TimeStampToken, or a
/// TimeStampResp holding one). Parsed directly, then validated over the fixed COSE parts the seed generator
/// stamped, with the development root as TSA anchor and with the trust check skipped (the claim v1 rule).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    _ = try? TimeStampToken(derEncoded: bytes)
    _ = try? TimeStampResponse(derEncoded: bytes)
    _ = try? TimeStampTokenInfo(derEncoded: bytes)
    let container: CBOR = .map([.init(.textString("tstTokens"), .array([.map([.init(.textString("val"), .byteString(bytes))])]))])
    for version in ["sigTst2", "sigTst"] {
        let header: [CBOR.MapEntry] = [.init(.textString(version), container)]
        for trust in [TSATrust.anchors(anchors), .skip] {
            _ = TimestampValidator.validate(
                unprotectedHeader: header, protectedHeaderBytes: Fuzz.stampedProtectedHeader,
                payload: Fuzz.stampedPayload, signature: Fuzz.stampedSignature, trust: trust)
        }
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_timestamp_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
