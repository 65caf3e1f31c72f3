import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fragment files of a fragmented presentation, from `--fragments` patterns (quoted so the shell leaves them
/// alone: `'seg-*.m4s'`), in play order: each pattern's matches sorted with numbers compared as numbers
/// (`seg-2` before `seg-10`), patterns in the order given; a pattern that matches nothing is a usage error.
enum FragmentFiles {
    static func expand(_ patterns: [String]) throws -> [String] {
        var files: [String] = []
        for pattern in patterns {
            var matches: [String] = []
            var g = glob_t()
            defer { globfree(&g) }
            let status = glob(pattern, 0, nil, &g)
            if status == 0 {
                for i in 0..<Int(g.gl_pathc) {
                    if let p = g.gl_pathv[i] { matches.append(String(cString: p)) }
                }
            }
            guard !matches.isEmpty else { throw CLIError(.usage, "--fragments \(pattern): no such file") }
            files += matches.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        }
        return files
    }
}
