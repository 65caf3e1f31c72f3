import Crypto
import Foundation
import FuzzSupport
import Signet
import SignetCBOR
import SignetCOSE
import SignetImaging
import SignetKeys
import SignetLog
import SignetMedia
import SignetOCSP
import SignetTimestamp
import SignetTrust
import SwiftASN1
import X509

// The seed generator, built with the fuzz targets: it writes the seed corpora from what the library itself
// produces, and exits.
//
//   fuzz-seeds OUTDIR      writes OUTDIR/<target>/<seed> for every target (small files, a few KiB each)

/// SwiftPM points `main` here.
@_cdecl("fuzz_seeds_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let args = (0..<Int(argc)).map { String(cString: argv[$0]!) }
    guard args.count == 2 else {
        FileHandle.standardError.write(Data("usage: fuzz-seeds OUTDIR\n".utf8))
        return 2
    }
    let result = Fuzz.blocking { () async -> Result<Void, SeedError> in
        do {
            try await Seeds(out: args[1]).generateAll()
            return .success(())
        } catch {
            return .failure(SeedError(reason: "\(error)"))
        }
    }
    if case .failure(let error) = result {
        FileHandle.standardError.write(Data("fuzz-seeds: \(error.reason)\n".utf8))
        return 1
    }
    return 0
}

struct SeedError: Error, Sendable { var reason: String }

/// Timestamps from an in-process TSA (for a signed seed that carries `sigTst2`).
struct LocalTSA: TimestampProvider {
    let authority: TimeStampAuthority
    var maximumTokenSize: Int { 6144 }
    func timestamp(_ data: [UInt8]) async throws -> [UInt8] {
        try authority.token(imprint: Array(SHA256.hash(data: data)), hashAlgorithm: .sha256)
    }
}

struct Seeds {
    let out: String
    let keys = Fuzz.keysDirectory
    let work: String

    init(out: String) {
        self.out = out
        self.work = out + "/.work"
    }

    func write(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
        let dir = out + "/" + target
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
    }

    func generateAll() async throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let intermediate = try Certificate(derEncoded: Fuzz.certificatesDER("intermediate-ca.pem")[0])
        let intermediateKey = Certificate.PrivateKey(try P256.Signing.PrivateKey(pemRepresentation: Fuzz.keysFile("intermediate-ca.key")))
        let tsaKey = P256.Signing.PrivateKey()
        let tsaCert = try issueTSA(key: tsaKey, issuer: intermediate, issuerKey: intermediateKey)
        let tsa = try TimeStampAuthority(
            privateKey: Certificate.PrivateKey(tsaKey), certificateChain: [tsaCert, intermediate], policy: [1, 3, 6, 1, 4, 1, 99999, 1])

        try await signedAssets(intermediate: intermediate, intermediateKey: intermediateKey, tsa: tsa)
        try await mediaContainers()
        try certificates(tsaCert: tsaCert, intermediate: intermediate)
        try timestamps(tsa: tsa)
        try ocsp(intermediate: intermediate, intermediateKey: intermediateKey)
        try log()
        try cbor()
    }

    // MARK: Audio and video containers (RIFF, ID3, BMFF), plain and signed: media, verify

    func mediaContainers() async throws {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(8 + payload.count) + Array(type.utf8) + payload }
        let fmt: [UInt8] = [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
        let pcm = (0..<301).map { UInt8(truncatingIfNeeded: $0 &* 29) }
        let wavBody = Array("WAVEfmt ".utf8) + le32(fmt.count) + fmt + Array("data".utf8) + le32(pcm.count) + pcm + [0]
        let wav = Array("RIFF".utf8) + le32(wavBody.count) + wavBody
        let title: [UInt8] = Array("TIT2".utf8) + be32(6) + [0, 0, 0] + Array("title".utf8)
        let tag = Array("ID3".utf8) + [3, 0, 0] + [0, 0, 0, UInt8(title.count + 16)] + title + [UInt8](repeating: 0, count: 16)
        var frames: [UInt8] = []
        for i in 0..<4 { frames += [0xFF, 0xFB, 0x90, 0x00] + (0..<413).map { UInt8(truncatingIfNeeded: ($0 + i) &* 13) } }
        let mp3 = tag + frames
        let flac = Array("fLaC".utf8) + [0x80, 0, 0, 34] + [UInt8](repeating: 0x10, count: 34) + [0xFF, 0xF8] + [UInt8](repeating: 0x22, count: 200)
        let ftyp = box("ftyp", Array("isom".utf8) + [0, 0, 2, 0] + Array("isommp41".utf8))
        func moov(_ offset: Int) -> [UInt8] {
            let stbl = box("stbl", box("stsc", [0, 0, 0, 0] + be32(1) + be32(1) + be32(2) + be32(1))
                + box("stsz", [0, 0, 0, 0] + be32(0) + be32(2) + be32(100) + be32(100))
                + box("stco", [0, 0, 0, 0] + be32(1) + be32(offset)))
            return box("moov", box("mvhd", [UInt8](repeating: 0, count: 100))
                + box("trak", box("tkhd", [0, 0, 0, 3] + [UInt8](repeating: 0, count: 80)) + box("mdia", box("minf", stbl))))
        }
        let media = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 17) }
        let mp4 = ftyp + moov(ftyp.count + moov(0).count + 8) + box("mdat", media)
        let plain: [(String, [UInt8])] = [("plain.wav", wav), ("plain.mp3", mp3), ("plain.flac", flac), ("plain.mp4", mp4)]
        let signer = try PEMKeySigner(keyPath: keys + "/es256.key", certificateChainPath: keys + "/es256.pem")
        for (name, bytes) in plain {
            try write("media", name, bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: work + "/" + name))
            var options = SignOptions()
            options.thumbnail = false
            options.overwrite = true
            let output = work + "/signed-" + name
            _ = try await Builder(signer: signer).sign(input: work + "/" + name, output: output, options: options)
            let signed = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
            try write("media", "signed-" + name, signed)
            try write("verify", "signed-" + name, signed)
        }
    }

    // MARK: Signed JPEG and PNG: media, verify, manifest, jumbf, cbor, cose

    func signedAssets(intermediate: Certificate, intermediateKey: Certificate.PrivateKey, tsa: TimeStampAuthority) async throws {
        let image = SampleImage.generate(width: 24, height: 16, seed: 3)
        let jpeg = try ImageCodec.encodeJPEG(image, quality: 60)
        let png = try ImageCodec.encodePNG(SampleImage.generate(width: 8, height: 8, seed: 5))
        try write("media", "plain.jpg", jpeg)
        try write("media", "plain.png", png)
        try write("verify", "plain.jpg", jpeg)
        try Data(jpeg).write(to: URL(fileURLWithPath: work + "/in.jpg"))
        try Data(png).write(to: URL(fileURLWithPath: work + "/in.png"))

        // A stapled OCSP response for the es256 signer.
        let es256 = try Certificate(derEncoded: Fuzz.certificatesDER("es256.pem")[0])
        let responder = try OCSPResponder(
            issuer: intermediate, signerCertificate: intermediate, signerKey: intermediateKey, status: { _ in .good })
        let staple = try responder.response(for: [try OCSPCertID(certificate: es256, issuer: intermediate)]).derEncoded

        struct Job {
            var name: String
            var input: String
            var alg: String
            var configure: (inout SignOptions) -> Void = { _ in }
        }
        let jobs: [Job] = [
            Job(name: "es256.jpg", input: "in.jpg", alg: "es256"),
            Job(name: "ps256.png", input: "in.png", alg: "ps256"),
            Job(name: "ed25519-tst.jpg", input: "in.jpg", alg: "ed25519") { $0.timestamper = LocalTSA(authority: tsa) },
            Job(name: "es256-ocsp.png", input: "in.png", alg: "es256") { $0.ocspResponses = [staple] },
            Job(name: "edit.jpg", input: "es256.jpg", alg: "es384") {
                $0.ingredients = [IngredientInput(path: work + "/es256.jpg", relationship: .parentOf)]
                $0.actions = [ActionInput(action: "c2pa.cropped")]
            },
        ]
        for job in jobs {
            let signer = try PEMKeySigner(keyPath: keys + "/\(job.alg).key", certificateChainPath: keys + "/\(job.alg).pem")
            let definition = ManifestDefinition(
                claimGeneratorInfo: [.object([("name", .string("signet-fuzz-seeds"))])], title: job.name)
            var options = SignOptions()
            options.thumbnail = false
            options.overwrite = true
            job.configure(&options)
            let output = work + "/" + job.name
            _ = try await Builder(definition: definition, signer: signer).sign(input: work + "/" + job.input, output: output, options: options)
            let signed = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
            try write("media", job.name, signed)
            try write("verify", job.name, signed)

            let scan = try AssetContainer.scan(try FileReader(path: output))
            guard let storeBytes = scan.manifestStore else { throw SeedError(reason: "\(job.name): no store after signing") }
            try write("manifest", job.name + ".c2pa", storeBytes)
            try write("jumbf", job.name + ".c2pa", storeBytes)
            if job.name == "es256.jpg" { try write("verify", "es256.c2pa", storeBytes) }

            let store = try ManifestStore(bytes: storeBytes)
            for (m, manifest) in store.manifests.enumerated() {
                if let claim = manifest.claimBytes { try write("cbor", "\(job.name)-\(m)-claim", claim) }
                if let sig = manifest.signatureBytes { try write("cbor", "\(job.name)-\(m)-cose", sig) }
                if let claim = manifest.claimBytes, let sig = manifest.signatureBytes {
                    try write("cose", "\(job.name)-\(m)", Fuzz.join([claim, sig]))
                }
                for (a, assertion) in manifest.assertions.enumerated() where assertion.kind == .cbor {
                    if let content = assertion.content { try write("cbor", "\(job.name)-\(m)-a\(a)", content) }
                }
                try write("jumbf", "\(job.name)-\(m)-manifest", Array(storeBytes[manifest.box.range]))
            }
        }
    }

    // MARK: X.509 chains

    func certificates(tsaCert: Certificate, intermediate: Certificate) throws {
        for alg in ["es256", "es384", "es512", "ps256", "ed25519"] {
            try write("x509", alg, Fuzz.join(Fuzz.certificatesDER("\(alg).pem")))
        }
        try write("x509", "root", Fuzz.join(Fuzz.certificatesDER("root-ca.pem")))
        try write("x509", "tsa", Fuzz.join([try der(tsaCert), try der(intermediate)]))
        try write("x509", "anchors.pem", Array(Fuzz.keysFile("root-ca.pem").utf8))
        try write("x509", "eku.cfg", Array(TrustSettings.c2paRecommendedEKUConfig.utf8))
    }

    func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    func issueTSA(key: P256.Signing.PrivateKey, issuer: Certificate, issuerKey: Certificate.PrivateKey) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            CountryName("US")
            OrganizationName("Signet Development")
            CommonName("Signet Fuzz TSA")
        }
        let issuerSKI = try issuer.extensions.subjectKeyIdentifier
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: Fuzz.validationTime - 400 * 86_400, notValidAfter: Fuzz.validationTime + 3650 * 86_400,
            issuer: issuer.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                Critical(try ExtendedKeyUsage([.timeStamping]))
                SubjectKeyIdentifier(hash: publicKey)
                if let issuerSKI { AuthorityKeyIdentifier(keyIdentifier: issuerSKI.keyIdentifier) }
            },
            issuerPrivateKey: issuerKey)
    }

    // MARK: Time-stamps over the fixed COSE parts the timestamp target checks

    func timestamps(tsa: TimeStampAuthority) throws {
        for version in [TimestampVersion.v2, .v1] {
            let imprinted = TimestampValidator.imprintedBytes(
                version: version, protectedHeaderBytes: Fuzz.stampedProtectedHeader, payload: Fuzz.stampedPayload,
                signature: Fuzz.stampedSignature)
            let request = TimeStampRequest(
                messageImprint: try TimeStampMessageImprint(hashing: imprinted), nonce: TimeStampInteger.random(byteCount: 8),
                certificateRequested: true)
            let response = tsa.issue(request: request, at: Fuzz.validationTime - 3600)
            try write("timestamp", "\(version.rawValue)-resp", response.derEncoded)
            if let token = response.timeStampToken { try write("timestamp", "\(version.rawValue)-token", token) }
        }
    }

    // MARK: OCSP responses, requests, CRLs

    func ocsp(intermediate: Certificate, intermediateKey: Certificate.PrivateKey) throws {
        let es256 = try Certificate(derEncoded: Fuzz.certificatesDER("es256.pem")[0])
        let certID = try OCSPCertID(certificate: es256, issuer: intermediate)
        let at = Fuzz.validationTime - 3600
        let good = try OCSPResponder(
            issuer: intermediate, signerCertificate: intermediate, signerKey: intermediateKey, status: { _ in .good })
        try write("ocsp", "good", try good.response(for: [certID], at: at).derEncoded)
        try write("ocsp", "good-nonce", try good.response(for: [certID], nonce: try OCSPNonce(Array(repeating: 9, count: 16)), at: at).derEncoded)
        let revoked = try OCSPResponder(
            issuer: intermediate, signerCertificate: intermediate, signerKey: intermediateKey, responderID: .byName,
            status: { _ in .revoked(OCSPRevokedInfo(revocationTime: at - 86_400, reason: .keyCompromise)) })
        try write("ocsp", "revoked-byname", try revoked.response(for: [certID], at: at).derEncoded)
        try write("ocsp", "trylater", OCSPResponder.errorResponse(.tryLater).derEncoded)
        try write("ocsp", "request", try OCSPRequest(certificate: es256, issuer: intermediate).derEncoded)
        let crl = try CertificateRevocationList(
            issuer: intermediate, signingKey: intermediateKey, thisUpdate: at, nextUpdate: at + 7 * 86_400, crlNumber: 3,
            revoked: [.init(serialNumber: es256.serialNumber, revocationDate: at - 60, reason: .keyCompromise)])
        try write("ocsp", "crl", crl.derEncoded)
    }

    // MARK: Transparency log

    func log() throws {
        let signer = try Ed25519NoteSigner(name: Fuzz.logName, privateKey: Fuzz.logKey)
        let verifierKey = try Ed25519NoteVerifier(name: Fuzz.logName, publicKey: Fuzz.logKey.publicKey).verifierKey
        for count in [1, 7, 300] {
            let entries = (0..<count).map { Array("entry \($0)\n".utf8) }
            var tree = MerkleTree(store: InMemoryHashStore())
            _ = try tree.append(contentsOf: entries)
            let size = try tree.size()
            let checkpoint = try Checkpoint(origin: Fuzz.logName, size: size, rootHash: try tree.rootHash())
            let note = try checkpoint.sign(signers: [signer]).encoded
            let proof = try tree.inclusionProof(leafIndex: size / 2)
            let proofBlob = bigEndian(proof.leafIndex) + bigEndian(proof.treeSize) + proof.hashes.flatMap(\.bytes)
            var parts = [note, proofBlob, Array(verifierKey.utf8)]
            // Tiles and bundles; the 300-entry log keeps only its first few files (parts are capped).
            for file in try TileWriter.files(hashes: tree.store, entries: entries, treeSize: size) where file.path != TilePath.checkpoint {
                guard parts.count < 11, file.contents.count < 0xFF00 else { break }
                parts.append(Array(file.path.utf8) + [0x0A] + file.contents)
            }
            try write("log", "log-\(count)", Fuzz.join(parts))
            if count > 1 {
                let consistency = try tree.consistencyProof(from: 1)
                let blob = bigEndian(consistency.oldSize) + bigEndian(consistency.newSize) + consistency.hashes.flatMap(\.bytes)
                try write("log", "consistency-\(count)", Fuzz.join([note, blob]))
            }
        }
    }

    func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    // MARK: CBOR shapes the stores do not show

    func cbor() throws {
        let encoder = CBOREncoder()
        let values: [CBOR] = [
            .tagged(18, .array([.byteString([0xA1, 0x01, 0x26]), .map([]), .null, .byteString([1, 2, 3])])),
            .map([.init(.textString("a"), .float(1.5)), .init(.negativeInt(9), .simple(16)), .init(.bool(true), .undefined)]),
            .array([.unsignedInt(UInt64.max), .negativeInt(UInt64.max), .tagged(1, .unsignedInt(1_700_000_000))]),
        ]
        for (i, value) in values.enumerated() { try write("cbor", "shape-\(i)", encoder.encode(value)) }
        // Indefinite lengths and a half-precision float, hand-encoded: [_ "ab" (_ h'01' h'02'), 1.0f16]
        try write("cbor", "indefinite", [0x9F, 0x62, 0x61, 0x62, 0x5F, 0x41, 0x01, 0x41, 0x02, 0xFF, 0xF9, 0x3C, 0x00, 0xFF])
    }
}
