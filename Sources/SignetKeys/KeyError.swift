/// The one error type of SignetKeys: a stable ``code`` to branch on and a human ``reason``.
///
/// Compare errors by ``code``; the reason text may change between releases.
public struct KeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. An open set: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file does not exist.
        public static let notFound = Code("notFound")
        /// The file exists but could not be read (permissions, a directory, an I/O error).
        public static let unreadable = Code("unreadable")
        /// The input holds no private key PEM block (empty, garbage, only certificates...).
        public static let notAKey = Code("notAKey")
        /// A key was found but its type, curve, size or encryption scheme is not supported.
        public static let unsupportedKeyType = Code("unsupportedKeyType")
        /// The key is encrypted and no passphrase was given.
        public static let passphraseRequired = Code("passphraseRequired")
        /// The key is encrypted and the passphrase does not decrypt it.
        public static let wrongPassphrase = Code("wrongPassphrase")
        /// A PEM block or the DER inside it is malformed (truncated, bad base64, bad ASN.1).
        public static let corrupt = Code("corrupt")
        /// A certificate file holds no certificate PEM block.
        public static let noCertificates = Code("noCertificates")
        /// The leaf certificate's public key is not the private key's public key.
        public static let certificateKeyMismatch = Code("certificateKeyMismatch")
        /// The requested COSE algorithm cannot be used with this key.
        public static let algorithmKeyMismatch = Code("algorithmKeyMismatch")
        /// The COSE algorithm is not one SignetKeys can generate keys for.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The destination file exists and overwriting was not requested.
        public static let alreadyExists = Code("alreadyExists")
        /// Writing a file failed.
        public static let writeFailed = Code("writeFailed")
        /// Building a key, a certificate or an encoding failed inside the cryptography libraries.
        public static let internalFailure = Code("internalFailure")
    }

    /// What went wrong, stable across releases.
    public let code: Code
    /// A human explanation, for messages only.
    public let reason: String

    /// An error with `code` and an explanation.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "KeyError.\(code): \(reason)" }
}
