import ArgumentParser
import Foundation
import SignetMedia

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Write a copy of a file without its embedded C2PA manifest store.",
        discussion: """
            Every format Signet signs. The input is never modified; the output is written to a temporary file
            and renamed into place, and an existing output is replaced only with --force. Exit status 1 when
            the file carries no manifest store (nothing is written).
            """
    )

    @Argument(help: "The signed file.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the file without its manifest store.")
    var output: String

    @Flag(name: .long, help: "Replace the output if it exists.")
    var force = false

    func run() throws {
        if URL(fileURLWithPath: input).standardizedFileURL.path == URL(fileURLWithPath: output).standardizedFileURL.path {
            throw CLIError(.output, "output would overwrite the input file \(input); choose another --output")
        }
        let removed: Bool
        do throws(MediaError) {
            removed = try AssetContainer.removeStore(from: input, to: output, overwrite: force)
        } catch {
            switch error.code {
            case .outputExists: throw CLIError(.output, "\(error.reason) (use --force to replace it)")
            case .writeFailed: throw CLIError(.output, error.reason)
            case .notFound, .unreadable, .isDirectory: throw CLIError(.usage, error.reason)
            default: throw CLIError(.badInput, "\(input): \(error.reason)")
            }
        }
        guard removed else { throw CLIError(.verificationFailed, "\(input): no embedded manifest store") }
        print("removed the manifest store: \(input) -> \(output)")
    }
}
