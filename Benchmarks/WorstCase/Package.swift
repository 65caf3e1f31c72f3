// swift-tools-version: 6.1
// Worst-case manifest stores: genuinely signed JPEGs at Signet's hostile-store caps (repeated references, long
// ingredient chains), crafted with the public API only. Its own package, so the main package's tests never build
// it. Run: Benchmarks/worst-case.sh
import PackageDescription

let package = Package(
    name: "WorstCase",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Signet", path: "../..")],
    targets: [
        .executableTarget(
            name: "WorstCaseCraft",
            dependencies: [
                .product(name: "Signet", package: "Signet"),
                .product(name: "SignetCBOR", package: "Signet"),
                .product(name: "SignetJUMBF", package: "Signet"),
                .product(name: "SignetCOSE", package: "Signet"),
                .product(name: "SignetKeys", package: "Signet"),
                .product(name: "SignetMedia", package: "Signet"),
            ]),
    ]
)
