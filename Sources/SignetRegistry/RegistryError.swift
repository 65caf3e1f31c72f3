/// Why a registry operation failed. Codes are stable; the CLI maps them to exit statuses.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The registry folder holds no registry (run `signet registry init`).
        public static let notInitialized = Code("notInitialized")
        /// `init` on a folder that already holds one.
        public static let alreadyInitialized = Code("alreadyInitialized")
        /// A publisher, key or log entry that does not exist.
        public static let notFound = Code("notFound")
        /// A publisher or key that already exists.
        public static let alreadyExists = Code("alreadyExists")
        /// A request the registry's rules refuse (revoking a revoked key, a bad name, an unknown algorithm...).
        public static let invalidRequest = Code("invalidRequest")
        /// A passphrase is needed and none was given, or it does not open the keys.
        public static let passphrase = Code("passphrase")
        /// The database or a key file could not be read or written.
        public static let storage = Code("storage")
        /// The stored data contradicts itself (a log that does not match its events, a rewritten history).
        public static let inconsistent = Code("inconsistent")
        /// Issuing a certificate or signing failed.
        public static let crypto = Code("crypto")
        /// A file given as input (trust anchors, an allowed list, an EKU configuration, a trust bundle's CRL) is
        /// missing, unreadable or malformed.
        public static let invalidInput = Code("invalidInput")
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
    public static func == (lhs: RegistryError, rhs: RegistryError) -> Bool { lhs.code == rhs.code && lhs.reason == rhs.reason }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
