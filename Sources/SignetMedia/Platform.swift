#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The current `errno` rendered as text, for error reasons.
func errnoDescription(_ err: Int32 = errno) -> String {
    if let cString = strerror(err) {
        return String(cString: cString) + " (errno \(err))"
    }
    return "errno \(err)"
}
