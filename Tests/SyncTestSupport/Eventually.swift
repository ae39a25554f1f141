import Foundation

/// Checks `condition` every 10 ms until it holds or `seconds` pass. - Returns: whether it held.
///
/// Only for what gives no signal to wait on: the agent noticing that a client went away, a process closing its file
/// descriptors. Where something can be awaited (a log line, a push, an event), await that instead.
public func eventually(seconds: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
