// swift-tools-version: 6.1
// libFuzzer targets for Signet's parsers of untrusted bytes. A package of its own so that nothing here enters the
// main build or its test run. Build and run with scripts/fuzz.sh (it passes -sanitize=fuzzer,address).
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (`main` in /work/main, `signet` in a clone named so).
let signet = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let fuzzTargets: [(name: String, products: [String])] = [
    ("cbor", ["SignetCBOR"]),
    ("jumbf", ["SignetJUMBF"]),
    ("media", ["SignetMedia"]),
    ("cose", ["SignetCOSE", "SignetCBOR"]),
    ("manifest", ["Signet", "SignetTrust"]),
    ("verify", ["Signet", "SignetTrust", "SignetReport"]),
    ("x509", ["SignetTrust"]),
    ("timestamp", ["SignetTimestamp", "SignetCBOR"]),
    ("ocsp", ["SignetOCSP"]),
    ("log", ["SignetLog"]),
]

let package = Package(
    name: "SignetFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        // The main package's own versions, for the seed generator (it mints TSA and OCSP certificates).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzDriver",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        .executableTarget(
            name: "fuzz-seeds",
            dependencies: [
                "FuzzSupport",
                .product(name: "Signet", package: signet),
                .product(name: "SignetKeys", package: signet),
                .product(name: "SignetCOSE", package: signet),
                .product(name: "SignetCBOR", package: signet),
                .product(name: "SignetMedia", package: signet),
                .product(name: "SignetImaging", package: signet),
                .product(name: "SignetTimestamp", package: signet),
                .product(name: "SignetTrust", package: signet),
                .product(name: "SignetOCSP", package: signet),
                .product(name: "SignetLog", package: signet),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            // gold fails with an internal error on this link (libjpeg and libpng come in through SignetImaging).
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
    ]
        + fuzzTargets.map { target in
            .executableTarget(
                name: "fuzz-\(target.name)",
                dependencies: ["FuzzSupport"] + target.products.map { .product(name: $0, package: signet) }
                    + [
                        .product(name: "Crypto", package: "swift-crypto"),
                        .product(name: "X509", package: "swift-certificates"),
                        .product(name: "SwiftASN1", package: "swift-asn1"),
                    ])
        }
)
