/// One assignment of the sd_notify protocol, as a service sends it to `NOTIFY_SOCKET`: a datagram holds
/// newline-separated `KEY=VALUE` lines, each one message.
///
/// - `READY=1` ``ready``, `STOPPING=1` ``stopping``, `RELOADING=1` ``reloading`` (any other value of these keys
///   is ``other(key:value:)``);
/// - `STATUS=text` ``status(_:)`` (the text as sent, possibly empty);
/// - `ERRNO=n` ``errno(_:)``, `EXIT_STATUS=n` ``exitStatus(_:)``, `MAINPID=n` ``mainPID(_:)``,
///   `EXTEND_TIMEOUT_USEC=n` ``extendTimeout(microseconds:)``: decimal numbers; a value that is not one (such as an
///   exit status given by name) is ``other(key:value:)``;
/// - any other key: ``other(key:value:)``.
public enum NotifyMessage: Sendable, Equatable {
    case ready, stopping, reloading
    case status(String)
    case errno(Int32)
    case exitStatus(Int32)
    case extendTimeout(microseconds: Int64)
    case mainPID(Int32)
    case other(key: String, value: String)

    /// The messages of one datagram, in the order sent. A line without `=` or with an empty key is malformed and
    /// left out, as are empty lines (so a trailing newline changes nothing); bytes that are not UTF-8 become U+FFFD.
    /// Never fails: garbage gives `[]` or ``other(key:value:)``.
    public static func parse(_ datagram: [UInt8]) -> [NotifyMessage] {
        var messages: [NotifyMessage] = []
        for line in datagram.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")), equals != line.startIndex else { continue }
            let key = String(decoding: line[..<equals], as: UTF8.self)
            let value = String(decoding: line[(equals + 1)...], as: UTF8.self)
            messages.append(message(key: key, value: value))
        }
        return messages
    }

    private static func message(key: String, value: String) -> NotifyMessage {
        let parsed: NotifyMessage? =
            switch key {
            case "READY": value == "1" ? .ready : nil
            case "STOPPING": value == "1" ? .stopping : nil
            case "RELOADING": value == "1" ? .reloading : nil
            case "STATUS": .status(value)
            case "ERRNO": decimal(value, as: Int32.self).map { .errno($0) }
            case "EXIT_STATUS": decimal(value, as: Int32.self).map { .exitStatus($0) }
            case "MAINPID": decimal(value, as: Int32.self).map { .mainPID($0) }
            case "EXTEND_TIMEOUT_USEC": decimal(value, as: Int64.self).map { .extendTimeout(microseconds: $0) }
            default: nil
            }
        return parsed ?? .other(key: key, value: value)
    }

    /// Digits only (no sign, no spaces), within the type's range.
    private static func decimal<Number: FixedWidthInteger>(_ text: String, as: Number.Type) -> Number? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Number(text)
    }
}
