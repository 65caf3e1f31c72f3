import Foundation
import Signet
import Testing

let algorithms = ["es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519"]
let formats = ["jpg", "png"]

@Suite(.serialized, .enabled(if: interopAvailable()))
struct SignetToC2paRs {
    @Test("Signet-signed files are Trusted in c2pa-rs with the test root and Valid without it", arguments: algorithms, formats)
    func signetSignedFileIsTrustedByC2paRs(alg: String, format: String) throws {
        let world = try InteropWorld.get()
        let input = format == "jpg" ? world.jpeg : world.png
        let out = world.directory.appendingPathComponent("signet-\(alg).\(format)").path
        let sign = try Interop.signet(["sign", input, "-o", out, "--key", world.key(alg), "--cert", world.chain(alg), "--alg", alg, "--force"])
        #expect(sign.status == 0, "sign failed: \(sign.stderr)")

        let trusted = try Interop.oracleRead(out, anchors: world.anchors)
        #expect(trusted.state == "Trusted", "c2pa-rs: \(trusted.state ?? "-") \(trusted.failure) \(trusted.error ?? "")")
        #expect(trusted.failure.isEmpty)
        #expect(trusted.manifests == 1)

        let untrusted = try Interop.oracleRead(out, anchors: nil)
        #expect(untrusted.state == "Valid")

        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        let (status2, report2) = try Interop.signetVerify(out, anchors: nil)
        #expect(status2 == 0)
        #expect(report2["validation_state"]?.stringValue == "Valid")
    }

    @Test("Changing one pixel byte makes both c2pa-rs and Signet report Invalid with assertion.dataHash.mismatch", arguments: formats)
    func tamperedSignetFileIsInvalidInBoth(format: String) throws {
        let world = try InteropWorld.get()
        let input = format == "jpg" ? world.jpeg : world.png
        let signed = world.directory.appendingPathComponent("tamper-src.\(format)").path
        let tampered = world.directory.appendingPathComponent("tampered.\(format)").path
        #expect(try Interop.signet(["sign", input, "-o", signed, "--key", world.key("es256"), "--cert", world.chain("es256"), "--force"]).status == 0)
        try Interop.tamper(signed, tampered)

        let oracle = try Interop.oracleRead(tampered, anchors: world.anchors)
        #expect(oracle.state == "Invalid")
        #expect(oracle.failure.contains("assertion.dataHash.mismatch"))
        let (status, report) = try Interop.signetVerify(tampered, anchors: world.anchors)
        #expect(status == 1)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report) == oracle.failure.filter { $0 != "signingCredential.untrusted" })
    }

    @Test("Re-signing a signed file replaces its manifest store instead of adding a second one")
    func resigningReplacesTheStore() throws {
        let world = try InteropWorld.get()
        let once = world.directory.appendingPathComponent("once.jpg").path
        let twice = world.directory.appendingPathComponent("twice.jpg").path
        #expect(try Interop.signet(["sign", world.jpeg, "-o", once, "--key", world.key("es256"), "--cert", world.chain("es256"), "--force"]).status == 0)
        #expect(try Interop.signet(["sign", once, "-o", twice, "--key", world.key("ed25519"), "--cert", world.chain("ed25519"), "--force"]).status == 0)
        let oracle = try Interop.oracleRead(twice, anchors: world.anchors)
        #expect(oracle.state == "Trusted")
        #expect(oracle.manifests == 1)
        let inspect = try Interop.signet(["inspect", "--json", twice])
        let report = try JSONValue.parse(inspect.stdout)
        #expect(report["manifests"]?.objectValue?.count == 1)
    }

    @Test("Sidecar signing leaves the asset byte-identical and the .c2pa store verifies it")
    func sidecarLeavesAssetUntouched() throws {
        let world = try InteropWorld.get()
        let asset = world.directory.appendingPathComponent("side.jpg").path
        try? FileManager.default.removeItem(atPath: asset)
        try FileManager.default.copyItem(atPath: world.jpeg, toPath: asset)
        let before = try Data(contentsOf: URL(fileURLWithPath: asset))
        let sidecar = world.directory.appendingPathComponent("side.c2pa").path
        let r = try Interop.signet(["sign", asset, "--sidecar", "-o", sidecar, "--key", world.key("es384"), "--cert", world.chain("es384"), "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: asset)) == before)
        let (status, report) = try Interop.signetVerify(asset, anchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        // Changing the asset breaks the sidecar's binding.
        try Interop.tamper(asset, asset + ".tmp")
        try FileManager.default.removeItem(atPath: asset)
        try FileManager.default.moveItem(atPath: asset + ".tmp", toPath: asset)
        let (status2, report2) = try Interop.signetVerify(asset, anchors: world.anchors)
        #expect(status2 == 1)
        #expect(Interop.failureCodes(report2).contains("assertion.dataHash.mismatch"))
    }
}

@Suite(.serialized, .enabled(if: interopAvailable()))
struct C2paRsToSignet {
    @Test("Files c2pa-rs signs with Signet's development keys are Trusted in Signet", arguments: ["es256", "es384", "es512", "ps256", "ed25519"], formats)
    func c2paRsSignedFileIsTrustedBySignet(alg: String, format: String) throws {
        let world = try InteropWorld.get()
        let input = format == "jpg" ? world.jpeg : world.png
        let out = world.directory.appendingPathComponent("c2pars-\(alg).\(format)").path
        try? FileManager.default.removeItem(atPath: out)
        try Interop.oracleSign(input, out, alg: alg, cert: world.chain(alg), key: world.key(alg))
        let oracle = try Interop.oracleRead(out, anchors: world.anchors)
        #expect(oracle.state == "Trusted")
        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")
        let (_, untrusted) = try Interop.signetVerify(out, anchors: nil)
        #expect(untrusted["validation_state"]?.stringValue == "Valid")
    }

    @Test("A c2pa-rs-signed file with one pixel byte changed is Invalid with assertion.dataHash.mismatch in both")
    func tamperedC2paRsFileIsInvalidInBoth() throws {
        let world = try InteropWorld.get()
        let signed = world.directory.appendingPathComponent("c2pars-tamper.jpg").path
        let tampered = world.directory.appendingPathComponent("c2pars-tampered.jpg").path
        try? FileManager.default.removeItem(atPath: signed)
        try Interop.oracleSign(world.jpeg, signed, alg: "es256", cert: world.chain("es256"), key: world.key("es256"))
        try Interop.tamper(signed, tampered)
        let oracle = try Interop.oracleRead(tampered, anchors: world.anchors)
        #expect(oracle.state == "Invalid")
        let (status, report) = try Interop.signetVerify(tampered, anchors: world.anchors)
        #expect(status == 1)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report).contains("assertion.dataHash.mismatch"))
        #expect(oracle.failure.contains("assertion.dataHash.mismatch"))
    }
}
