/// One readiness check of a service, as written after `--ready` or `--when`:
///
/// - `notify`: the service sends `READY=1` over the sd_notify socket.
/// - `tcp:[HOST:]PORT`: a TCP connection to HOST (default `127.0.0.1`) on PORT succeeds, e.g. `tcp:5432`.
/// - `http://HOST[:PORT][/PATH]`: an HTTP/1.0 GET answers 2xx or 3xx, e.g. `http://127.0.0.1:8000/health`
///   (PORT defaults to 80, PATH to `/`; no TLS).
/// - `cmd:SHELL-COMMAND`: `/bin/sh -c SHELL-COMMAND` exits 0, e.g. `cmd:pg_isready -q`.
/// - `file:PATH`: PATH exists (watched with inotify), e.g. `file:/tmp/app.ready`.
/// - `log:REGEX`: a line of the service's stdout or stderr matches REGEX, e.g. `log:listening on port [0-9]+`.
///
/// `description` prints a check back in the form it parses from.
public enum ReadinessCheck: Sendable, Equatable, CustomStringConvertible {
    case notify
    case tcp(host: String, port: UInt16)
    case http(host: String, port: UInt16, path: String)
    case command(String)
    case file(String)
    case log(pattern: String)

    /// The host of `tcp:PORT`.
    public static let defaultHost = "127.0.0.1"

    /// The forms `init(parsing:)` accepts, one example each, for error messages and help.
    public static let forms =
        "notify, tcp:[HOST:]PORT (tcp:5432), http://HOST:PORT/PATH (http://127.0.0.1:8000/health), "
        + "cmd:SHELL-COMMAND (cmd:pg_isready -q), file:PATH (file:/tmp/app.ready), log:REGEX (log:listening on)"

    /// Parses one CHECK.
    /// - Throws: ``ReadinessCheckError`` saying what is wrong with `text` and showing the right form.
    public init(parsing text: String) throws(ReadinessCheckError) {
        if text.isEmpty {
            throw ReadinessCheckError("empty readiness check; use one of \(Self.forms)")
        }
        if text == "notify" {
            self = .notify
        } else if let rest = text.dropPrefix("tcp:") {
            self = try Self.parseTCP(rest, text: text)
        } else if let rest = text.dropPrefix("http://") {
            self = try Self.parseHTTP(rest, text: text)
        } else if text.hasPrefix("https://") {
            throw ReadinessCheckError(
                "readiness check '\(text)': https is not supported (the http check speaks plain HTTP without TLS); "
                    + "probe the port with tcp:HOST:PORT, or use cmd:curl -fsk \(text)")
        } else if let rest = text.dropPrefix("cmd:") {
            guard !rest.isEmpty else { throw Self.missing("a shell command", in: text, example: "cmd:pg_isready -q") }
            self = .command(rest)
        } else if let rest = text.dropPrefix("file:") {
            guard !rest.isEmpty else { throw Self.missing("a path", in: text, example: "file:/tmp/app.ready") }
            self = .file(rest)
        } else if let rest = text.dropPrefix("log:") {
            guard !rest.isEmpty else { throw Self.missing("a regular expression", in: text, example: "log:ready") }
            do {
                _ = try LogLineMatcher(pattern: rest)
            } catch {
                throw ReadinessCheckError(
                    "readiness check '\(text)': '\(rest)' is not a valid regular expression (\(error)); "
                        + "example: log:listening on port [0-9]+")
            }
            self = .log(pattern: rest)
        } else {
            let kind = text.prefix { $0 != ":" }
            throw ReadinessCheckError("unknown readiness check kind '\(kind)' in '\(text)'; use one of \(Self.forms)")
        }
    }

    public var description: String {
        switch self {
        case .notify: return "notify"
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        case .http(let host, let port, let path): return "http://\(host):\(port)\(path)"
        case .command(let command): return "cmd:\(command)"
        case .file(let path): return "file:\(path)"
        case .log(let pattern): return "log:\(pattern)"
        }
    }

    private static func parseTCP(_ rest: String, text: String) throws(ReadinessCheckError) -> ReadinessCheck {
        let example = "tcp:5432 or tcp:127.0.0.1:5432"
        guard !rest.isEmpty else { throw missing("a port", in: text, example: example) }
        guard let colon = rest.lastIndex(of: ":") else {
            return .tcp(host: defaultHost, port: try port(rest, in: text, example: example))
        }
        let host = String(rest[..<colon])
        guard !host.isEmpty else { throw missing("a host before ':'", in: text, example: example) }
        guard !host.contains(":") else {
            throw ReadinessCheckError(
                "readiness check '\(text)': IPv6 addresses are not supported; example: \(example)")
        }
        return .tcp(host: host, port: try port(String(rest[rest.index(after: colon)...]), in: text, example: example))
    }

    private static func parseHTTP(_ rest: String, text: String) throws(ReadinessCheckError) -> ReadinessCheck {
        let example = "http://127.0.0.1:8000/health"
        let authority = String(rest.prefix { $0 != "/" })
        let path = rest.dropFirst(authority.count)
        guard !authority.isEmpty else { throw missing("a host", in: text, example: example) }
        let host: String
        let portNumber: UInt16
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portNumber = try port(String(authority[authority.index(after: colon)...]), in: text, example: example)
        } else {
            host = authority
            portNumber = 80
        }
        guard !host.isEmpty else { throw missing("a host before ':'", in: text, example: example) }
        guard !host.contains(":"), !host.contains("@") else {
            throw ReadinessCheckError("readiness check '\(text)': host '\(host)' is not supported; example: \(example)")
        }
        guard !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw ReadinessCheckError(
                "readiness check '\(text)': the path may not contain spaces or line breaks; example: \(example)")
        }
        return .http(host: host, port: portNumber, path: path.isEmpty ? "/" : String(path))
    }

    private static func port(_ text: String, in check: String, example: String) throws(ReadinessCheckError) -> UInt16 {
        guard !text.isEmpty else { throw missing("a port after ':'", in: check, example: example) }
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text.prefix(6)), text.count <= 6, (1...65535).contains(value)
        else {
            throw ReadinessCheckError(
                "readiness check '\(check)': port '\(text)' is not a number from 1 to 65535; example: \(example)")
        }
        return UInt16(value)
    }

    private static func missing(_ what: String, in text: String, example: String) -> ReadinessCheckError {
        ReadinessCheckError("readiness check '\(text)' lacks \(what); example: \(example)")
    }
}

/// Why a CHECK does not parse: the whole message, ready to print.
public struct ReadinessCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
