/// The leading header of a JUMBF superbox, as far as the container layer needs it.
///
/// ```
/// superbox   = LBox:u32 TBox:'jumb' [XLBox:u64 if LBox == 1] jumd ...
/// jumd       = LBox:u32 TBox:'jumd' [XLBox:u64 if LBox == 1] TYPE:uuid(16) TOGGLES:u8 [LABEL:utf8 0x00 if TOGGLES & 0x02] ...
/// ```
/// The C2PA manifest store is the superbox whose description has TYPE `63327061-0011-0010-8000-00AA00389B71`
/// and LABEL `c2pa`. LBox 0 means "to the end of the container"; LBox 2…7 is invalid.
struct StoreHeader: Equatable {
    /// Bytes of the superbox header (LBox, TBox and XLBox when present): 8 or 16.
    var headerLength: Int
    /// The declared total box length, or `nil` when LBox is 0 (extends to the end).
    var declaredLength: UInt64?

    static let jumb: [UInt8] = Array("jumb".utf8)
    static let jumd: [UInt8] = Array("jumd".utf8)
    static let c2paUUID: [UInt8] = [
        0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]

    /// Parses the superbox header at the start of `bytes`; `nil` if it is not a well-formed `jumb` header.
    static func parse(_ bytes: ArraySlice<UInt8>) -> StoreHeader? {
        guard let lbox = bytes.beU32(at: 0), bytes.matches(jumb, at: 4) else { return nil }
        switch lbox {
        case 0: return StoreHeader(headerLength: 8, declaredLength: nil)
        case 1:
            guard let xl = bytes.beU64(at: 8), xl >= 16 else { return nil }
            return StoreHeader(headerLength: 16, declaredLength: xl)
        case 2..<8: return nil
        default: return StoreHeader(headerLength: 8, declaredLength: UInt64(lbox))
        }
    }

    /// Whether `bytes` (the start of a JUMBF superbox, possibly incomplete) is the C2PA manifest store, judged
    /// from its header and description box: `jumb`, then `jumd` with the C2PA UUID and the label `c2pa`.
    static func isC2PAStore(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let header = parse(bytes) else { return false }
        let d = header.headerLength
        guard let dlbox = bytes.beU32(at: d), bytes.matches(jumd, at: d + 4) else { return false }
        let typeOffset = d + (dlbox == 1 ? 16 : 8)
        guard bytes.matches(c2paUUID, at: typeOffset), let toggles = bytes.byte(at: typeOffset + 16),
            toggles & 0x02 != 0
        else { return false }
        // Label "c2pa" followed by its NUL terminator.
        return bytes.matches(Array("c2pa".utf8) + [0], at: typeOffset + 17)
    }
}

extension ArraySlice where Element == UInt8 {
    /// The byte at `offset` relative to the slice start, or `nil` if out of bounds.
    func byte(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < count else { return nil }
        return self[startIndex + offset]
    }

    func beU16(at offset: Int) -> UInt16? {
        guard offset >= 0, count - offset >= 2 else { return nil }
        let i = startIndex + offset
        return UInt16(self[i]) << 8 | UInt16(self[i + 1])
    }

    func beU32(at offset: Int) -> UInt32? {
        guard offset >= 0, count - offset >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(self[startIndex + offset + i]) }
        return v
    }

    func beU64(at offset: Int) -> UInt64? {
        guard offset >= 0, count - offset >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(self[startIndex + offset + i]) }
        return v
    }

    func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, count - offset >= pattern.count else { return false }
        return self[(startIndex + offset)..<(startIndex + offset + pattern.count)].elementsEqual(pattern)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        var v = value.bigEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
