import Dispatch
import Foundation
import SignetMedia
import Testing

@testable import SignetDetect
@testable import SignetImaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hostile inputs found by attacking the release binary, each pinned by the fix that answers it.
@Suite("Detector under attack")
struct DetectorAttackTests {
    /// A textured baseline JPEG (4:2:0) of `width`x`height` pixels.
    static func jpeg(width: Int = 320, height: Int = 240, quality: Int = 85) throws -> [UInt8] {
        try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(width: width, height: height), quality: quality)
    }

    /// Offset of the first SOF0/SOF1/SOF2 segment's marker.
    static func frameHeader(_ bytes: [UInt8]) throws -> Int {
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xC0 || marker == 0xC1 || marker == 0xC2 { return i }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    /// The same JPEG with the frame header claiming another size: the entropy-coded data ends long before
    /// the picture it now describes, at the file's own EOI marker (not at the end of the file).
    static func inflatedDimensions(_ bytes: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        var out = bytes
        let sof = try frameHeader(bytes)
        out[sof + 5] = UInt8(height >> 8)
        out[sof + 6] = UInt8(height & 0xFF)
        out[sof + 7] = UInt8(width >> 8)
        out[sof + 8] = UInt8(width & 0xFF)
        return out
    }

    @Test("A JPEG whose compressed data ends early at a marker is refused as corrupt, not scored as decoder padding")
    func damagedScanDataIsCorrupt() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        // 150 KB that libjpeg used to expand to 2048x2048 grey padding: before the fix the detector scored
        // the padding (a sharp picture that turns flat) as strong evidence of manipulation, exit 0.
        let bomb = try fixture.write("bomb.jpg", Self.inflatedDimensions(try Self.jpeg(), width: 2048, height: 2048))
        do throws(ImagingError) {
            let dct = try ImageCodec.readCoefficients(path: bomb)
            Issue.record("the damaged JPEG's coefficients were read (\(dct.width)x\(dct.height), truncated: \(dct.truncated))")
        } catch {
            #expect(error.code == .corrupt, "\(error.reason)")
            #expect(error.reason.contains("damaged"), "\(error.reason)")
        }
        switch Detector.analyze(path: bomb, manifest: .absent) {
        case .success(let report):
            Issue.record("a damaged JPEG was scored: \(String(describing: report.score)) \(String(describing: report.band))")
        case .failure(let error):
            #expect(error.code == .corrupt, "\(error.reason)")
        }
    }

    @Test("A JPEG cut short is still truncated (not corrupt), and a clean one still reads")
    func truncationAndCleanFilesAreUnchanged() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let bytes = try Self.jpeg()
        let cut = try fixture.write("cut.jpg", Array(bytes.prefix(bytes.count * 2 / 3)))
        let dct = try ImageCodec.readCoefficients(path: cut)
        #expect(dct.truncated)
        guard case .failure(let error) = Detector.analyze(path: cut, manifest: .absent) else {
            Issue.record("a truncated JPEG was analysed")
            return
        }
        #expect(error.code == .truncated, "\(error.reason)")

        let clean = try fixture.write("clean.jpg", bytes)
        let full = try ImageCodec.readCoefficients(path: clean)
        #expect(!full.truncated && full.width == 320 && full.height == 240)
        let report = try analyze(clean)
        #expect(report.score != nil)
    }

    @Test("A FIFO is refused by the coefficient reader at once instead of blocking until a writer appears")
    func fifoIsNotWaitedOn() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = fixture.folder + "/pipe.jpg"
        try #require(mkfifo(path, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Thread.detachNewThread {
            do throws(ImagingError) {
                _ = try ImageCodec.readCoefficients(path: path)
                outcome.set("read")
            } catch {
                outcome.set("\(error.code): \(error.reason)")
            }
            done.signal()
        }
        // A reader blocked in open(2) never returns; 60 s outlasts a loaded machine's stalls.
        let blocked = done.wait(timeout: .now() + 60) == .timedOut
        if blocked {
            // Release the reader stuck in open(2): a writer arrives and leaves at once.
            let writer = open(path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            _ = done.wait(timeout: .now() + 10)
        }
        #expect(!blocked, "readCoefficients blocked on a FIFO")
        #expect(outcome.value?.contains("not a regular file") == true, "\(outcome.value ?? "no outcome")")
    }
}

/// A value written by another thread.
private final class Outcome: @unchecked Sendable {
    private var stored: String?
    private let lock = NSLock()
    func set(_ value: String) { lock.withLock { stored = value } }
    var value: String? { lock.withLock { stored } }
}
