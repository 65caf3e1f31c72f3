import Foundation
import SignetLog
import SignetRegistry

/// Appends log events to a fresh registry store and times appends and proofs at several tree sizes.
/// Usage: RegistryLogBench [--events 100000] [--sizes 1000,100000,1000000] [--batch 1000]
var events = 100_000
var sizes: [UInt64] = [1_000, 100_000, 1_000_000]
var batch = 1_000
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--events": events = Int(args.popFirst() ?? "") ?? events
    case "--sizes": sizes = (args.popFirst() ?? "").split(separator: ",").compactMap { UInt64($0) }
    case "--batch": batch = Int(args.popFirst() ?? "") ?? batch
    default: print("unknown argument \(a)"); exit(2)
    }
}

func event(_ i: Int) -> LogEvent {
    LogEvent(kind: "key.issued", fields: [
        "publisher": "publisher \(i % 97)", "key": "k-\(String(i, radix: 16))", "algorithm": "es256",
        "cert_sha256": String(repeating: "a", count: 64), "spki_sha256": String(repeating: "b", count: 64),
    ])
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-logbench-\(UUID().uuidString.prefix(8))").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }

// 1. Appends: one event per transaction (as CLI commands do), then batches (as an importer would).
let single = try SQLiteRegistryStore(path: dir + "/single.sqlite")
let singleCount = min(events, 5_000)
var t0 = now()
for i in 0..<singleCount { _ = try single.appendEvents([event(i)], at: Date()) }
let singleRate = Double(singleCount) / (now() - t0)
print(String(format: "append, one event per transaction: %d events in %.2f s = %.0f events/s", singleCount, now() - t0, singleRate))

let store = try SQLiteRegistryStore(path: dir + "/log.sqlite")
let target = max(UInt64(events), sizes.max() ?? 0)
var appended: UInt64 = 0
var timedSeconds = 0.0
var results: [(size: UInt64, inclusionMicros: Double, consistencyMicros: Double, inclusionHashes: Int, consistencyHashes: Int)] = []
let sortedSizes = sizes.sorted()
var nextSize = 0
while appended < target {
    let n = Int(min(UInt64(batch), target - appended))
    let evs = (0..<n).map { event(Int(appended) + $0) }
    let s = now()
    _ = try store.appendEvents(evs, at: Date())
    if appended < UInt64(events) { timedSeconds += now() - s }
    appended += UInt64(n)
    if appended == UInt64(events) {
        print(String(format: "append, %d events per transaction: %d events in %.2f s = %.0f events/s", batch, events, timedSeconds, Double(events) / timedSeconds))
    }
    while nextSize < sortedSizes.count, appended >= sortedSizes[nextSize] {
        let size = sortedSizes[nextSize]
        nextSize += 1
        // Median over 200 proofs for random leaves, and consistency from random earlier sizes.
        var inc: [Double] = []
        var con: [Double] = []
        var incLen = 0, conLen = 0
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let leaf = UInt64.random(in: 0..<size, using: &rng)
            let s1 = now()
            let p = try store.withLogHashes { (_, h) throws(LogError) in try h.inclusionProof(leafIndex: leaf, treeSize: size) }
            inc.append(now() - s1)
            incLen = max(incLen, p.hashes.count)
            let old = UInt64.random(in: 1...size, using: &rng)
            let s2 = now()
            let c = try store.withLogHashes { (_, h) throws(LogError) in try h.consistencyProof(from: old, to: size) }
            con.append(now() - s2)
            conLen = max(conLen, c.hashes.count)
        }
        inc.sort()
        con.sort()
        results.append((size, inc[inc.count / 2] * 1e6, con[con.count / 2] * 1e6, incLen, conLen))
    }
}
print("")
print("| leaves | inclusion proof (median) | hashes (max) | consistency proof (median) | hashes (max) |")
print("|---|---|---|---|---|")
for r in results {
    print(String(format: "| %d | %.0f µs | %d | %.0f µs | %d |", r.size, r.inclusionMicros, r.inclusionHashes, r.consistencyMicros, r.consistencyHashes))
}
