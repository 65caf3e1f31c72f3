import Foundation
import SignetPKI
import SwiftASN1
import X509

/// Certificate chain files: one or more PEM "CERTIFICATE" blocks, leaf first. Other PEM blocks are ignored.
public enum CertificateChainFile {
    /// The largest chain file read.
    static let maximumFileSize = 4 << 20

    /// Loads the certificates of a PEM file, in file order. Errors: notFound, unreadable, noCertificates, corrupt.
    public static func load(path: String) throws(KeyError) -> [Certificate] {
        let bytes = try FileIO.read(path, limit: maximumFileSize, tooLarge: .corrupt)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyError(.noCertificates, "\(path) is not text (a PEM file was expected)")
        }
        return try parse(pem: text)
    }

    /// Parses the certificates of PEM text, in order. Errors: noCertificates, corrupt.
    public static func parse(pem: String) throws(KeyError) -> [Certificate] {
        let blocks = try KeyFile.pemBlocks(in: pem).filter { $0.label == "CERTIFICATE" }
        guard !blocks.isEmpty else { throw KeyError(.noCertificates, "no CERTIFICATE PEM block found") }
        var certificates: [Certificate] = []
        for (index, block) in blocks.enumerated() {
            do {
                certificates.append(try Certificate(derEncoded: block.der))
            } catch {
                throw KeyError(.corrupt, "certificate \(index + 1) does not parse: \(error)")
            }
        }
        return certificates
    }

    /// The PEM text of `certificates`, in order.
    public static func pem(_ certificates: [Certificate]) throws -> String {
        var text = ""
        for certificate in certificates {
            var coder = DER.Serializer()
            try coder.serialize(certificate)
            text += PEMReader.encode(label: "CERTIFICATE", der: coder.serializedBytes)
        }
        return text
    }
}
