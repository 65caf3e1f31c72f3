import Crypto
import Foundation
import SignetTimestamp
import SwiftASN1
import X509

extension Registry {
    /// The policy the registry's TSA names in its tokens (an OID under 2.25, the UUID arc).
    public static let timestampPolicy: ASN1ObjectIdentifier = [2, 25, 306_424_203_937_779_431, 854_293_700_693_832_539, 325]

    /// The registry's RFC 3161 timestamp authority: the TSA key and certificate, with the intermediate in its chain.
    public func timestampAuthority(passphrase: String) throws(RegistryError) -> TimeStampAuthority {
        let record = try coveredAuthority(.tsa)
        let tsa = try certificate(record)
        let intermediate = try certificate(.intermediate)
        let key = try loadP256(record.keyFile, passphrase: passphrase)
        do {
            return try TimeStampAuthority(
                privateKey: Certificate.PrivateKey(key), certificateChain: [tsa, intermediate], policy: Self.timestampPolicy)
        } catch {
            throw RegistryError(.crypto, "cannot set up the timestamp authority: \(error)")
        }
    }
}
