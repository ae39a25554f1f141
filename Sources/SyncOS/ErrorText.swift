@preconcurrency import Glibc

/// The text of an `errno`, as Go prints it (and so coder's messages): `strerror` with a lower-case first letter,
/// `no such file or directory`, `connection refused`.
public func errorText(_ code: Int32 = errno) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}
