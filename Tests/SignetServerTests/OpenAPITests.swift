import Foundation
import Testing

@testable import SignetServer

@Suite("The OpenAPI document")
struct OpenAPITests {
    static let document: String? = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Spec/openapi.yaml").path
        return try? String(contentsOfFile: path, encoding: .utf8)
    }()

    @Test("Its paths are exactly the service's routes, and its error codes exactly the service's")
    func pathsMatchRoutes() throws {
        let text = try #require(Self.document)
        let lines = text.components(separatedBy: "\n")
        let paths = lines.filter { $0.hasPrefix("  /") && $0.hasSuffix(":") }.map { String($0.dropFirst(2).dropLast()) }
        let routes = SignetService.routes.union(RegistryRoutes.documentedPaths)
        #expect(Set(paths) == routes)
        #expect(paths.count == routes.count)
        let codes = lines.compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("- "), line.hasPrefix("                - ") else { return nil }
            return String(t.dropFirst(2))
        }
        #expect(Set(codes) == Set(ServiceError.Code.allCases.map(\.rawValue)))
    }
}
