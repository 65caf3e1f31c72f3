// swift-tools-version: 6.1
import PackageDescription

let crypto: [Target.Dependency] = [
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "_CryptoExtras", package: "swift-crypto"),
]
let x509: [Target.Dependency] = [
    .product(name: "X509", package: "swift-certificates"),
    .product(name: "SwiftASN1", package: "swift-asn1"),
]

let package = Package(
    name: "Signet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "signet", targets: ["SignetCLI"]),
        .library(name: "Signet", targets: ["Signet"]),
        .library(name: "SignetCBOR", targets: ["SignetCBOR"]),
        .library(name: "SignetJUMBF", targets: ["SignetJUMBF"]),
        .library(name: "SignetCOSE", targets: ["SignetCOSE"]),
        .library(name: "SignetPKI", targets: ["SignetPKI"]),
        .library(name: "SignetKeys", targets: ["SignetKeys"]),
        .library(name: "SignetTrust", targets: ["SignetTrust"]),
        .library(name: "SignetMedia", targets: ["SignetMedia"]),
        .library(name: "SignetImaging", targets: ["SignetImaging"]),
        .library(name: "SignetTimestamp", targets: ["SignetTimestamp"]),
        .library(name: "SignetHTTP", targets: ["SignetHTTP"]),
        .library(name: "SignetRegistry", targets: ["SignetRegistry"]),
        .library(name: "SignetLog", targets: ["SignetLog"]),
        .library(name: "SignetOCSP", targets: ["SignetOCSP"]),
        .library(name: "SignetDetect", targets: ["SignetDetect"]),
        .library(name: "SignetReport", targets: ["SignetReport"]),
        .library(name: "SignetServer", targets: ["SignetServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "SignetCBOR"),
        .target(name: "SignetJUMBF"),
        .target(name: "SignetCOSE", dependencies: ["SignetCBOR"] + crypto + x509),
        .target(name: "SignetPKI", dependencies: crypto + x509),
        .target(name: "SignetKeys", dependencies: ["SignetPKI", "SignetCOSE"] + crypto + x509),
        .target(name: "SignetTrust", dependencies: ["SignetPKI"] + crypto + x509),
        .target(name: "SignetMedia"),
        .target(name: "SignetHTTP"),
        .target(name: "SignetTimestamp", dependencies: ["SignetPKI", "SignetCBOR", "SignetHTTP"] + crypto + x509),
        .target(
            name: "SignetRegistry",
            dependencies: [
                "Signet", "SignetCOSE", "SignetKeys", "SignetLog", "SignetOCSP", "SignetTimestamp", "SignetTrust",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ] + crypto + x509),
        .target(name: "SignetLog", dependencies: crypto),
        .target(name: "SignetOCSP", dependencies: ["SignetPKI"] + crypto + x509),
        .target(
            name: "CSignetImaging",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]
        ),
        .target(name: "SignetImaging", dependencies: ["CSignetImaging"]),
        // Calibration.json is the data file CalibrationTable.swift is generated from (a test checks they agree).
        .target(name: "SignetDetect", dependencies: ["SignetImaging", "SignetMedia"], exclude: ["Calibration.json"]),
        .target(
            name: "Signet",
            dependencies: [
                "SignetCBOR", "SignetJUMBF", "SignetCOSE", "SignetPKI", "SignetTrust", "SignetMedia", "SignetTimestamp", "SignetOCSP",
                "SignetHTTP",
            ]
                + crypto + x509
        ),
        // Presenting reports: the c2pa-rs-shaped JSON, the terminal views, the detector's JSON and text, the HTML page.
        .target(name: "SignetReport", dependencies: ["Signet", "SignetDetect", "SignetCBOR", "SignetCOSE", "SignetJUMBF"]),
        // HTTP on Hummingbird: verify, inspect, detect, the upload page, health and metrics.
        .target(
            name: "SignetServer",
            dependencies: [
                "Signet", "SignetDetect", "SignetImaging", "SignetMedia", "SignetOCSP", "SignetRegistry", "SignetReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]),
        .executableTarget(
            name: "SignetCLI",
            dependencies: [
                "Signet", "SignetImaging", "SignetKeys", "SignetMedia", "SignetRegistry", "SignetLog", "SignetDetect", "SignetReport",
                "SignetTimestamp", "SignetServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(name: "SignetCBORTests", dependencies: ["SignetCBOR"]),
        .testTarget(name: "SignetJUMBFTests", dependencies: ["SignetJUMBF"]),
        .testTarget(name: "SignetCOSETests", dependencies: ["SignetCOSE"] + crypto + x509),
        .testTarget(name: "SignetKeysTests", dependencies: ["SignetKeys", "SignetPKI"] + crypto + x509),
        // Test certificate authorities shared by the PKI and trust tests (not a product).
        .target(name: "SignetTestPKI", dependencies: crypto + x509, path: "Tests/SignetTestPKI"),
        .testTarget(name: "SignetPKITests", dependencies: ["SignetPKI", "SignetTestPKI"] + crypto + x509),
        .testTarget(name: "SignetTrustTests", dependencies: ["SignetTrust", "SignetPKI", "SignetTestPKI", "SignetKeys"] + crypto + x509),
        .testTarget(name: "SignetMediaTests", dependencies: ["SignetMedia"]),
        .testTarget(name: "SignetImagingTests", dependencies: ["SignetImaging"]),
        .testTarget(name: "SignetDetectTests", dependencies: ["SignetDetect", "SignetImaging", "SignetMedia", "SignetTestSupport"]),
        // Test helpers shared by the test targets: the keyless-forgery generator, the child-process runner.
        .target(name: "SignetTestSupport", dependencies: ["SignetJUMBF", "SignetMedia"], path: "Tests/SignetTestSupport"),
        .testTarget(name: "SignetTests", dependencies: ["Signet", "SignetReport", "SignetImaging", "SignetKeys", "SignetTestSupport"] + crypto + x509),
        .testTarget(name: "SignetInteropTests", dependencies: ["Signet", "SignetImaging", "SignetKeys", "SignetRegistry", "SignetTestSupport"]),
        .testTarget(name: "SignetReportTests", dependencies: ["SignetReport", "Signet"], exclude: ["Samples"]),
        .testTarget(
            name: "SignetTimestampTests",
            dependencies: ["SignetTimestamp", "SignetCBOR", "SignetJUMBF", "SignetMedia"] + crypto + x509),
        .testTarget(name: "SignetLogTests", dependencies: ["SignetLog"] + crypto),
        .testTarget(
            name: "SignetServerTests",
            dependencies: [
                "SignetServer", "Signet", "SignetReport", "SignetKeys", "SignetTrust", "SignetImaging", "SignetTestSupport",
                "SignetRegistry", "SignetLog", "SignetOCSP", "SignetTimestamp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "SignetOCSPTests", dependencies: ["SignetOCSP"] + crypto + x509),
        .testTarget(
            name: "SignetRegistryTests",
            dependencies: [
                "SignetRegistry", "SignetKeys", "SignetLog", "SignetTrust", "SignetCOSE", "SignetTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + crypto + x509),
    ]
)
