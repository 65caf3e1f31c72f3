/// The fitted weights that turn measurements into calibrated scores.
///
/// Each signal's raw value maps to its own probability with a one-dimensional logistic fit,
/// score = sigmoid(a * value + b); its evidence for the fused score is the log-likelihood ratio
/// a * value + b - prior (the log odds of the class balance it was fitted on), weighted; a signal
/// that does not apply contributes nothing. The fused score is sigmoid(intercept + sum of
/// contributions), raised to the largest floor a declaration justifies.
///
/// The numbers are fitted offline by `Benchmarks/detect/fit.py` on the training half of the
/// benchmark set and shipped in `Calibration.json`; `CalibrationTable.swift` is generated from
/// it (a test checks the two agree), so the binary needs no resource files.
public struct Calibration: Sendable, Hashable {
    public struct Signal: Sendable, Hashable {
        public var a: Double
        public var b: Double
        public var prior: Double
        public var weight: Double

        public init(a: Double, b: Double, prior: Double, weight: Double) {
            self.a = a
            self.b = b
            self.prior = prior
            self.weight = weight
        }
    }

    public var intercept: Double
    public var signals: [String: Signal]
    /// Lower edges of the inconclusive, moderate and strong bands on the fused score.
    public var inconclusive: Double
    public var moderate: Double
    public var strong: Double

    public init(
        intercept: Double, signals: [String: Signal], inconclusive: Double, moderate: Double, strong: Double
    ) {
        self.intercept = intercept
        self.signals = signals
        self.inconclusive = inconclusive
        self.moderate = moderate
        self.strong = strong
    }

    public func band(_ score: Double) -> Band {
        if score >= strong { return .strong }
        if score >= moderate { return .moderate }
        if score >= inconclusive { return .inconclusive }
        return .low
    }
}

/// How strongly the evidence points to manipulation or synthesis.
public enum Band: String, Sendable, Hashable, CaseIterable {
    case low, inconclusive, moderate, strong
}

@inline(__always)
func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
