import CFuzzDriver
import Crypto
import Dispatch
import Foundation
import SwiftASN1
import X509

/// What the fuzz targets and the seed generator share: fixed inputs, so that generated seeds reach deep code
/// (a timestamp whose imprint matches, a checkpoint signed by the key the target trusts), and small helpers.
public enum Fuzz {
    /// Every target validates at this time (2027-01-15), inside the validity of `Keys/` and of generated seeds.
    public static let validationTime = Date(timeIntervalSince1970: 1_800_000_000)

    /// The folder with the development credentials: `$SIGNET_FUZZ_KEYS`, else `Keys/` of this checkout.
    public static let keysDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["SIGNET_FUZZ_KEYS"], !dir.isEmpty { return dir }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Keys").path
    }()

    /// A PEM file of `Keys/` (fatal when missing: a target without its anchors would fuzz nothing useful).
    public static func keysFile(_ name: String) -> String {
        let path = keysDirectory + "/" + name
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("fuzz: cannot read \(path); set SIGNET_FUZZ_KEYS to the Keys folder")
        }
        return text
    }

    /// The DER certificates of a PEM file of `Keys/`.
    public static func certificatesDER(_ name: String) -> [[UInt8]] {
        let pem = keysFile(name)
        guard let docs = try? PEMDocument.parseMultiple(pemString: pem) else { return [] }
        return docs.filter { $0.discriminator == "CERTIFICATE" }.map { $0.derBytes }
    }

    // MARK: Timestamps

    /// The COSE protected header, payload and signature the timestamp target validates tokens against; the
    /// seed generator stamps exactly these so its tokens' imprints match.
    public static let stampedProtectedHeader: [UInt8] = [0xA1, 0x01, 0x26]  // {1: -7}
    public static let stampedPayload: [UInt8] = Array("signet fuzz claim".utf8)
    public static let stampedSignature: [UInt8] = Array(repeating: 0x5A, count: 64)

    // MARK: Log

    /// The Ed25519 key the log target trusts for signed notes (a constant: development only).
    public static let logKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(repeating: UInt8(7), count: 32))
    public static let logName = "fuzz.signet.example/log"

    // MARK: Framing

    /// Splits fuzz input into parts, each a 2-byte big-endian length then that many bytes; the last part takes
    /// what remains. Lets one input carry a certificate chain or several fields.
    public static func split(_ bytes: [UInt8], maxParts: Int = 16) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var i = 0
        while i < bytes.count, parts.count < maxParts - 1 {
            guard i + 2 <= bytes.count else { break }
            let n = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            i += 2
            let end = min(bytes.count, i + n)
            parts.append(Array(bytes[i..<end]))
            i = end
        }
        if i < bytes.count { parts.append(Array(bytes[i...])) }
        return parts
    }

    /// The inverse of ``split(_:maxParts:)`` for parts under 64 KiB (seed generation).
    public static func join(_ parts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            precondition(part.count <= 0xFFFF)
            out += [UInt8(part.count >> 8), UInt8(part.count & 0xFF)] + part
        }
        return out
    }

    // MARK: Helpers

    /// Runs libFuzzer (its flags and corpus arguments) on `callback`: what each target's `main` does.
    public static func driver(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }

    /// Runs async work to completion from the synchronous fuzz entry point.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    /// A per-process scratch file (in /dev/shm when there is one) for the APIs that read files.
    public static let scratchFile: String = {
        let env = ProcessInfo.processInfo.environment["SIGNET_FUZZ_SCRATCH"] ?? ""
        let dir = !env.isEmpty ? env : FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(dir)/signet-fuzz-\(getpid())"
    }()

    /// Writes `bytes` to ``scratchFile`` and returns its path.
    public static func writeScratch(_ bytes: [UInt8], suffix: String = "") -> String {
        let path = scratchFile + suffix
        let ok = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(ok, "fuzz: cannot write \(path)")
        return path
    }

    public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T?
}
