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

@Suite("Body folders left behind")
struct StaleSpoolTests {
    func makeFolder(_ path: String, mode: Int16 = 0o700, ageSeconds: Double = 3600) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: mode])
        FileManager.default.createFile(atPath: path + "/body", contents: Data([1, 2, 3]))
        let old = Date().addingTimeInterval(-ageSeconds)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
    }

    @Test("A folder whose server was killed is swept; a folder another process holds, a fresh one, a symbolic link and other files are not")
    func sweepRemovesOnlyDeadFolders() async throws {
        let parent = NSTemporaryDirectory() + "signet-sweep-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let dead = parent + "/signet-serve-dead01", held = parent + "/signet-serve-held01", fresh = parent + "/signet-serve-fresh1"
        let open = parent + "/signet-serve-open01", elsewhere = parent + "/elsewhere"
        try makeFolder(dead)
        try makeFolder(held)
        try makeFolder(fresh, ageSeconds: 0)
        try makeFolder(open, mode: 0o755)
        try makeFolder(elsewhere)
        try FileManager.default.createSymbolicLink(atPath: parent + "/signet-serve-link01", withDestinationPath: elsewhere)
        FileManager.default.createFile(atPath: parent + "/signet-serve-plain1", contents: Data([0]))
        // Another process holds `held` locked, as a live server holds its folder (util-linux flock(1) takes the
        // same flock on the directory's descriptor).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell opens the folder, locks it, and becomes `sleep` holding that descriptor: one process, which
        // SIGKILL ends with nothing left behind.
        holder.arguments = ["-c", "exec 9<\"$0\" && flock -x 9 && echo locked && exec sleep 60", held]
        let said = Pipe()
        holder.standardOutput = said
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        // Only once the holder says it has the lock (however long a loaded machine takes to get there).
        let line = said.fileHandleForReading.availableData
        #expect(String(decoding: line, as: UTF8.self).hasPrefix("locked"))
        // A live spool in the same parent: locked by this process.
        let live = try BodySpool(parent: parent)
        defer { live.removeAll() }
        #expect(!FileManager.default.fileExists(atPath: dead), "the new spool sweeps on start")
        for kept in [held, fresh, open, elsewhere, elsewhere + "/body", parent + "/signet-serve-link01", parent + "/signet-serve-plain1", live.folder] {
            #expect(FileManager.default.fileExists(atPath: kept), "\(kept)")
        }
        #expect(BodySpool.sweepStale(in: parent, olderThan: 0) == 1, "the fresh folder goes once its age is not asked for")
        #expect(FileManager.default.fileExists(atPath: held) && FileManager.default.fileExists(atPath: live.folder))
        // The holder dies without cleaning up (SIGKILL): its lock goes with it, and the next sweep takes the folder.
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(BodySpool.sweepStale(in: parent) == 1)
        #expect(!FileManager.default.fileExists(atPath: held))
        #expect(FileManager.default.fileExists(atPath: live.folder), "a spool this process still holds is never swept")
    }

    @Test("The rate floor cuts off a trickle after the grace period, but a stall of the server itself is not charged to the client")
    func rateFloorIgnoresServerStalls() {
        let start = ContinuousClock.now
        var trickle = RateFloor(minimumRate: 1000, grace: .seconds(10), start: start)
        // 100 bytes a second, checked every second: within the grace period nothing is cut, then it is.
        var cut: Int?
        for t in 1...20 where cut == nil && trickle.isBelow(bytes: 100 * t, at: start + .seconds(t)) { cut = t }
        #expect(cut == 10)
        // A server descheduled for 30 s checks once, late, with nothing read yet: that counts as 2 s, not 30.
        var stalled = RateFloor(minimumRate: 1000, grace: .seconds(10), start: start)
        let afterStall = stalled.isBelow(bytes: 0, at: start + .seconds(30))
        #expect(!afterStall)
        #expect(stalled.charged == .seconds(2))
        // Its reader then catches up on what waited in the socket, and the floor is met.
        let caughtUp = stalled.isBelow(bytes: 20_000, at: start + .seconds(31))
        #expect(!caughtUp)
        for t in 32...60 {
            let below = stalled.isBelow(bytes: 20_000 + 1000 * (t - 31), at: start + .seconds(t))
            #expect(!below, "at \(t) s")
        }
        // No floor: never cut.
        var none = RateFloor(minimumRate: 0, grace: .seconds(10), start: start)
        var everCut = false
        for t in 1...100 where none.isBelow(bytes: 0, at: start + .seconds(t)) { everCut = true }
        #expect(!everCut)
    }
}
