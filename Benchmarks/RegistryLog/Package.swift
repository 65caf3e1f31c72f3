// swift-tools-version: 6.1
// The transparency log benchmark: appends and proofs over the registry's SQLite store. Its own package, so the
// main package's tests never build it. Run: Benchmarks/registry-log.sh
import PackageDescription

let package = Package(
    name: "RegistryLogBench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Signet", path: "../..")],
    targets: [
        .executableTarget(
            name: "RegistryLogBench",
            dependencies: [.product(name: "SignetRegistry", package: "Signet"), .product(name: "SignetLog", package: "Signet")]),
    ]
)
