/// What one signal measured on one file, before calibration.
///
/// A signal is a separate unit with its own applicability rule: it either measures a raw
/// statistic (`value`, larger means more suspicious) and says why in one line, or says why it does
/// not apply. ``Fusion`` turns measurements into calibrated scores and contributions.
public struct SignalMeasurement: Sendable, Hashable {
    /// The signal's stable name (snake_case), as in the JSON report and the calibration file.
    public var name: String
    /// Whether the signal could judge this file at all.
    public var applicable: Bool
    /// The raw statistic: larger means more likely manipulated or synthetic. nil when not applicable.
    public var value: Double?
    /// One line a person understands: what was found, or why the signal does not apply.
    public var reason: String
    /// Where in the picture the evidence sits, when the signal is local.
    public var map: LocalMap?
    /// A lower bound on the fused score this evidence justifies by itself (a declared synthetic
    /// source, for example). nil for statistical signals.
    public var floor: Double?

    public init(name: String, value: Double, reason: String, map: LocalMap? = nil, floor: Double? = nil) {
        self.name = name
        self.applicable = true
        self.value = value
        self.reason = reason
        self.map = map
        self.floor = floor
    }

    /// A signal that cannot judge this file, and why.
    public static func notApplicable(_ name: String, _ reason: String) -> SignalMeasurement {
        SignalMeasurement(name: name, applicable: false, value: nil, reason: reason, map: nil, floor: nil)
    }

    init(name: String, applicable: Bool, value: Double?, reason: String, map: LocalMap?, floor: Double?) {
        self.name = name
        self.applicable = applicable
        self.value = value
        self.reason = reason
        self.map = map
        self.floor = floor
    }
}

/// Local evidence on a grid of square cells laid over the picture.
///
/// Each cell holds a suspicion in 0...1, or NaN where the signal could not judge (too flat, too
/// saturated, too close to the border).
public struct LocalMap: Sendable, Hashable {
    /// Cell size in pixels of the analysed picture.
    public var cell: Int
    /// Grid size in cells.
    public var columns: Int
    public var rows: Int
    /// rows * columns values, row-major; NaN = unknown.
    public var values: [Float]

    public init(cell: Int, columns: Int, rows: Int, values: [Float]) {
        precondition(values.count == columns * rows, "LocalMap values do not match its grid")
        self.cell = cell
        self.columns = columns
        self.rows = rows
        self.values = values
    }

    public init(cell: Int, columns: Int, rows: Int, fill: Float) {
        self.init(cell: cell, columns: columns, rows: rows, values: [Float](repeating: fill, count: columns * rows))
    }

    public subscript(column: Int, row: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    public static func == (a: LocalMap, b: LocalMap) -> Bool {
        a.cell == b.cell && a.columns == b.columns && a.rows == b.rows
            && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(cell)
        hasher.combine(columns)
        hasher.combine(rows)
    }
}
