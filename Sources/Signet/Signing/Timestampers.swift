import SignetTimestamp

// SignetTimestamp's clients are timestamp providers for `SignOptions.timestamper` (the protocol lives here, with
// the Builder; SignetTimestamp does not depend on Signet).

/// An RFC 3161 TSA over HTTP.
extension HTTPTimestamper: TimestampProvider {}

/// A TSA in this process (the key registry's).
extension LocalTimestamper: TimestampProvider {}
