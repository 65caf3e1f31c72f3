#!/usr/bin/env bash
# Reproduces the Swift 6.3 optimizer bug behind issue 8's "release verify prints nothing" (see
# Spec/engineering-notes.md): in an async closure, `do throws(E) { return (captured, .success(try await f())) }`
# loses `captured` when built with -O. Prints "miscompiled" (exit 1) or "correct" (exit 0) for this toolchain.
set -euo pipefail
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/Sources/repro"
cat >"$dir/Package.swift" <<'SWIFT'
// swift-tools-version: 6.1
import PackageDescription
let package = Package(name: "repro", targets: [.executableTarget(name: "repro")])
SWIFT
cat >"$dir/Sources/repro/main.swift" <<'SWIFT'
struct Failure: Error { var reason: String }
struct Report: Sendable { var file: String; var data: [Int] }
func verify(_ path: String) async throws(Failure) -> Report {
    if path == "bad" { throw Failure(reason: "bad") }
    await Task.yield()
    return Report(file: path, data: [1, 2, 3])
}
var indices: [Int] = []
await withTaskGroup(of: (Int, Result<Report, Failure>).self) { group in
    for (index, path) in ["a", "b", "c"].enumerated() {
        group.addTask {
            do throws(Failure) { return (index, .success(try await verify(path))) } catch { return (index, .failure(error)) }
        }
    }
    while let (index, _) = await group.next() { indices.append(index) }
}
print(indices.sorted() == [0, 1, 2] ? "correct" : "miscompiled: indices \(indices.sorted())")
SWIFT
out="$(cd "$dir" && swift build -c release >/dev/null 2>&1 && .build/release/repro)"
echo "$out"
[ "$out" = "correct" ]
