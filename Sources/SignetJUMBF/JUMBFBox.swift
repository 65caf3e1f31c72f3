/// One parsed JUMBF / ISO BMFF box: either a superbox (`jumb`) with its description and children, or a content
/// box whose payload is kept as bytes.
///
/// Box layout (ISO 19566-5 A.2, ISO 14496-12 4.2):
///
/// ```
/// LBox    u32 big-endian   total box length including this header;
///                          1 = an XLBox follows TBox; 0 = the box runs to the end of its container
/// TBox    4 bytes          box type (FourCC)
/// XLBox   u64 big-endian   total length, only when LBox == 1
/// payload LBox (or XLBox) minus the header
/// ```
///
/// ``range`` and ``payloadRange`` are absolute offsets: positions in the parsed buffer plus the parser's
/// `baseOffset`, so a box parsed out of a file knows where it sits in that file. A C2PA hashed URI to a superbox
/// covers exactly the bytes at ``payloadRange`` (its description box and content boxes, not its own header).
public struct JUMBFBox: Hashable, Sendable {
    /// The box type (`TBox`).
    public var type: FourCC
    /// Where the whole box, header included, sits (absolute offsets).
    public var range: Range<Int>
    /// Where the payload (after LBox, TBox and any XLBox) sits (absolute offsets).
    public var payloadRange: Range<Int>
    /// The parsed content.
    public var content: Content

    /// A box's content.
    public indirect enum Content: Hashable, Sendable {
        /// A superbox (`jumb`): its description and its content boxes (the `jumd` itself is not repeated here).
        case superbox(JUMBFDescription, children: [JUMBFBox])
        /// Any other box: its payload bytes.
        case data([UInt8])
    }

    /// Creates a box from all its parts.
    public init(type: FourCC, range: Range<Int>, payloadRange: Range<Int>, content: Content) {
        self.type = type
        self.range = range
        self.payloadRange = payloadRange
        self.content = content
    }

    /// Creates a content box as if written alone at offset 0 with an 8-byte header (handy for building
    /// description private boxes such as a `c2sh` salt).
    public static func dataBox(_ type: FourCC, _ payload: [UInt8]) -> JUMBFBox {
        let header = JUMBFWriter.headerSize(payloadCount: payload.count)
        return JUMBFBox(
            type: type,
            range: 0..<(header + payload.count),
            payloadRange: header..<(header + payload.count),
            content: .data(payload)
        )
    }

    /// The length of the header (8, or 16 with an XLBox).
    public var headerSize: Int { payloadRange.lowerBound - range.lowerBound }

    /// The description of a superbox; `nil` for content boxes.
    public var description: JUMBFDescription? {
        if case .superbox(let description, _) = content { return description }
        return nil
    }

    /// The superbox's label; `nil` for content boxes and unlabelled superboxes.
    public var label: String? { description?.label }

    /// The superbox's type UUID; `nil` for content boxes.
    public var jumbfType: JUMBFType? { description?.type }

    /// The content boxes of a superbox; empty for content boxes.
    public var children: [JUMBFBox] {
        if case .superbox(_, let children) = content { return children }
        return []
    }

    /// The payload of a content box; `nil` for superboxes.
    public var data: [UInt8]? {
        if case .data(let bytes) = content { return bytes }
        return nil
    }

    /// The payload of the first direct child of type `type` (e.g. the `cbor` box of an assertion).
    public func firstData(ofType type: FourCC) -> [UInt8]? {
        children.first(where: { $0.type == type })?.data
    }

    /// The one direct child superbox labelled `label`.
    ///
    /// Returns `nil` when no child has that label and also when several do: C2PA 2.2 (8.4.2.1) says an
    /// ambiguous label leaves a JUMBF URI unresolved.
    public func child(labeled label: String) -> JUMBFBox? {
        var found: JUMBFBox? = nil
        for child in children where child.label == label {
            if found != nil { return nil }
            found = child
        }
        return found
    }

    /// Finds a box by a JUMBF URI path of labels separated by `/`, relative to this box, e.g.
    /// `"c2pa.assertions/c2pa.hash.data"` from a manifest. An empty path is this box.
    ///
    /// A path starting with `/` is absolute: its first label must be this box's own label (call it on the
    /// manifest store with `"/c2pa/urn:c2pa:.../c2pa.assertions/..."`). Each step must be unambiguous
    /// (see ``child(labeled:)``); an empty step (`a//b`) resolves to `nil`. Strip any `self#jumbf=` prefix first.
    public func descendant(path: String) -> JUMBFBox? {
        if path.isEmpty { return self }
        var components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if path.hasPrefix("/") {
            components.removeFirst()
            guard let first = components.first, first == label else { return nil }
            components.removeFirst()
        }
        var current = self
        for component in components {
            guard !component.isEmpty, let next = current.child(labeled: component) else { return nil }
            current = next
        }
        return current
    }

    /// All superboxes below this one with type `type`, depth-first, in document order.
    public func descendants(ofType type: JUMBFType) -> [JUMBFBox] {
        var result: [JUMBFBox] = []
        for child in children {
            if child.jumbfType == type { result.append(child) }
            result.append(contentsOf: child.descendants(ofType: type))
        }
        return result
    }
}
