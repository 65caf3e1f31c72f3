import Signet

extension HTMLReport {
    /// For ``render(report:thumbnails:)``: every embedded-file assertion (claim and ingredient thumbnails) of the
    /// report's store, by its absolute JUMBF URI.
    public static func thumbnails(_ report: VerificationReport) -> [String: (mediaType: String, data: [UInt8])] {
        var out: [String: (mediaType: String, data: [UInt8])] = [:]
        for m in report.store?.manifests ?? [] {
            for a in m.assertions {
                guard case .embeddedFile(let mediaType) = a.kind, let data = a.content else { continue }
                out[JUMBFURIText.absolute(m.label, a.label)] = (mediaType ?? "image/jpeg", data)
            }
        }
        return out
    }
}
