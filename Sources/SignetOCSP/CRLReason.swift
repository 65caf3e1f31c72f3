/// Why a certificate was revoked (RFC 5280 section 5.3.1), as used by CRL entries and OCSP RevokedInfo.
///
/// ```
/// CRLReason ::= ENUMERATED {
///     unspecified             (0),
///     keyCompromise           (1),
///     cACompromise            (2),
///     affiliationChanged      (3),
///     superseded              (4),
///     cessationOfOperation    (5),
///     certificateHold         (6),
///          -- value 7 is not used
///     removeFromCRL           (8),
///     privilegeWithdrawn      (9),
///     aACompromise           (10) }
/// ```
///
/// Open-ended: a value read from input that is not listed keeps its number.
public struct CRLReason: Hashable, Sendable, CustomStringConvertible {
    /// The ENUMERATED value.
    public let rawValue: Int

    /// A reason from its ENUMERATED value.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// unspecified (0).
    public static let unspecified = CRLReason(rawValue: 0)
    /// keyCompromise (1).
    public static let keyCompromise = CRLReason(rawValue: 1)
    /// cACompromise (2).
    public static let caCompromise = CRLReason(rawValue: 2)
    /// affiliationChanged (3).
    public static let affiliationChanged = CRLReason(rawValue: 3)
    /// superseded (4).
    public static let superseded = CRLReason(rawValue: 4)
    /// cessationOfOperation (5).
    public static let cessationOfOperation = CRLReason(rawValue: 5)
    /// certificateHold (6).
    public static let certificateHold = CRLReason(rawValue: 6)
    /// removeFromCRL (8).
    public static let removeFromCRL = CRLReason(rawValue: 8)
    /// privilegeWithdrawn (9).
    public static let privilegeWithdrawn = CRLReason(rawValue: 9)
    /// aACompromise (10).
    public static let aaCompromise = CRLReason(rawValue: 10)

    private static let names = [
        "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation",
        "certificateHold", nil, "removeFromCRL", "privilegeWithdrawn", "aACompromise",
    ]

    /// The RFC 5280 name (`keyCompromise`, ...), or `reason(N)` for a value not listed.
    public var description: String {
        if Self.names.indices.contains(rawValue), let name = Self.names[rawValue] { return name }
        return "reason(\(rawValue))"
    }
}
