import ArgumentParser
import Foundation
import SignetRegistry

/// Exit statuses, documented in `signet --help` and the README.
enum ExitStatus: Int32 {
    case ok = 0
    /// verify/inspect: a file is Invalid, has no manifest, or uses something unsupported (or is not Trusted with --require-trusted).
    case verificationFailed = 1
    /// Usage errors, and files that cannot be opened or read.
    case usage = 2
    /// sign: the input is missing, unreadable, corrupt or in an unsupported format.
    case badInput = 3
    /// sign: key or certificate problems (missing, wrong passphrase, certificate does not match the key).
    case credentials = 4
    /// The output exists (without --force) or cannot be written.
    case output = 5
    /// The signer failed to sign.
    case signing = 6
    /// registry: no registry, publisher or key of that name, or a request its rules refuse.
    case registry = 7
    /// registry: storage failure, or an integrity failure (a log whose history was rewritten).
    case registryFailure = 8
    case listen = 9
}

/// An error the CLI reports as one line on stderr with a given exit status.
struct CLIError: Error, CustomStringConvertible {
    var description: String { message }
    var status: ExitStatus
    var message: String
    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}

@main
struct SignetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Sign and verify media with C2PA Content Credentials.",
        discussion: """
            Exit status:
              0  success (verify: every file Valid or Trusted; Trusted with --require-trusted)
              1  verify/inspect: a file is Invalid, has no manifest, or uses an unsupported algorithm
              2  usage error, or a file that cannot be opened or read
              3  sign/remove: input missing, unreadable, corrupt or in a format Signet does not write;
                 detect: a file corrupt, truncated, too large or unreadable as a picture
              4  sign: key or certificate problem (missing, wrong passphrase, mismatch)
              5  output exists (use --force) or cannot be written
              6  the signer failed
              7  registry: not initialized, no such publisher or key, or a refused request
              8  registry: storage or integrity failure (a log whose history was rewritten)
              9  serve: the address cannot be listened on (in use, or not permitted)
            """,
        version: "0.1.0",
        subcommands: [SignCommand.self, VerifyCommand.self, InspectCommand.self, DetectCommand.self, ServeCommand.self, RemoveCommand.self, DemoCommand.self, KeysCommand.self, RegistryCommand.self]
    )

    static func main() async {
        // Benchmarks ask for the process's peak resident memory (VmHWM, which starts afresh at exec).
        if ProcessInfo.processInfo.environment["SIGNET_REPORT_PEAK_MEMORY"] == "1" {
            atexit {
                if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
                {
                    FileHandle.standardError.write(Data("signet: peak memory \(line.dropFirst(6).trimmingCharacters(in: .whitespaces))\n".utf8))
                }
            }
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("signet: \(error.message)\n".utf8))
            Foundation.exit(error.status.rawValue)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data("\(message)\n".utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }
}

/// A small UTF-8 text file; a missing, unreadable, oversized or non-UTF-8 file is a usage error.
func readTextFile(_ path: String, what: String) throws -> String {
    do { return try TextFile.read(path, what: what) } catch { throw CLIError(.usage, error.reason) }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data("signet: \(line)\n".utf8))
}
