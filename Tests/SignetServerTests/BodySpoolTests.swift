import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import SignetServer

@Suite("Request bodies in memory and on disk")
struct BodySpoolTests {
    let world: ServiceWorld
    init() async throws { world = try await ServiceWorld.shared() }

    func files(_ spool: BodySpool) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: spool.folder)) ?? ["?"] }

    @Test("A small body of declared length is held in memory, counted against the budget until released, and never touches the disk")
    func smallBodyInMemory() async throws {
        let spool = try BodySpool(memoryBodyLimit: 1000, memoryBudget: 1500)
        defer { spool.removeAll() }
        let bytes = [UInt8](repeating: 9, count: 800)
        let received = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: bytes)), declaredLength: 800, limit: 10_000, timeout: .seconds(5))
        guard case .memory(let held) = received else {
            Issue.record("expected the body in memory")
            return
        }
        #expect(held.bytes == bytes)
        #expect(spool.memoryBudget.inUse == 800)
        #expect(files(spool).isEmpty)
        // The budget has 700 bytes left: the next 800-byte body goes to disk, and so does one over the per-body limit
        // or of undeclared length.
        let second = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: bytes)), declaredLength: 800, limit: 10_000, timeout: .seconds(5))
        let big = [UInt8](repeating: 1, count: 1200)
        let third = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: big)), declaredLength: 1200, limit: 10_000, timeout: .seconds(5))
        let fourth = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: bytes)), declaredLength: nil, limit: 10_000, timeout: .seconds(5))
        for (name, body) in [("second", second), ("third", third), ("fourth", fourth)] {
            guard case .file(let file) = body else {
                Issue.record("\(name): expected a file")
                continue
            }
            #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == (name == "third" ? big : bytes), "\(name)")
            body.discard()
        }
        received.discard()
        #expect(spool.memoryBudget.inUse == 0)
        #expect(spool.budget.inUse == 0)
        #expect(files(spool).isEmpty)
    }

    @Test("A body shorter or longer than it declared is refused, and its memory is given back")
    func wrongLengthGivesTheMemoryBack() async throws {
        let spool = try BodySpool(memoryBodyLimit: 1000, memoryBudget: 1000)
        defer { spool.removeAll() }
        let short = [UInt8](repeating: 2, count: 300)
        await #expect(throws: ServiceError.self) {
            _ = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: short)), declaredLength: 500, limit: 10_000, timeout: .seconds(5))
        }
        #expect(spool.memoryBudget.inUse == 0)
        let long = [UInt8](repeating: 2, count: 700)
        do {
            _ = try await spool.receive(RequestBody(buffer: ByteBuffer(bytes: long)), declaredLength: 500, limit: 10_000, timeout: .seconds(5))
            Issue.record("a body longer than declared was taken")
        } catch {
            #expect(error.code == .badRequest)
        }
        #expect(spool.memoryBudget.inUse == 0)
        #expect(files(spool).isEmpty)
    }

    @Test("Verifying from memory gives the same report as from a spooled file, for a trusted, a tampered and an unsigned picture")
    func memoryAndDiskAgree() async throws {
        let inMemory = try world.service()
        let onDisk = try world.service(memoryBodies: 0)
        defer {
            inMemory.spool.removeAll()
            onDisk.spool.removeAll()
        }
        for (name, bytes) in [("signed", world.signed), ("tampered", world.tampered), ("unsigned", world.unsigned)] {
            let collected = Mutex<[String]>([])
            for service in [inMemory, onDisk] {
                try await service.application(host: "127.0.0.1", port: 0).test(.router) { client in
                    try await client.execute(uri: "/v1/verify?name=\(name).jpg", method: .post, headers: [.contentType: "image/jpeg"],
                                             body: ByteBuffer(bytes: bytes)) { r in
                        #expect(r.status == .ok, "\(name)")
                        let text = String(buffer: r.body)
                        collected.withLock { $0.append(text) }
                    }
                }
            }
            let answers = collected.withLock { $0 }
            #expect(answers.count == 2 && answers[0] == answers[1], "\(name): \(answers.first?.prefix(300) ?? "")")
            #expect(inMemory.spool.memoryBudget.inUse == 0 && onDisk.spool.budget.inUse == 0)
        }
    }
}
