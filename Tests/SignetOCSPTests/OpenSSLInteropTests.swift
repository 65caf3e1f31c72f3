import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import Testing
import X509

/// The `openssl` command line tool, when installed.
enum OpenSSL {
    static let path: String? = {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map {
                "\($0)/openssl"
            } + ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        if found == nil { print("note: openssl CLI not found; the OpenSSL interop tests are skipped") }
        return found
    }()

    static var isAvailable: Bool { path != nil }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    /// Runs openssl with `arguments` in `directory`.
    static func run(_ arguments: [String], in directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A scratch directory holding the PKI's files in the forms openssl reads.
struct Workspace {
    let url: URL
    let pki: TestPKI

    init(_ pki: TestPKI) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-ocsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.pki = pki
        try write("root.pem", pki.root.pem)
        try write("ca.pem", pki.ca.pem)
        try write("ca.key", pki.ca.keyPEM)
        try write("chain.pem", pki.ca.pem + pki.root.pem)
        try write("responder.pem", pki.responder.pem)
        try write("responder.key", pki.responder.keyPEM)
        try write("leaf.pem", pki.leaf.pem)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url.appendingPathComponent(name)))
    }

    func openssl(_ arguments: String...) throws -> OpenSSL.Run {
        try OpenSSL.run(arguments, in: url)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Real-component interop with the `openssl` CLI (OpenSSL 3): requests it writes, responses and CRLs it checks,
/// responses it signs. Certificates are valid around the real clock, since openssl checks against it.
@Suite(.enabled(if: OpenSSL.isAvailable, "openssl CLI not installed"))
struct OpenSSLInteropTests {
    // MARK: (a) openssl's requests

    @Test func opensslRequestWithoutNonceParsesWithSHA1CertIDOfTheLeaf() throws {
        let ws = try Workspace(TestPKI(now: Date()))
        defer { ws.remove() }
        let run = try ws.openssl(
            "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der", "-no_nonce")
        #expect(run.status == 0, "\(run.all)")
        let request = try OCSPRequest(derEncoded: try ws.read("req.der"))
        #expect(request.nonce == nil)
        #expect(request.certIDs.count == 1)
        let id = request.certIDs[0]
        #expect(id.hashAlgorithm.oid == OCSPHashAlgorithm.sha1.oid)
        #expect(id.serialNumber == ws.pki.leaf.certificate.serialNumber)
        #expect(id == (try OCSPCertID(certificate: ws.pki.leaf.certificate, issuer: ws.pki.ca.certificate)))
        #expect(id.identifies(ws.pki.leaf.certificate, issuedBy: ws.pki.ca.certificate))
    }

    @Test func opensslRequestWithNonceAndSHA256ParsesWithItsNonce() throws {
        let ws = try Workspace(TestPKI(now: Date()))
        defer { ws.remove() }
        let run = try ws.openssl(
            "ocsp", "-sha256", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der", "-nonce",
            "-req_text")
        #expect(run.status == 0, "\(run.all)")
        let request = try OCSPRequest(derEncoded: try ws.read("req.der"))
        let nonce = try #require(request.nonce)
        #expect(nonce.value.count == 16)  // OpenSSL's default nonce: 16 octets in an OCTET STRING
        #expect(nonce.extensionValue == [0x04, 0x10] + nonce.value)
        let hex = nonce.extensionValue.map { String(format: "%02X", $0) }.joined()
        #expect(run.stdout.replacingOccurrences(of: ":", with: "").uppercased().contains(hex.suffix(16)))
        let id = request.certIDs[0]
        #expect(id.hashAlgorithm.oid == OCSPHashAlgorithm.sha256.oid)
        #expect(
            id
                == (try OCSPCertID(
                    certificate: ws.pki.leaf.certificate, issuer: ws.pki.ca.certificate, hashAlgorithm: .sha256)))
    }

    // MARK: (b) openssl checks Signet's responses

    func signetResponse(
        _ ws: Workspace, status: OCSPCertStatus, signer: TestPKI.Issued? = nil,
        id: OCSPResponder.ResponderIDKind = .byKey, requestName: String = "req.der"
    ) throws -> OCSPResponse {
        let table = StatusTable(entries: [ws.pki.leaf.certificate.serialNumber: status])
        let signer = signer ?? ws.pki.responder
        let responder = try OCSPResponder(
            issuer: ws.pki.ca.certificate, signerCertificate: signer.certificate, signerKey: signer.key,
            responderID: id, status: table.lookup)
        let run = try ws.openssl("ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", requestName)
        #expect(run.status == 0, "\(run.all)")
        let response = responder.respond(to: try OCSPRequest(derEncoded: try ws.read(requestName)), at: Date())
        try ws.write("resp.der", response.derEncoded)
        return response
    }

    @Test func opensslVerifiesSignetGoodResponseFromDelegatedResponderAndChecksTheNonce() throws {
        let ws = try Workspace(TestPKI(now: Date()))
        defer { ws.remove() }
        _ = try signetResponse(ws, status: .good)
        // With -reqin alone openssl checks the signature, the responder's authority and the nonce echo.
        let nonceCheck = try ws.openssl(
            "ocsp", "-reqin", "req.der", "-respin", "resp.der", "-CAfile", "root.pem", "-verify_other", "ca.pem")
        #expect(nonceCheck.status == 0, "\(nonceCheck.all)")
        #expect(nonceCheck.all.contains("Response verify OK"), "\(nonceCheck.all)")
        #expect(!nonceCheck.all.contains("Nonce") && !nonceCheck.all.contains("WARNING"), "\(nonceCheck.all)")
        // With -cert it builds its own request (so -no_nonce) and prints the leaf's status.
        let run = try ws.openssl(
            "ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce",
            "-CAfile", "root.pem", "-verify_other", "ca.pem")
        #expect(run.status == 0, "\(run.all)")
        #expect(run.all.contains("Response verify OK"), "\(run.all)")
        #expect(run.stdout.contains("leaf.pem: good"), "\(run.all)")
        // A different request's nonce is caught.
        let other = try ws.openssl("ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "other.der")
        #expect(other.status == 0)
        let mismatch = try ws.openssl(
            "ocsp", "-reqin", "other.der", "-respin", "resp.der", "-CAfile", "root.pem", "-verify_other", "ca.pem")
        #expect(mismatch.all.contains("Nonce Verify error"), "\(mismatch.all)")
    }

    @Test func opensslVerifiesSignetRevokedResponseAndPrintsTheReason() throws {
        let ws = try Workspace(TestPKI(now: Date()))
        defer { ws.remove() }
        let revokedAt = Date() - 7200
        _ = try signetResponse(
            ws, status: .revoked(OCSPRevokedInfo(revocationTime: revokedAt, reason: .keyCompromise)), id: .byName)
        let run = try ws.openssl(
            "ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-CAfile", "root.pem",
            "-VAfile", "responder.pem")
        #expect(run.status == 0, "\(run.all)")
        #expect(run.all.contains("Response verify OK"), "\(run.all)")
        #expect(run.stdout.contains("leaf.pem: revoked"), "\(run.all)")
        #expect(run.stdout.contains("Reason: keyCompromise"), "\(run.all)")
    }

    @Test func opensslVerifiesSignetResponseSignedByTheCAItself() throws {
        let ws = try Workspace(TestPKI(now: Date()))
        defer { ws.remove() }
        _ = try signetResponse(
            ws, status: .revoked(OCSPRevokedInfo(revocationTime: Date() - 60, reason: .superseded)), signer: ws.pki.ca)
        let run = try ws.openssl(
            "ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce",
            "-CAfile", "root.pem")
        #expect(run.status == 0, "\(run.all)")
        #expect(run.all.contains("Response verify OK"), "\(run.all)")
        #expect(run.stdout.contains("leaf.pem: revoked") && run.stdout.contains("Reason: superseded"), "\(run.all)")
    }

    @Test func opensslVerifiesSignetRSAResponse() throws {
        let ws = try Workspace(TestPKI(now: Date(), caKey: .rsa2048, responderKey: .rsa2048))
        defer { ws.remove() }
        let response = try signetResponse(ws, status: .good)
        #expect(response.basicResponse?.signatureAlgorithm == .sha256WithRSAEncryption)
        let run = try ws.openssl(
            "ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce",
            "-CAfile", "root.pem", "-verify_other", "ca.pem")
        #expect(run.status == 0, "\(run.all)")
        #expect(run.all.contains("Response verify OK"), "\(run.all)")
        #expect(run.stdout.contains("leaf.pem: good"), "\(run.all)")
    }

    @Test func opensslRejectsASignetResponseFromAResponderWithoutOCSPSigning() throws {
        let pki = TestPKI(now: Date())
        let ws = try Workspace(pki)
        defer { ws.remove() }
        // Forge around the responder's own check: sign with a leaf that lacks id-kp-OCSPSigning.
        let impostor = pki.anotherLeaf(name: "Impostor")
        let run0 = try ws.openssl("ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der", "-no_nonce")
        #expect(run0.status == 0)
        let request = try OCSPRequest(derEncoded: try ws.read("req.der"))
        let data = OCSPResponseData(
            responderID: .of(impostor.certificate, byKey: true), producedAt: Date(),
            responses: [OCSPSingleResponse(certID: request.certIDs[0], status: .good, thisUpdate: Date())])
        let basic = try BasicOCSPResponse(signing: data, with: impostor.key, certificates: [impostor.certificate])
        try ws.write("resp.der", OCSPResponse(basicResponse: basic).derEncoded)
        let run = try ws.openssl(
            "ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-CAfile",
            "root.pem", "-verify_other", "ca.pem")
        #expect(!run.all.contains("Response verify OK"), "\(run.all)")
        #expect(run.all.contains("Verify error") || run.all.contains("error"), "\(run.all)")
        // And Signet agrees.
        let verdict = OCSPVerifier(issuer: pki.ca.certificate).verify(
            OCSPResponse(basicResponse: basic), for: pki.leaf.certificate, at: Date())
        #expect(verdict.failure?.code == .unauthorizedResponder)
    }

    // MARK: (c) openssl checks Signet's CRLs

    @Test(arguments: [TestPKI.KeyKind.p256, .rsa2048])
    func opensslVerifiesSignetCRLAndListsTheRevokedSerials(kind: TestPKI.KeyKind) throws {
        let pki = TestPKI(now: Date(), caKey: kind)
        let ws = try Workspace(pki)
        defer { ws.remove() }
        let other = Certificate.SerialNumber(0x0102_0304)
        let crl = try CertificateRevocationList(
            issuer: pki.ca.certificate, signingKey: pki.ca.key, thisUpdate: Date() - 60,
            nextUpdate: Date() + 86_400, crlNumber: 7,
            revoked: [
                .init(
                    serialNumber: pki.leaf.certificate.serialNumber, revocationDate: Date() - 3600,
                    reason: .keyCompromise),
                .init(serialNumber: other, revocationDate: Date() - 7200, reason: .cessationOfOperation),
            ])
        try ws.write("crl.der", crl.derEncoded)
        let verify = try ws.openssl("crl", "-in", "crl.der", "-inform", "DER", "-CAfile", "ca.pem", "-verify", "-noout")
        #expect(verify.status == 0, "\(verify.all)")
        #expect(verify.all.contains("verify OK"), "\(verify.all)")
        let text = try ws.openssl("crl", "-in", "crl.der", "-inform", "DER", "-text", "-noout")
        #expect(text.status == 0, "\(text.all)")
        let leafHex = hex(pki.leaf.certificate.serialNumber)
        #expect(text.stdout.contains("Serial Number: \(leafHex)"), "\(leafHex) in \(text.stdout)")
        #expect(text.stdout.contains("Serial Number: 01020304"), "\(text.stdout)")
        #expect(text.stdout.contains("Key Compromise") && text.stdout.contains("Cessation Of Operation"))
        #expect(text.stdout.contains("X509v3 CRL Number") && text.stdout.contains("7"))
        #expect(text.stdout.contains("X509v3 Authority Key Identifier"))
        // A chain check with the CRL: openssl refuses the revoked leaf.
        try ws.write("crl.pem", PEMDocument(type: "X509 CRL", derBytes: crl.derEncoded).pemString + "\n")
        let chainCheck = try ws.openssl(
            "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "ca.pem", "leaf.pem")
        #expect(chainCheck.status != 0)
        #expect(chainCheck.all.contains("certificate revoked"), "\(chainCheck.all)")
    }

    @Test func signetReadsAndVerifiesACRLMadeByOpenSSL() throws {
        let pki = TestPKI(now: Date())
        let ws = try Workspace(pki)
        defer { ws.remove() }
        let serialHex = hex(pki.leaf.certificate.serialNumber)
        let revoked = "250101000000Z"
        try ws.write("index.txt", "R\t301231235959Z\t\(revoked),keyCompromise\t\(serialHex)\tunknown\t/CN=Leaf\n")
        try ws.write("crlnumber", "1000\n")
        try ws.write(
            "ca.cnf",
            """
            [ ca ]
            default_ca = test
            [ test ]
            database = index.txt
            crlnumber = crlnumber
            default_md = sha256
            default_crl_days = 2
            crl_extensions = crl_ext
            [ crl_ext ]
            authorityKeyIdentifier = keyid:always

            """)
        let run = try ws.openssl(
            "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem")
        #expect(run.status == 0, "\(run.all)")
        let pem = String(decoding: try ws.read("crl.pem"), as: UTF8.self)
        let document = try PEMDocument(pemString: pem)
        let crl = try CertificateRevocationList(derEncoded: document.derBytes)
        #expect(crl.verify(issuer: pki.ca.certificate, at: Date()) == .verified)
        let entry = try #require(crl.entry(for: pki.leaf.certificate.serialNumber))
        #expect(entry.reason == .keyCompromise)
        #expect(entry.revocationDate == Date(timeIntervalSince1970: 1_735_689_600))
        #expect(crl.crlNumber == [0x10, 0x00])
    }

    // MARK: (d) Signet checks openssl's responses

    @Test(arguments: [TestPKI.KeyKind.p256, .rsa2048])
    func signetVerifiesOpenSSLResponderAnswers(kind: TestPKI.KeyKind) throws {
        let pki = TestPKI(now: Date(), responderKey: kind)
        let ws = try Workspace(pki)
        defer { ws.remove() }
        let good = pki.anotherLeaf(name: "Good leaf")
        let unknownLeaf = pki.anotherLeaf(name: "Unlisted leaf")
        try ws.write("good.pem", good.pem)
        try ws.write("unlisted.pem", unknownLeaf.pem)
        try ws.write(
            "index.txt",
            "R\t301231235959Z\t240101120000Z,keyCompromise\t\(hex(pki.leaf.certificate.serialNumber))"
                + "\tunknown\t/CN=Leaf\n"
                + "V\t301231235959Z\t\t\(hex(good.certificate.serialNumber))\tunknown\t/CN=Good\n")
        let request = try OCSPRequest(
            certIDs: [pki.leaf, good, unknownLeaf].map {
                try OCSPCertID(certificate: $0.certificate, issuer: pki.ca.certificate)
            }, nonce: .random())
        try ws.write("req.der", request.derEncoded)
        let run = try ws.openssl(
            "ocsp", "-index", "index.txt", "-rsigner", "responder.pem", "-rkey", "responder.key", "-CA", "ca.pem",
            "-reqin", "req.der", "-respout", "resp.der", "-ndays", "1")
        #expect(run.status == 0, "\(run.all)")
        let response = try OCSPResponse(derEncoded: try ws.read("resp.der"))
        let verifier = OCSPVerifier(issuer: pki.ca.certificate)
        let revoked = verifier.verify(response, for: pki.leaf.certificate, at: Date(), nonce: request.nonce)
        let report = try #require(revoked.report, "\(revoked)")
        #expect(
            report.status
                == .revoked(
                    OCSPRevokedInfo(revocationTime: Date(timeIntervalSince1970: 1_704_110_400), reason: .keyCompromise))
        )
        #expect(report.responder == pki.responder.certificate && !report.responderIsIssuer)
        #expect(report.nextUpdate != nil && report.isCurrent(at: Date()))
        #expect(
            verifier.verify(response, for: good.certificate, at: Date(), nonce: request.nonce).report?.status == .good)
        #expect(
            verifier.verify(response, for: unknownLeaf.certificate, at: Date(), nonce: request.nonce).report?.status
                == .unknown)
        #expect(
            response.basicResponse?.signatureAlgorithm
                == (kind == .rsa2048 ? .sha256WithRSAEncryption : .ecdsaWithSHA256))
    }

    @Test func signetVerifiesOpenSSLAnswerToAnOpenSSLRequestWithKeyIDAndNoCerts() throws {
        let pki = TestPKI(now: Date())
        let ws = try Workspace(pki)
        defer { ws.remove() }
        try ws.write(
            "index.txt", "V\t301231235959Z\t\t\(hex(pki.leaf.certificate.serialNumber))\tunknown\t/CN=Leaf\n")
        let req = try ws.openssl("ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der")
        #expect(req.status == 0, "\(req.all)")
        let run = try ws.openssl(
            "ocsp", "-index", "index.txt", "-rsigner", "responder.pem", "-rkey", "responder.key", "-CA", "ca.pem",
            "-reqin", "req.der", "-respout", "resp.der", "-resp_key_id", "-resp_no_certs", "-nmin", "30")
        #expect(run.status == 0, "\(run.all)")
        let request = try OCSPRequest(derEncoded: try ws.read("req.der"))
        let response = try OCSPResponse(derEncoded: try ws.read("resp.der"))
        guard case .byKey = response.basicResponse?.responseData.responderID else {
            Issue.record("expected a byKey responderID")
            return
        }
        // Without certs, the responder is found only when trusted locally.
        let plain = OCSPVerifier(issuer: pki.ca.certificate)
        #expect(plain.verify(response, for: pki.leaf.certificate).failure?.code == .responderNotFound)
        let configured = OCSPVerifier(issuer: pki.ca.certificate, trustedResponders: [pki.responder.certificate])
        let result = configured.verify(response, for: pki.leaf.certificate, at: Date(), nonce: request.nonce)
        #expect(result.report?.status == .good, "\(result)")
    }

    @Test func opensslReadsSignetErrorResponse() throws {
        let pki = TestPKI(now: Date())
        let ws = try Workspace(pki)
        defer { ws.remove() }
        let signetError = OCSPResponder.errorResponse(.tryLater)
        try ws.write("err.der", signetError.derEncoded)
        let run = try ws.openssl("ocsp", "-respin", "err.der", "-resp_text", "-noverify")
        #expect(run.all.contains("Responder Error: trylater (3)"), "\(run.all)")
    }
}

/// A serial number in openssl's hex form: uppercase, no leading zero octets.
func hex(_ serial: Certificate.SerialNumber) -> String {
    let bytes = serial.bytes.drop { $0 == 0 }
    return bytes.isEmpty ? "00" : bytes.map { String(format: "%02X", $0) }.joined()
}
