import Foundation
import Signet

/// Renders a verification report as one self-contained HTML page: the investigator's view of a file's
/// edit history.
///
/// Input: the report in the shape of c2pa-rs's Reader JSON (what `signet inspect --json` prints):
///
///     report      = { "file"?: string, "active_manifest"?: label, "manifests": { label: manifest, ... },
///                     "validation_results"?: results, "validation_status"?: [status],
///                     "validation_state"?: "Trusted" | "Valid" | "Invalid" }
///     manifest    = { "title"?, "format"?, "instance_id"?, "thumbnail"?: thumbref,
///                     "claim_generator_info"?: [{ "name", "version"? }], "claim_generator"?: string,
///                     "ingredients"?: [ingredient], "assertions"?: [{ "label", "data" }],
///                     "signature_info"?: { "alg", "issuer", "common_name", "cert_serial_number", "time"? },
///                     "label"?, "claim_version"? }
///     ingredient  = { "title"?, "format"?, "instance_id"?, "relationship"?: "parentOf" | "componentOf" | "inputTo",
///                     "active_manifest"?: label, "thumbnail"?: thumbref, "label"?: assertion label,
///                     "validation_results"?: results, "validation_status"?: [status] }
///     thumbref    = { "format": media type, "identifier": JUMBF URI }
///     results     = { "activeManifest"?: lists, "ingredientDeltas"?: [{ "ingredientAssertionURI", "validationDeltas": lists }] }
///     lists       = { "success"?: [status], "informational"?: [status], "failure"?: [status] }
///     status      = { "code", "url"?, "explanation"? }
///
/// The page has no external resources (inline CSS and script only, thumbnails as `data:` URIs, and a
/// Content-Security-Policy that forbids any network load). Every string taken from the report is
/// attacker-controlled and is HTML-escaped; Unicode direction overrides are shown visibly so they cannot
/// disguise text. The script only reads attributes the renderer wrote and draws the edges; without it the page
/// still lists every link in a table.
///
/// History: starting at the active manifest, ingredient links (`active_manifest` of each ingredient) are
/// followed depth-first with a visited set (cycles are drawn but not followed) to a depth of
/// ``maxHistoryDepth``. Every reachable manifest becomes one card with class `step` (class `step broken` where the
/// chain breaks) and `data-step="LABEL"`; ingredients without a manifest become "no provenance" cards (class
/// `ingredient-node`). Cards are laid out oldest first, each at its longest distance from the active manifest.
///
/// Verdict per step: validation entries are attributed to the manifest named in their `url`
/// (`self#jumbf=/c2pa/LABEL/...`), else to the manifest being validated. A step is broken when it has a failure
/// other than a trust-list failure (``trustOnlyFailureCodes``): an untrusted signer makes a step "Valid", as in
/// c2pa-rs's validation state, not broken.
public enum HTMLReport {
    /// The page's Content-Security-Policy (in its own meta element, and as a header where a server sends it):
    /// nothing is loaded from the network; images are data: URIs; the one script and style are inline.
    public static let contentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    /// How many ingredient links are followed from the active manifest before the history is cut short.
    public static let maxHistoryDepth = 100

    /// The thumbnails key under which a detector heatmap (PNG) is passed to ``render(report:thumbnails:)``.
    public static let heatmapKey = "signet:detection/heatmap"

    /// Failure codes that concern only whether the signer is on a trust list; they do not break the chain (nor do
    /// CAWG identity codes, `cawg.*`: an identity that cannot be confirmed says nothing of the content).
    public static let trustOnlyFailureCodes: Set<String> = ["signingCredential.untrusted", "timeStamp.untrusted"]

    /// Renders the page.
    /// - Parameters:
    ///   - report: the report (c2pa-rs Reader JSON shape).
    ///   - thumbnails: JUMBF URI (the `identifier` in the report) -> (media type, bytes), embedded as `data:` URIs.
    ///     Only raster image types are embedded (`image/jpeg`, `image/png`, `image/gif`, `image/webp`,
    ///     `image/avif`, `image/bmp`); others are shown as "no preview".
    public static func render(
        report: JSONValue,
        thumbnails: [String: (mediaType: String, data: [UInt8])] = [:]
    ) -> String {
        var renderer = Renderer(report: report, thumbnails: thumbnails)
        return renderer.render()
    }
}

// MARK: - Escaping and text helpers

extension HTMLReport {
    /// Longest string taken from the report that is shown in full.
    static let maxShownLength = 2000

    /// HTML-escapes text for element content and double- or single-quoted attribute values. Unicode direction
    /// controls are made visible (`[U+202E]`) so they cannot reorder what the investigator reads; other control
    /// characters except tab and newline become U+FFFD. Text longer than ``maxShownLength`` is cut with an ellipsis.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, maxShownLength) + 16)
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maxShownLength {
                out += "…"
                break
            }
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
                    || v == 0x061C
                {
                    out += "[U+" + String(v, radix: 16, uppercase: true) + "]"
                } else if v < 0x20 || (0x7F...0x9F).contains(v) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// "c2pa.color_adjustments" -> "Color adjustments"; "com.example.sharpen_more" -> "Sharpen more (com.example)".
    static func readableActionName(_ raw: String) -> String {
        var name = raw
        var namespace: String?
        if name.hasPrefix("c2pa.") {
            name = String(name.dropFirst(5))
        } else if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            namespace = String(name[..<dot])
            name = String(name[name.index(after: dot)...])
        }
        var words = ""
        var previousLower = false
        for ch in name {
            if ch == "_" || ch == "." || ch == "-" {
                words.append(" ")
                previousLower = false
            } else if ch.isUppercase && previousLower {
                words.append(" ")
                words.append(contentsOf: ch.lowercased())
                previousLower = false
            } else {
                words.append(ch)
                previousLower = ch.isLowercase
            }
        }
        words = words.trimmingCharacters(in: .whitespaces)
        if words.isEmpty { words = raw.isEmpty ? "Unnamed action" : raw }
        let readable = words.prefix(1).uppercased() + words.dropFirst()
        if let namespace, !namespace.isEmpty { return "\(readable) (\(namespace))" }
        return readable
    }

    /// Human description of an IPTC digital source type URL, and whether it declares generative AI content.
    static func describeSourceType(_ url: String) -> (text: String, code: String, isAI: Bool) {
        let code = url.split(separator: "/").last.map(String.init) ?? url
        let known: [String: (String, Bool)] = [
            "digitalCapture": ("Captured by a camera or scanner", false),
            "trainedAlgorithmicMedia": ("Generated by AI (trained model)", true),
            "compositeWithTrainedAlgorithmicMedia": ("Composite that includes AI-generated content", true),
            "algorithmicMedia": ("Generated by an algorithm (no training data)", false),
            "algorithmicallyEnhanced": ("Algorithmically enhanced", false),
            "compositeSynthetic": ("Composite that includes synthetic content", true),
            "composite": ("Composite of several elements", false),
            "compositeCapture": ("Composite of captured elements", false),
            "digitalCreation": ("Made by a person with digital tools", false),
            "digitalArt": ("Made by a person with digital tools", false),
            "minorHumanEdits": ("Minor human edits", false),
            "humanEdits": ("Human edits", false),
            "screenCapture": ("Screen capture", false),
            "virtualRecording": ("Recording of a virtual event", false),
            "dataDrivenMedia": ("Data-driven media", false),
            "negativeFilm": ("Scan of a film negative", false),
            "positiveFilm": ("Scan of a film positive", false),
            "print": ("Scan of a print", false),
        ]
        if let (text, ai) = known[code] { return (text, code, ai) }
        return (code, code, false)
    }

    /// The manifest label in an absolute JUMBF URI: `self#jumbf=/c2pa/LABEL/...` -> `LABEL`.
    static func manifestLabel(inJUMBFURI uri: String) -> String? {
        guard let range = uri.range(of: "jumbf=") else { return nil }
        let path = uri[range.upperBound...]
        let prefix = "/c2pa/"
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        let label = rest.prefix { $0 != "/" }
        return label.isEmpty ? nil : String(label)
    }

    /// The assertion label at the end of a JUMBF URI: `.../c2pa.assertions/c2pa.ingredient__1` -> `c2pa.ingredient__1`.
    static func assertionLabel(inJUMBFURI uri: String) -> String? {
        guard let range = uri.range(of: "c2pa.assertions/", options: .backwards) else { return nil }
        let label = uri[range.upperBound...].prefix { $0 != "/" }
        return label.isEmpty ? nil : String(label)
    }

    static func relationshipText(_ rel: String) -> String {
        switch rel {
        case "parentOf": return "parent of"
        case "componentOf": return "component of"
        case "inputTo": return "input to"
        case "": return "ingredient of"
        default: return rel
        }
    }

    static let embeddableImageTypes: Set<String> = [
        "image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp", "image/avif", "image/bmp",
    ]
}

// MARK: - Model

private enum StatusKind: Int, Sendable {
    case success, informational, failure
}

private struct Status: Hashable, Sendable {
    var kind: StatusKind
    var code: String
    var url: String
    var explanation: String

    var breaksChain: Bool { kind == .failure && !HTMLReport.trustOnlyFailureCodes.contains(code) && !code.hasPrefix("cawg.") }
}

private enum NodeKind: Sendable {
    /// A manifest in the store.
    case step(label: String)
    /// An ingredient without a manifest.
    case noProvenance
    /// An ingredient that names a manifest the store does not hold.
    case missingManifest(label: String)
    /// An ingredient whose manifest lies beyond the depth limit.
    case truncated(label: String)
}

private struct Node {
    var id: String
    var kind: NodeKind
    /// The manifest for steps; the ingredient for other nodes.
    var json: JSONValue
    /// The manifest holding the ingredient (non-step nodes).
    var consumerLabel: String?
    var level = 0
    var statuses: [Status] = []
    var number = 0
}

private struct Edge {
    var from: String  // ingredient node id
    var to: String  // consumer node id
    var relationship: String
    var broken: Bool
    var cycle: Bool
    var ingredientTitle: String
}

private enum Verdict: String {
    case trusted, valid, invalid, unknown

    var title: String {
        switch self {
        case .trusted: return "Trusted"
        case .valid: return "Valid"
        case .invalid: return "Invalid"
        case .unknown: return "Unknown"
        }
    }
}

// MARK: - Renderer

private struct Renderer {
    let report: JSONValue
    let thumbnails: [String: (mediaType: String, data: [UInt8])]
    var manifests: [String: JSONValue] = [:]
    var manifestOrder: [String] = []
    var nodes: [Node] = []
    var nodeIndexByLabel: [String: Int] = [:]
    var edges: [Edge] = []
    var activeLabel: String?

    init(report: JSONValue, thumbnails: [String: (mediaType: String, data: [UInt8])]) {
        self.report = report
        self.thumbnails = thumbnails
        for (label, manifest) in report["manifests"]?.objectValue ?? [] where manifests[label] == nil {
            manifests[label] = manifest
            manifestOrder.append(label)
        }
        if let active = report["active_manifest"]?.stringValue, manifests[active] != nil { activeLabel = active }
    }

    mutating func render() -> String {
        buildGraph()
        assignLevels()
        attributeStatuses()
        markBrokenEdges()
        numberSteps()
        return page()
    }

    // MARK: Graph

    mutating func addNode(_ kind: NodeKind, json: JSONValue, consumer: String?) -> Int {
        let index = nodes.count
        nodes.append(Node(id: "n\(index)", kind: kind, json: json, consumerLabel: consumer))
        if case .step(let label) = kind { nodeIndexByLabel[label] = index }
        return index
    }

    /// Depth-first walk from the active manifest with an explicit stack (no recursion on input data).
    mutating func buildGraph() {
        guard let active = activeLabel, let activeManifest = manifests[active] else { return }
        _ = addNode(.step(label: active), json: activeManifest, consumer: nil)
        var onPath: Set<String> = [active]
        // Each frame: manifest label, its node index, depth, next ingredient index.
        var stack: [(label: String, node: Int, depth: Int, next: Int)] = [(active, 0, 0, 0)]
        while let top = stack.last {
            let ingredients = manifests[top.label]?["ingredients"]?.arrayValue ?? []
            guard top.next < ingredients.count else {
                onPath.remove(top.label)
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let ingredient = ingredients[top.next]
            let rel = ingredient["relationship"]?.stringValue ?? ""
            let title = ingredient["title"]?.stringValue ?? "untitled ingredient"
            guard let target = ingredient["active_manifest"]?.stringValue, !target.isEmpty else {
                let n = addNode(.noProvenance, json: ingredient, consumer: top.label)
                edges.append(Edge(from: nodes[n].id, to: nodes[top.node].id, relationship: rel, broken: false, cycle: false, ingredientTitle: title))
                continue
            }
            guard let targetManifest = manifests[target] else {
                let n = addNode(.missingManifest(label: target), json: ingredient, consumer: top.label)
                edges.append(Edge(from: nodes[n].id, to: nodes[top.node].id, relationship: rel, broken: true, cycle: false, ingredientTitle: title))
                continue
            }
            if let existing = nodeIndexByLabel[target] {
                // Already shown: a shared ingredient, or a cycle when it is on the current path.
                edges.append(Edge(from: nodes[existing].id, to: nodes[top.node].id, relationship: rel, broken: false, cycle: onPath.contains(target), ingredientTitle: title))
                continue
            }
            if top.depth + 1 > HTMLReport.maxHistoryDepth {
                let n = addNode(.truncated(label: target), json: ingredient, consumer: top.label)
                edges.append(Edge(from: nodes[n].id, to: nodes[top.node].id, relationship: rel, broken: false, cycle: false, ingredientTitle: title))
                continue
            }
            let n = addNode(.step(label: target), json: targetManifest, consumer: nil)
            edges.append(Edge(from: nodes[n].id, to: nodes[top.node].id, relationship: rel, broken: false, cycle: false, ingredientTitle: title))
            onPath.insert(target)
            stack.append((target, n, top.depth + 1, 0))
        }
    }

    /// Level = longest distance from the active manifest along non-cycle edges (a DAG), so every ingredient sits
    /// above everything that uses it.
    mutating func assignLevels() {
        guard !nodes.isEmpty else { return }
        let index = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.id, $0) })
        var ingredientsOf = [[Int]](repeating: [], count: nodes.count)
        var incomingCount = [Int](repeating: 0, count: nodes.count)
        for edge in edges where !edge.cycle {
            guard let from = index[edge.from], let to = index[edge.to] else { continue }
            ingredientsOf[to].append(from)
            incomingCount[from] += 1
        }
        // Kahn's algorithm from the consumers down; every node has a path from the active manifest.
        var queue = (0..<nodes.count).filter { incomingCount[$0] == 0 }
        var head = 0
        while head < queue.count {
            let n = queue[head]
            head += 1
            for ing in ingredientsOf[n] {
                nodes[ing].level = max(nodes[ing].level, nodes[n].level + 1)
                incomingCount[ing] -= 1
                if incomingCount[ing] == 0 { queue.append(ing) }
            }
        }
    }

    // MARK: Validation

    static func statuses(_ lists: JSONValue?) -> [Status] {
        guard let lists else { return [] }
        var out: [Status] = []
        for (key, kind) in [("success", StatusKind.success), ("informational", .informational), ("failure", .failure)] {
            for entry in lists[key]?.arrayValue ?? [] {
                out.append(status(entry, kind: kind))
            }
        }
        return out
    }

    static func status(_ entry: JSONValue, kind: StatusKind) -> Status {
        Status(
            kind: kind,
            code: entry["code"]?.stringValue ?? "unknown",
            url: entry["url"]?.stringValue ?? "",
            explanation: entry["explanation"]?.stringValue ?? ""
        )
    }

    /// The validation results that an ingredient recorded when it was used (claim v2+: `validation_results`;
    /// earlier: `validation_status`, a list of failures).
    static func recordedStatuses(_ ingredient: JSONValue) -> [Status] {
        if let results = ingredient["validation_results"] {
            var all = statuses(results["activeManifest"])
            for delta in results["ingredientDeltas"]?.arrayValue ?? [] { all += statuses(delta["validationDeltas"]) }
            return all
        }
        return (ingredient["validation_status"]?.arrayValue ?? []).map { status($0, kind: .failure) }
    }

    func ingredient(at assertionURI: String) -> (consumer: String, ingredient: JSONValue)? {
        guard let consumer = HTMLReport.manifestLabel(inJUMBFURI: assertionURI),
            let assertion = HTMLReport.assertionLabel(inJUMBFURI: assertionURI),
            let list = manifests[consumer]?["ingredients"]?.arrayValue
        else { return nil }
        guard let found = list.first(where: { $0["label"]?.stringValue == assertion }) else { return nil }
        return (consumer, found)
    }

    mutating func attribute(_ status: Status, fallback: Int?) {
        var target = fallback
        if let label = HTMLReport.manifestLabel(inJUMBFURI: status.url), let n = nodeIndexByLabel[label] { target = n }
        guard let target else { return }
        if !nodes[target].statuses.contains(status) { nodes[target].statuses.append(status) }
    }

    mutating func attributeStatuses() {
        let activeNode = activeLabel.flatMap { nodeIndexByLabel[$0] }
        let results = report["validation_results"]
        if let results {
            for s in Self.statuses(results["activeManifest"]) { attribute(s, fallback: activeNode) }
            for delta in results["ingredientDeltas"]?.arrayValue ?? [] {
                var fallback = activeNode
                if let uri = delta["ingredientAssertionURI"]?.stringValue, let (consumer, ing) = ingredient(at: uri) {
                    fallback = nodeIndexByLabel[consumer] ?? fallback
                    if let target = ing["active_manifest"]?.stringValue, let n = nodeIndexByLabel[target] { fallback = n }
                }
                for s in Self.statuses(delta["validationDeltas"]) { attribute(s, fallback: fallback) }
            }
        } else {
            for entry in report["validation_status"]?.arrayValue ?? [] {
                attribute(Self.status(entry, kind: .failure), fallback: activeNode)
            }
        }
        // What each ingredient recorded when it was used: goes to its manifest's step, else to its own node.
        for i in nodes.indices {
            switch nodes[i].kind {
            case .step(let label):
                for ing in manifests[label]?["ingredients"]?.arrayValue ?? [] {
                    guard let target = ing["active_manifest"]?.stringValue, let n = nodeIndexByLabel[target] else { continue }
                    for s in Self.recordedStatuses(ing) where s.kind == .failure { attribute(s, fallback: n) }
                }
            case .noProvenance, .missingManifest, .truncated:
                for s in Self.recordedStatuses(nodes[i].json) where s.kind == .failure {
                    if !nodes[i].statuses.contains(s) { nodes[i].statuses.append(s) }
                }
            }
        }
    }

    mutating func markBrokenEdges() {
        let index = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.id, $0) })
        for e in edges.indices {
            guard let from = index[edges[e].from] else { continue }
            if nodes[from].statuses.contains(where: \.breaksChain) { edges[e].broken = true }
        }
    }

    func verdict(_ node: Node) -> Verdict {
        if node.statuses.contains(where: \.breaksChain) { return .invalid }
        if case .missingManifest = node.kind { return .invalid }
        if node.statuses.contains(where: { $0.kind == .failure }) { return .valid }
        if node.statuses.contains(where: { $0.code == "signingCredential.trusted" && $0.kind == .success }) {
            return .trusted
        }
        return node.statuses.isEmpty ? .unknown : .valid
    }

    func isBroken(_ node: Node) -> Bool { verdict(node) == .invalid }

    /// Display order: oldest row first, then discovery order within a row.
    var orderedRows: [[Int]] {
        let maxLevel = nodes.map(\.level).max() ?? 0
        var rows = [[Int]](repeating: [], count: maxLevel + 1)
        for (i, n) in nodes.enumerated() { rows[maxLevel - n.level].append(i) }
        return rows.filter { !$0.isEmpty }
    }

    mutating func numberSteps() {
        var k = 0
        for row in orderedRows {
            for i in row {
                if case .step = nodes[i].kind {
                    k += 1
                    nodes[i].number = k
                }
            }
        }
    }

    var stepCount: Int { nodes.filter { if case .step = $0.kind { return true } else { return false } }.count }

    // MARK: Page

    func overallVerdict() -> Verdict {
        if let state = report["validation_state"]?.stringValue {
            switch state.lowercased() {
            case "trusted": return .trusted
            case "valid": return .valid
            case "invalid": return .invalid
            default: return .unknown
            }
        }
        if nodes.isEmpty { return .unknown }
        if nodes.contains(where: isBroken) { return .invalid }
        if let first = nodes.first, verdict(first) == .trusted { return .trusted }
        return .valid
    }

    func title(of node: Node) -> String {
        if let t = node.json["title"]?.stringValue, !t.isEmpty { return t }
        if case .step(let label) = node.kind { return label }
        return "untitled ingredient"
    }

    func page() -> String {
        let esc = HTMLReport.escape
        let file = report["file"]?.stringValue
        let fileName = file.map { path -> String in
            let last = path.split(separator: "/").last.map(String.init) ?? path
            return last.isEmpty ? path : last
        }
        let overall = overallVerdict()
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(HTMLReport.contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>Content Credentials: \(esc(fileName ?? "report"))</title>
            <style>\(Self.css)</style>
            </head>
            <body>

            """
        html += header(fileName: fileName, path: file, overall: overall)
        html += graphSection()
        html += linksSection()
        html += otherManifestsSection()
        html += detectionSection()
        html += """
            <footer>Rendered by Signet from the verification report. This page is self-contained: it loads nothing from the network. All text shown comes from the file and is untrusted.</footer>
            <script>\(Self.script)</script>
            </body>
            </html>

            """
        return html
    }

    func header(fileName: String?, path: String?, overall: Verdict) -> String {
        let esc = HTMLReport.escape
        let broken = orderedRows.joined().filter { isBroken(nodes[$0]) }
        let noProvenance = nodes.filter { if case .noProvenance = $0.kind { return true } else { return false } }.count
        let explanation: String
        switch overall {
        case .trusted: explanation = "Every checked signature is intact and the signer is on the trust list."
        case .valid:
            explanation = nodes.contains(where: { $0.statuses.contains { $0.kind == .failure } })
                ? "The manifests are intact and their signatures check out, but a signer is not on the trust list."
                : "The manifests are intact and their signatures check out."
        case .invalid:
            explanation = broken.isEmpty
                ? "Validation failed."
                : "The provenance chain is broken: the highlighted step failed validation."
        case .unknown:
            explanation = manifests.isEmpty ? "The file carries no Content Credentials." : "The report does not state a verdict."
        }
        let stated = report["validation_state"]?.stringValue
        var h = "<header class=\"summary v-\(overall.rawValue)\">\n"
        h += "<div class=\"verdict-badge\" data-verdict=\"\(overall.rawValue)\">\(esc(stated ?? overall.title))</div>\n"
        h += "<div class=\"summary-body\">\n"
        h += "<div class=\"eyebrow\">Content Credentials history</div>\n"
        h += "<h1>\(esc(fileName ?? "Content Credentials report"))</h1>\n"
        if let path, path != fileName { h += "<div class=\"path\">\(esc(path))</div>\n" }
        h += "<p class=\"explain\">\(esc(explanation))</p>\n"
        var facts: [String] = []
        let steps = stepCount
        facts.append("\(steps) signed step\(steps == 1 ? "" : "s")")
        if noProvenance > 0 { facts.append("\(noProvenance) ingredient\(noProvenance == 1 ? "" : "s") without provenance") }
        if let first = broken.first {
            let at = nodes[first].number > 0 ? "step \(nodes[first].number): " : "ingredient "
            facts.append("<strong class=\"breaks\">chain breaks at \(at)\(esc(title(of: nodes[first])))</strong>")
        }
        h += "<p class=\"facts-line\">\(facts.joined(separator: " · "))</p>\n"
        // Every failure, grouped by step, breaking ones first.
        var failures: [(Node, Status)] = []
        for i in orderedRows.joined() {
            for s in nodes[i].statuses where s.kind == .failure { failures.append((nodes[i], s)) }
        }
        failures.sort { ($0.1.breaksChain ? 0 : 1) < ($1.1.breaksChain ? 0 : 1) }
        if !failures.isEmpty {
            h += "<ul class=\"failures\">\n"
            for (node, s) in failures {
                let whereText = node.number > 0 ? "step \(node.number) · \(esc(title(of: node)))" : esc(title(of: node))
                h += "<li class=\"\(s.breaksChain ? "fail" : "warn")\"><code>\(esc(s.code))</code> <span class=\"expl\">\(esc(s.explanation))</span> <span class=\"where\">\(whereText)</span></li>\n"
            }
            h += "</ul>\n"
        }
        h += "</div>\n</header>\n"
        return h
    }

    func graphSection() -> String {
        guard !nodes.isEmpty else {
            return "<main class=\"empty\"><p>No active manifest: there is no history to show.</p></main>\n"
        }
        var h = """
            <section class="legend" aria-label="Legend">
            <span class="lg"><i class="sw parent"></i>parent of</span>
            <span class="lg"><i class="sw component"></i>component of</span>
            <span class="lg"><i class="sw input"></i>input to</span>
            <span class="lg"><i class="sw broken"></i>broken link</span>
            <span class="lg note">Oldest at the top; the file you opened at the bottom.</span>
            </section>
            <main id="graph" class="graph">
            <svg id="edges" class="edges" aria-hidden="true"></svg>

            """
        let rows = orderedRows
        for (r, row) in rows.enumerated() {
            let label: String
            if r == rows.count - 1 {
                label = "This file"
            } else if r == 0 {
                label = "Oldest"
            } else {
                label = "Earlier"
            }
            h += "<div class=\"row\"><div class=\"row-label\">\(label)</div><div class=\"row-nodes\">\n"
            for i in row { h += card(nodes[i]) }
            h += "</div></div>\n"
        }
        h += "</main>\n"
        return h
    }

    func card(_ node: Node) -> String {
        let esc = HTMLReport.escape
        switch node.kind {
        case .step(let label):
            return stepCard(node, label: label)
        case .noProvenance, .missingManifest, .truncated:
            let broken = isBroken(node)
            var cls = "ingredient-node"
            let note: String
            switch node.kind {
            case .missingManifest(let l):
                cls += " missing"
                note = "Names manifest <code>\(esc(l))</code>, which is not in the file: its history cannot be checked."
            case .truncated(let l):
                cls += " truncated"
                note = "History continues in manifest <code>\(esc(l))</code> (not shown: more than \(HTMLReport.maxHistoryDepth) steps)."
            default:
                cls += " noprov"
                note = "No provenance: this ingredient carries no Content Credentials, so its origin is unknown."
            }
            if broken { cls += " broken" }
            var h = "<article class=\"\(cls)\" id=\"\(node.id)\">\n"
            if broken { h += "<div class=\"break-banner\">Chain breaks here</div>\n" }
            h += "<div class=\"card-head\">\(thumbnail(node.json["thumbnail"], manifestLabel: node.consumerLabel))<div class=\"head-text\">"
            h += "<div class=\"kicker\">Ingredient</div><h3 class=\"title\">\(esc(title(of: node)))</h3>"
            if let f = node.json["format"]?.stringValue { h += "<div class=\"fmt\">\(esc(f))</div>" }
            h += "</div></div>\n<p class=\"note\">\(note)</p>\n"
            h += problems(node)
            h += "</article>\n"
            return h
        }
    }

    func stepCard(_ node: Node, label: String) -> String {
        let esc = HTMLReport.escape
        let m = node.json
        let verdict = verdict(node)
        let broken = verdict == .invalid
        let isActive = label == activeLabel
        var h = "<article class=\"step\(broken ? " broken" : "")\(isActive ? " active" : "")\" id=\"\(node.id)\" data-step=\"\(esc(label))\" data-verdict=\"\(verdict.rawValue)\">\n"
        if broken { h += "<div class=\"break-banner\">Chain breaks here</div>\n" }
        h += "<div class=\"card-head\">\(thumbnail(m["thumbnail"], manifestLabel: label))<div class=\"head-text\">"
        h += "<div class=\"kicker\">Step \(node.number) of \(stepCount)\(isActive ? " · this file" : "")</div>"
        h += "<h3 class=\"title\">\(esc(title(of: node)))</h3>"
        if let f = m["format"]?.stringValue { h += "<div class=\"fmt\">\(esc(f))</div>" }
        h += "<span class=\"verdict v-\(verdict.rawValue)\">\(verdict == .unknown ? "Not reported" : verdict.title)</span>"
        if verdict == .valid, node.statuses.contains(where: { $0.kind == .failure }) {
            h += " <span class=\"subtle\">signer not trusted</span>"
        }
        h += "</div></div>\n<dl class=\"facts\">\n"
        let sig = m["signature_info"]
        if let sig {
            let cn = sig["common_name"]?.stringValue
            let issuer = sig["issuer"]?.stringValue
            var signer = esc(cn ?? "unnamed signer")
            if let issuer { signer += " <span class=\"muted\">issued by \(esc(issuer))</span>" }
            h += "<dt>Signed by</dt><dd>\(signer)</dd>\n"
            if let t = sig["time"]?.stringValue {
                h += "<dt>Signed at</dt><dd><time>\(esc(t))</time> <span class=\"muted\">timestamped</span></dd>\n"
            } else {
                h += "<dt>Signed at</dt><dd class=\"muted\">no trusted timestamp</dd>\n"
            }
            var alg: [String] = []
            if let a = sig["alg"]?.stringValue { alg.append(esc(a)) }
            if let serial = sig["cert_serial_number"]?.stringValue { alg.append("serial " + esc(serial)) }
            if !alg.isEmpty { h += "<dt>Certificate</dt><dd class=\"mono small\">\(alg.joined(separator: " · "))</dd>\n" }
        } else {
            h += "<dt>Signed by</dt><dd class=\"muted\">no signature information</dd>\n"
        }
        if let tool = claimGenerator(m) { h += "<dt>Made with</dt><dd>\(esc(tool))</dd>\n" }
        if let authors = authors(m) { h += "<dt>Author</dt><dd>\(esc(authors))</dd>\n" }
        for identity in identities(m) { h += "<dt>Identity</dt><dd>\(esc(identity))</dd>\n" }
        h += "</dl>\n"
        h += actions(m)
        let others = otherAssertions(m)
        if !others.isEmpty {
            h += "<div class=\"chips\">" + others.map { "<span class=\"chip\">\(esc($0))</span>" }.joined(separator: " ") + "</div>\n"
        }
        h += problems(node)
        h += "<div class=\"label mono small\" title=\"manifest label\">\(esc(label))</div>\n"
        h += "</article>\n"
        return h
    }

    func problems(_ node: Node) -> String {
        let esc = HTMLReport.escape
        var h = ""
        let failures = node.statuses.filter(\.breaksChain)
        if !failures.isEmpty {
            h += "<div class=\"problems\"><div class=\"problems-title\">Failures</div><ul>\n"
            for s in failures { h += "<li class=\"fail\"><code>\(esc(s.code))</code> \(esc(s.explanation))</li>\n" }
            h += "</ul></div>\n"
        }
        let trust = node.statuses.filter { $0.kind == .failure && !$0.breaksChain }
        if !trust.isEmpty {
            h += "<div class=\"problems trust\"><div class=\"problems-title\">Trust warnings</div><ul>\n"
            for s in trust { h += "<li class=\"warn\"><code>\(esc(s.code))</code> \(esc(s.explanation))</li>\n" }
            h += "</ul></div>\n"
        }
        let rest = node.statuses.filter { $0.kind != .failure }
        if !rest.isEmpty {
            let ok = rest.filter { $0.kind == .success }.count
            let info = rest.count - ok
            h += "<details class=\"checks\"><summary>\(ok) check\(ok == 1 ? "" : "s") passed"
            if info > 0 { h += ", \(info) note\(info == 1 ? "" : "s")" }
            h += "</summary><ul>\n"
            for s in rest {
                h += "<li class=\"\(s.kind == .success ? "ok" : "info")\"><code>\(esc(s.code))</code> \(esc(s.explanation))</li>\n"
            }
            h += "</ul></details>\n"
        }
        return h
    }

    func claimGenerator(_ m: JSONValue) -> String? {
        let infos = m["claim_generator_info"]?.arrayValue ?? []
        let parts: [String] = infos.compactMap { info in
            guard let name = info["name"]?.stringValue else { return nil }
            if let v = info["version"]?.stringValue { return "\(name) \(v)" }
            return name
        }
        if !parts.isEmpty { return parts.joined(separator: ", ") }
        return m["claim_generator"]?.stringValue
    }

    /// CAWG identity assertions whose signature verified: "name (organisation), as cawg.creator".
    func identities(_ m: JSONValue) -> [String] {
        (m["assertions"]?.arrayValue ?? []).compactMap { a -> String? in
            guard let label = a["label"]?.stringValue, label.hasPrefix("cawg.identity"),
                let info = a["data"]?["signature_info"] else { return nil }
            var who = info["common_name"]?.stringValue ?? "unnamed identity"
            if let o = info["issuer"]?.stringValue { who += " (\(o))" }
            let roles = (a["data"]?["signer_payload"]?["role"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !roles.isEmpty { who += ", as " + roles.joined(separator: ", ") }
            return who
        }
    }

    func authors(_ m: JSONValue) -> String? {
        var names: [String] = []
        for a in m["assertions"]?.arrayValue ?? [] {
            guard let label = a["label"]?.stringValue, label.hasPrefix("stds.schema-org.CreativeWork") else { continue }
            for author in a["data"]?["author"]?.arrayValue ?? [] {
                if let n = author["name"]?.stringValue { names.append(n) }
            }
        }
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }

    func otherAssertions(_ m: JSONValue) -> [String] {
        var out: [String] = []
        for a in m["assertions"]?.arrayValue ?? [] {
            guard let label = a["label"]?.stringValue else { continue }
            if label.hasPrefix("c2pa.actions") || label.hasPrefix("c2pa.thumbnail") || label.hasPrefix("c2pa.hash")
                || label.hasPrefix("c2pa.ingredient") || label.hasPrefix("stds.schema-org.CreativeWork")
            {
                continue
            }
            out.append(label)
        }
        return out
    }

    func actions(_ m: JSONValue) -> String {
        let esc = HTMLReport.escape
        var list: [JSONValue] = []
        for a in m["assertions"]?.arrayValue ?? [] {
            guard let label = a["label"]?.stringValue, label.hasPrefix("c2pa.actions") else { continue }
            list += a["data"]?["actions"]?.arrayValue ?? []
        }
        guard !list.isEmpty else { return "<p class=\"muted small\">No actions recorded.</p>\n" }
        let limit = 50
        var h = "<ol class=\"actions\">\n"
        for action in list.prefix(limit) {
            let raw = action["action"]?.stringValue ?? ""
            h += "<li><span class=\"action-name\" title=\"\(esc(raw))\">\(esc(HTMLReport.readableActionName(raw)))</span>"
            if let when = action["when"]?.stringValue { h += " <time class=\"when\">\(esc(when))</time>" }
            if let agent = softwareAgent(action["softwareAgent"]) { h += "<div class=\"sub\">with \(esc(agent))</div>" }
            if let dst = action["digitalSourceType"]?.stringValue {
                let d = HTMLReport.describeSourceType(dst)
                h += "<div class=\"sub dst\(d.isAI ? " ai" : "")\" title=\"\(esc(dst))\">"
                if d.isAI { h += "<span class=\"ai-badge\">AI</span> " }
                h += "\(esc(d.text)) <span class=\"muted mono\">\(esc(d.code))</span></div>"
            }
            for key in ["description", "reason"] {
                if let text = action[key]?.stringValue { h += "<div class=\"sub\">\(esc(text))</div>" }
            }
            let params = parameters(action["parameters"], manifest: m)
            if !params.isEmpty { h += "<div class=\"sub params\">\(params)</div>" }
            h += "</li>\n"
        }
        if list.count > limit { h += "<li class=\"muted\">… \(list.count - limit) more actions</li>\n" }
        h += "</ol>\n"
        return h
    }

    func softwareAgent(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let s = value.stringValue { return s }
        guard let name = value["name"]?.stringValue else { return nil }
        if let v = value["version"]?.stringValue { return "\(name) \(v)" }
        return name
    }

    /// Parameters as "key: value", with ingredient references replaced by the ingredients' titles.
    func parameters(_ value: JSONValue?, manifest: JSONValue) -> String {
        let esc = HTMLReport.escape
        guard let members = value?.objectValue else { return "" }
        var parts: [String] = []
        for (key, v) in members.prefix(12) {
            if key == "ingredient" || key == "ingredients" {
                let refs = v.arrayValue ?? [v]
                let titles = refs.compactMap { ref -> String? in
                    guard let url = ref["url"]?.stringValue, let label = HTMLReport.assertionLabel(inJUMBFURI: url) ?? url.split(separator: "/").last.map(String.init)
                    else { return nil }
                    let ing = manifest["ingredients"]?.arrayValue?.first { $0["label"]?.stringValue == label }
                    return ing?["title"]?.stringValue ?? label
                }
                if !titles.isEmpty { parts.append("uses: " + titles.map(esc).joined(separator: ", ")) }
                continue
            }
            if key == "description" { continue }
            let shown: String
            switch v {
            case .string(let s): shown = s
            case .int(let i): shown = String(i)
            case .double(let d): shown = String(d)
            case .bool(let b): shown = b ? "true" : "false"
            default:
                let text = v.serialized()
                shown = text.count > 160 ? String(text.prefix(160)) + "…" : text
            }
            parts.append("\(esc(key)): \(esc(shown))")
        }
        if let d = value?["description"]?.stringValue { parts.insert(esc(d), at: 0) }
        return parts.joined(separator: " · ")
    }

    func thumbnail(_ ref: JSONValue?, manifestLabel: String?) -> String {
        let esc = HTMLReport.escape
        guard let ref, let identifier = ref["identifier"]?.stringValue else {
            return "<div class=\"thumb none\">no thumbnail</div>"
        }
        var candidates = [identifier]
        if let manifestLabel, let r = identifier.range(of: "jumbf="), !identifier[r.upperBound...].hasPrefix("/") {
            candidates.append("self#jumbf=/c2pa/\(manifestLabel)/" + identifier[r.upperBound...])
        }
        for key in candidates {
            guard let entry = thumbnails[key] else { continue }
            let type = entry.mediaType.lowercased()
            guard HTMLReport.embeddableImageTypes.contains(type), !entry.data.isEmpty else {
                return "<div class=\"thumb none\">no preview (\(esc(type)))</div>"
            }
            let b64 = Data(entry.data).base64EncodedString()
            return "<img class=\"thumb\" alt=\"thumbnail\" src=\"data:\(type);base64,\(b64)\">"
        }
        let format = ref["format"]?.stringValue.map { " (\(esc($0)))" } ?? ""
        return "<div class=\"thumb none\">thumbnail not embedded\(format)</div>"
    }

    func linksSection() -> String {
        guard !edges.isEmpty else { return "" }
        let esc = HTMLReport.escape
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        var h = "<section class=\"links\"><h2>Links between steps</h2>\n<table>\n<thead><tr><th>Ingredient</th><th>Relationship</th><th>Used by</th><th>Status</th></tr></thead><tbody>\n"
        for e in edges {
            guard let from = byID[e.from], let to = byID[e.to] else { continue }
            var status = "ok"
            if e.cycle {
                status = "cycle: refers back to a later step"
            } else if e.broken {
                status = "broken"
            } else if case .noProvenance = from.kind {
                status = "no provenance"
            }
            func name(_ n: Node) -> String {
                n.number > 0 ? "step \(n.number) · \(esc(title(of: n)))" : esc(title(of: n))
            }
            h += "<tr class=\"link\(e.broken || e.cycle ? " bad" : "")\" data-from=\"\(e.from)\" data-to=\"\(e.to)\" data-rel=\"\(esc(e.relationship))\" data-broken=\"\(e.broken ? 1 : 0)\" data-cycle=\"\(e.cycle ? 1 : 0)\">"
            h += "<td>\(name(from))</td><td>\(esc(HTMLReport.relationshipText(e.relationship)))</td><td>\(name(to))</td><td>\(status)</td></tr>\n"
        }
        h += "</tbody></table></section>\n"
        return h
    }

    func otherManifestsSection() -> String {
        let unreachable = manifestOrder.filter { nodeIndexByLabel[$0] == nil }
        guard !unreachable.isEmpty else { return "" }
        let esc = HTMLReport.escape
        var h = "<section class=\"other\"><h2>Other manifests in the file</h2><p class=\"muted\">Present in the manifest store but not part of the active manifest's history.</p><ul>\n"
        for label in unreachable.prefix(200) {
            let t = manifests[label]?["title"]?.stringValue ?? ""
            h += "<li class=\"orphan\"><span>\(esc(t))</span> <code class=\"small\">\(esc(label))</code></li>\n"
        }
        h += "</ul></section>\n"
        return h
    }

    /// The fallback detector's second opinion, when the report carries one under `detection` (the shape of
    /// `signet detect --json`) and its heatmap under the thumbnail key ``HTMLReport/heatmapKey``.
    func detectionSection() -> String {
        guard let detection = report["detection"], detection.objectValue != nil else { return "" }
        let esc = HTMLReport.escape
        func number(_ value: JSONValue?) -> Double? {
            switch value {
            case .double(let d)?: return d
            case .int(let i)?: return Double(i)
            default: return nil
            }
        }
        var h = "<section class=\"detection\"><h2>Fallback detector</h2>\n"
        let provenance = detection["provenance"]?.stringValue ?? "none"
        if let score = number(detection["score"]), let band = detection["band"]?.stringValue {
            h += "<p class=\"det-head det-\(esc(band))\"><strong>\(esc(band.capitalized))</strong> evidence of manipulation or synthesis "
            h += "(score \(String(format: "%.2f", score)) of 1); provenance: \(esc(provenance)).</p>\n"
        } else {
            h += "<p class=\"det-head\">Not judged; provenance: \(esc(provenance)).</p>\n"
        }
        h += "<p class=\"muted\">A statistical second opinion on the pixels and metadata, not a verdict: see each signal's reason.</p>\n"
        for note in (detection["notes"]?.arrayValue ?? []).prefix(20) {
            if let text = note.stringValue { h += "<p class=\"subtle\">\(esc(text))</p>\n" }
        }
        if let entry = thumbnails[HTMLReport.heatmapKey], entry.mediaType == "image/png" {
            let b64 = Data(entry.data).base64EncodedString()
            h += "<figure class=\"heatmap\"><img alt=\"heatmap: red marks suspicious regions, blue hatching regions too flat or clipped to judge\" src=\"data:image/png;base64,\(b64)\"><figcaption class=\"subtle\">Red: where the local signals found evidence. Blue hatching: too flat or clipped to judge.</figcaption></figure>\n"
        }
        let signals = (detection["signals"]?.arrayValue ?? []).prefix(64)
        if !signals.isEmpty {
            h += "<table class=\"det-signals\"><thead><tr><th>Signal</th><th>Contribution</th><th>Reason</th></tr></thead><tbody>\n"
            for signal in signals {
                let name = signal["name"]?.stringValue ?? "?"
                let applicable: Bool
                if case .bool(let b)? = signal["applicable"] { applicable = b } else { applicable = false }
                let contribution = number(signal["contribution"]) ?? 0
                let shown = applicable ? String(format: "%+.2f", contribution) : "n/a"
                let cls = !applicable ? "na" : contribution > 0.3 ? "up" : contribution < -0.3 ? "down" : "flat"
                h += "<tr class=\"det-\(cls)\"><td><code>\(esc(name))</code></td><td>\(shown)</td><td>\(esc(signal["reason"]?.stringValue ?? ""))</td></tr>\n"
            }
            h += "</tbody></table>\n"
        }
        h += "</section>\n"
        return h
    }

    // MARK: Static assets

    static let css = """
        :root{--bg:#f4f5f7;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#d0d5dd;--ok:#127a3e;--okbg:#e3f6ea;--warn:#9a5b00;--warnbg:#fff3d6;--bad:#c0192c;--badbg:#fde7ea;--parent:#2f5fd0;--component:#7a3fc4;--input:#0b8a8a}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,sans-serif}
        code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
        .detection{margin:24px 32px;padding:16px 20px;background:var(--card);border:1px solid var(--line);border-radius:10px}
        .det-head{font-size:16px}.det-strong strong,.det-moderate strong{color:var(--bad)}.det-low strong{color:var(--ok)}
        .heatmap img{max-width:100%;max-height:480px;border:1px solid var(--line)}
        .det-signals{border-collapse:collapse;width:100%}.det-signals td,.det-signals th{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        .det-up td:nth-child(2){color:var(--bad);font-weight:600}.det-down td:nth-child(2){color:var(--ok)}.det-na{color:var(--muted)}
        .small{font-size:11px}.muted{color:var(--muted)}.subtle{color:var(--muted);font-size:12px}
        .summary{display:flex;gap:24px;align-items:flex-start;padding:24px 32px;background:var(--card);border-bottom:1px solid var(--line);border-left:10px solid var(--muted)}
        .summary.v-trusted{border-left-color:var(--ok)}.summary.v-valid{border-left-color:#d08a00}.summary.v-invalid{border-left-color:var(--bad)}
        .verdict-badge{flex:none;min-width:140px;text-align:center;padding:14px 18px;border-radius:10px;font-size:24px;font-weight:700;background:#eef0f3;color:var(--muted)}
        .v-trusted .verdict-badge{background:var(--okbg);color:var(--ok)}.v-valid .verdict-badge{background:var(--warnbg);color:var(--warn)}.v-invalid .verdict-badge{background:var(--badbg);color:var(--bad)}
        .summary-body{min-width:0;flex:1}
        .eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:11px;color:var(--muted)}
        h1{margin:2px 0 2px;font-size:24px;word-break:break-all}
        .path{color:var(--muted);font-size:12px;word-break:break-all}
        .explain{margin:8px 0 2px;font-size:15px}.facts-line{margin:0;color:var(--muted)}.breaks{color:var(--bad)}
        ul.failures{margin:10px 0 0;padding:0;list-style:none}
        ul.failures li{margin:4px 0;padding:6px 10px;border-radius:6px;background:var(--warnbg)}
        ul.failures li.fail{background:var(--badbg)}
        ul.failures code{font-weight:700}.failures .fail code{color:var(--bad)}.failures .warn code{color:var(--warn)}
        .where{color:var(--muted);font-size:12px;margin-left:6px}
        .legend{display:flex;flex-wrap:wrap;gap:18px;padding:12px 32px;color:var(--muted);font-size:12px}
        .sw{display:inline-block;width:28px;height:0;border-top:3px solid;vertical-align:middle;margin-right:6px}
        .sw.parent{border-color:var(--parent)}.sw.component{border-color:var(--component);border-top-style:dashed}.sw.input{border-color:var(--input);border-top-style:dotted}.sw.broken{border-color:var(--bad)}
        .graph{position:relative;padding:8px 24px 24px}
        svg.edges{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none;overflow:visible}
        .row{position:relative;margin:0 0 78px}.row:last-of-type{margin-bottom:8px}
        .row-label{position:absolute;left:0;top:-22px;font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
        .row-nodes{display:flex;flex-wrap:wrap;justify-content:center;align-items:flex-start;gap:28px 48px;padding-top:4px}
        article{position:relative;width:360px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px;box-shadow:0 1px 3px rgba(16,24,40,.08);z-index:1}
        article.step.active{border:2px solid var(--ink)}
        article.broken{border:3px solid var(--bad);box-shadow:0 0 0 4px var(--badbg),0 2px 8px rgba(192,25,44,.25)}
        .break-banner{margin:-14px -16px 12px;padding:6px 16px;background:var(--bad);color:#fff;font-weight:700;letter-spacing:.04em;text-transform:uppercase;font-size:12px;border-radius:8px 8px 0 0}
        .break-banner::before{content:"\\26A0  "}
        article.ingredient-node{width:260px;background:#fafafa;border-style:dashed}
        article.ingredient-node.broken{border-style:solid}
        .card-head{display:flex;gap:12px;align-items:flex-start}
        .thumb{flex:none;width:96px;height:72px;object-fit:cover;border-radius:6px;border:1px solid var(--line);background:#e9ecf0}
        .thumb.none{display:flex;align-items:center;justify-content:center;text-align:center;font-size:10px;color:var(--muted);padding:4px}
        .ingredient-node .thumb{width:72px;height:54px}
        .head-text{min-width:0}
        .kicker{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
        h3.title{margin:1px 0 2px;font-size:16px;word-break:break-word}
        .fmt{font-size:12px;color:var(--muted)}
        .verdict{display:inline-block;margin-top:4px;padding:2px 9px;border-radius:999px;font-weight:700;font-size:12px;background:#eef0f3;color:var(--muted)}
        .verdict.v-trusted{background:var(--okbg);color:var(--ok)}.verdict.v-valid{background:var(--warnbg);color:var(--warn)}.verdict.v-invalid{background:var(--badbg);color:var(--bad)}
        dl.facts{display:grid;grid-template-columns:88px 1fr;gap:3px 10px;margin:12px 0 8px}
        dt{color:var(--muted);font-size:12px}dd{margin:0;word-break:break-word}
        ol.actions{margin:6px 0;padding:8px 8px 8px 26px;background:#f7f8fa;border-radius:8px}
        ol.actions li{margin:3px 0}
        .action-name{font-weight:700}.when{color:var(--muted);font-size:12px}
        .sub{font-size:12px;color:#344054;word-break:break-word}
        .dst.ai{color:#6b21a8}.ai-badge{display:inline-block;padding:0 6px;border-radius:4px;background:#6b21a8;color:#fff;font-weight:700;font-size:10px}
        .chips{margin:6px 0}.chip{display:inline-block;margin:2px 2px 0 0;padding:1px 7px;border-radius:999px;background:#eef0f3;font-size:11px;color:#475467}
        .problems{margin:8px 0;padding:8px 10px;border-radius:8px;background:var(--warnbg)}
        .problems.trust{background:var(--warnbg)}.problems:not(.trust){background:var(--badbg)}
        .problems-title{font-weight:700;font-size:12px;margin-bottom:2px}
        .problems ul,.checks ul{margin:0;padding-left:18px}
        .problems li{font-size:12px;margin:2px 0}.problems li.fail code{color:var(--bad);font-weight:700}.problems li.warn code{color:var(--warn)}
        details.checks{font-size:12px;color:var(--muted);margin:6px 0}details.checks summary{cursor:pointer}
        .checks li.ok code{color:var(--ok)}
        .note{font-size:12px;color:#475467;margin:8px 0 0}
        .label{margin-top:8px;color:var(--muted);word-break:break-all}
        path.edge{fill:none;stroke-width:2.5}
        path.edge.rel-parentOf{stroke:var(--parent)}path.edge.rel-componentOf{stroke:var(--component);stroke-dasharray:8 5}path.edge.rel-inputTo{stroke:var(--input);stroke-dasharray:2 4}path.edge.rel-other{stroke:var(--muted)}
        path.edge.broken{stroke:var(--bad);stroke-width:3.5}path.edge.cycle{stroke:var(--bad);stroke-dasharray:4 4}
        .edge-label rect{fill:#fff;stroke:var(--line)}.edge-label text{font-size:11px;fill:#344054}.edge-label.broken text{fill:var(--bad);font-weight:700}
        section.links,section.other{margin:8px 32px 24px;padding:14px 18px;background:var(--card);border:1px solid var(--line);border-radius:12px}
        h2{font-size:15px;margin:0 0 8px}
        table{border-collapse:collapse;width:100%;font-size:12px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaecf0;word-break:break-word}
        tr.bad td{color:var(--bad)}
        footer{margin:0 32px 32px;color:var(--muted);font-size:11px}
        main.empty{padding:40px 32px;color:var(--muted)}
        @media print{body{background:#fff}svg.edges{display:none}}
        """

    /// Draws the edges listed in the links table as SVG curves between cards. It reads only ids and attributes
    /// the renderer wrote and sets text with textContent.
    static let script = """
        (function(){
        "use strict";
        var NS="http://www.w3.org/2000/svg";
        function rel(r){return r==="parentOf"?"parent of":r==="componentOf"?"component of":r==="inputTo"?"input to":(r||"ingredient of");}
        function relClass(r){return (r==="parentOf"||r==="componentOf"||r==="inputTo")?"rel-"+r:"rel-other";}
        function draw(){
          var graph=document.getElementById("graph"),svg=document.getElementById("edges");
          if(!graph||!svg)return;
          while(svg.firstChild)svg.removeChild(svg.firstChild);
          var g=graph.getBoundingClientRect();
          svg.setAttribute("width",String(graph.scrollWidth));svg.setAttribute("height",String(graph.scrollHeight));
          var links=Array.prototype.slice.call(document.querySelectorAll("tr.link"));
          var outs={},ins={};
          links.forEach(function(l){var f=l.getAttribute("data-from"),t=l.getAttribute("data-to");(outs[f]=outs[f]||[]).push(l);(ins[t]=ins[t]||[]).push(l);});
          links.forEach(function(l){
            var f=l.getAttribute("data-from"),t=l.getAttribute("data-to");
            var a=document.getElementById(f),b=document.getElementById(t);
            if(!a||!b)return;
            var ra=a.getBoundingClientRect(),rb=b.getBoundingClientRect();
            var oi=outs[f].indexOf(l),on=outs[f].length,ii=ins[t].indexOf(l),inn=ins[t].length;
            var x1=ra.left-g.left+ra.width*(oi+1)/(on+1),y1=ra.bottom-g.top;
            var x2=rb.left-g.left+rb.width*(ii+1)/(inn+1),y2=rb.top-g.top;
            var cycle=l.getAttribute("data-cycle")==="1",broken=l.getAttribute("data-broken")==="1";
            var d;
            if(y2>y1+8){var dy=(y2-y1)/2;d="M"+x1+","+y1+" C"+x1+","+(y1+dy)+" "+x2+","+(y2-dy)+" "+x2+","+y2;}
            else{var sx=Math.max(ra.right,rb.right)-g.left+40;y1=ra.top-g.top+ra.height/2;y2=rb.top-g.top+rb.height/2;x1=ra.right-g.left;x2=rb.right-g.left;d="M"+x1+","+y1+" C"+sx+","+y1+" "+sx+","+y2+" "+x2+","+y2;}
            var p=document.createElementNS(NS,"path");
            p.setAttribute("d",d);
            p.setAttribute("class","edge "+relClass(l.getAttribute("data-rel"))+(broken?" broken":"")+(cycle?" cycle":""));
            p.setAttribute("marker-end",broken||cycle?"url(#arrow-bad)":"url(#arrow)");
            svg.appendChild(p);
            var text=(broken?"\\u26A0 ":"")+rel(l.getAttribute("data-rel"))+(cycle?" (cycle)":"");
            var mid=p.getPointAtLength(p.getTotalLength()/2);
            var lg=document.createElementNS(NS,"g");lg.setAttribute("class","edge-label"+(broken||cycle?" broken":""));
            var tx=document.createElementNS(NS,"text");tx.textContent=text;tx.setAttribute("x",String(mid.x));tx.setAttribute("y",String(mid.y+4));tx.setAttribute("text-anchor","middle");
            var rc=document.createElementNS(NS,"rect");
            lg.appendChild(rc);lg.appendChild(tx);svg.appendChild(lg);
            var bb=tx.getBBox();rc.setAttribute("x",String(bb.x-6));rc.setAttribute("y",String(bb.y-2));rc.setAttribute("width",String(bb.width+12));rc.setAttribute("height",String(bb.height+4));rc.setAttribute("rx","4");
          });
          var defs=document.createElementNS(NS,"defs");
          [["arrow","#667085"],["arrow-bad","#c0192c"]].forEach(function(m){
            var mk=document.createElementNS(NS,"marker");mk.setAttribute("id",m[0]);mk.setAttribute("viewBox","0 0 10 10");mk.setAttribute("refX","9");mk.setAttribute("refY","5");mk.setAttribute("markerUnits","userSpaceOnUse");mk.setAttribute("markerWidth","12");mk.setAttribute("markerHeight","12");mk.setAttribute("orient","auto-start-reverse");
            var ph=document.createElementNS(NS,"path");ph.setAttribute("d","M0,0 L10,5 L0,10 z");ph.setAttribute("fill",m[1]);mk.appendChild(ph);defs.appendChild(mk);
          });
          svg.insertBefore(defs,svg.firstChild);
          document.body.setAttribute("data-edges-drawn",String(links.length));
        }
        draw();
        window.addEventListener("resize",draw);
        })();
        """
}
