/// A COSE signature algorithm identifier (IANA "COSE Algorithms" registry), limited in practice
/// to the ones C2PA allows.
///
/// | Name    | id  | Meaning                                            |
/// |---------|-----|----------------------------------------------------|
/// | ES256   | -7  | ECDSA P-256 with SHA-256, raw r‖s (64 bytes)      |
/// | ES384   | -35 | ECDSA P-384 with SHA-384, raw r‖s (96 bytes)      |
/// | ES512   | -36 | ECDSA P-521 with SHA-512, raw r‖s (132 bytes)     |
/// | PS256   | -37 | RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt    |
/// | PS384   | -38 | RSASSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt    |
/// | PS512   | -39 | RSASSA-PSS, SHA-512, MGF1-SHA-512, 64-byte salt    |
/// | Ed25519 | -8  | EdDSA with Ed25519 (64 bytes)                      |
public struct COSEAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The registered integer identifier (the value of header label 1).
    public let id: Int64

    /// Wraps any identifier, known or not; unknown ones verify as ``COSEVerificationResult/unsupportedAlgorithm``.
    public init(id: Int64) {
        self.id = id
    }

    /// ECDSA using P-256 and SHA-256.
    public static let es256 = COSEAlgorithm(id: -7)
    /// ECDSA using P-384 and SHA-384.
    public static let es384 = COSEAlgorithm(id: -35)
    /// ECDSA using P-521 and SHA-512.
    public static let es512 = COSEAlgorithm(id: -36)
    /// RSASSA-PSS using SHA-256.
    public static let ps256 = COSEAlgorithm(id: -37)
    /// RSASSA-PSS using SHA-384.
    public static let ps384 = COSEAlgorithm(id: -38)
    /// RSASSA-PSS using SHA-512.
    public static let ps512 = COSEAlgorithm(id: -39)
    /// EdDSA; C2PA uses it with Ed25519 only.
    public static let ed25519 = COSEAlgorithm(id: -8)

    /// Every algorithm this module can sign and verify with.
    public static let all: [COSEAlgorithm] = [.es256, .es384, .es512, .ps256, .ps384, .ps512, .ed25519]

    /// Whether this module can sign and verify with the algorithm.
    public var isSupported: Bool { COSEAlgorithm.all.contains(self) }

    /// "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "Ed25519", or "COSE(<id>)" for others.
    public var name: String {
        switch self {
        case .es256: return "ES256"
        case .es384: return "ES384"
        case .es512: return "ES512"
        case .ps256: return "PS256"
        case .ps384: return "PS384"
        case .ps512: return "PS512"
        case .ed25519: return "Ed25519"
        default: return "COSE(\(id))"
        }
    }

    /// Looks an algorithm up by name, case-insensitively; "EdDSA" and "Ed25519" both give ``ed25519``.
    public init?(name: String) {
        switch name.lowercased() {
        case "es256": self = .es256
        case "es384": self = .es384
        case "es512": self = .es512
        case "ps256": self = .ps256
        case "ps384": self = .ps384
        case "ps512": self = .ps512
        case "ed25519", "eddsa": self = .ed25519
        default: return nil
        }
    }

    public var description: String { name }

    /// Length of a signature in COSE form for the ECDSA and EdDSA algorithms; `nil` for RSA (key-size dependent).
    public var fixedSignatureLength: Int? {
        switch self {
        case .es256: return 64
        case .es384: return 96
        case .es512: return 132
        case .ed25519: return 64
        default: return nil
        }
    }
}
