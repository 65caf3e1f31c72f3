import Foundation
import SignetCOSE
import SignetPKI
import SwiftASN1
import X509
@testable import SignetKeys

/// A fresh temporary directory, removed by the caller with `cleanup()`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "signet-keys-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs openssl if it is installed; nil (after printing a note) if it is not.
enum OpenSSL {
    static let path: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool {
        if path == nil { print("note: openssl not found; skipping the openssl interoperability checks") }
        return path != nil
    }

    struct Result {
        var status: Int32
        var output: Data
        var errorText: String
    }

    @discardableResult
    static func run(_ arguments: [String], input: Data? = nil) throws -> Result {
        guard let path else { throw KeyError(.notFound, "openssl") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errorData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output, errorText: String(decoding: errorData, as: UTF8.self))
    }
}

extension SoftwareKey {
    /// SubjectPublicKeyInfo DER, to compare with `openssl pkey -pubout -outform DER`.
    var spkiDER: [UInt8] {
        var coder = DER.Serializer()
        try? coder.serialize(x509PublicKey)
        return coder.serializedBytes
    }
}

/// Wraps DER in a PEM block.
func pemText(_ label: String, _ der: [UInt8]) -> String { PEMReader.encode(label: label, der: der) }

/// The code of the KeyError `body` throws, or nil if it does not throw one.
func keyErrorCode(_ body: () throws -> Void) -> KeyError.Code? {
    do {
        try body()
        return nil
    } catch let error as KeyError {
        return error.code
    } catch {
        return nil
    }
}

func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
