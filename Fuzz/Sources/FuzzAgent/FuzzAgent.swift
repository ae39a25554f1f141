import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import SyncProtocol
@_spi(Fuzzing) import SyncServer

/// The executable's entry point (SwiftPM links `main` to `FuzzAgent_main`): hands over to libFuzzer's driver.
@_cdecl("FuzzAgent_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        return fuzzAgent(data, size)
    }
}

/// libFuzzer's entry point: one input is the byte stream one client sends to a fresh agent.
///
/// The agent gets the bytes through its real frame decoder and connection handler (on an `EmbeddedChannel`, no
/// socket). The first byte picks how: bit 0 clear sends a valid hello first (so most inputs reach the requests),
/// bit 1 set cuts the stream into small writes (frames split across reads), bit 2 set ends the input (EOF); then a
/// minute passes on the channel's clock, so timeouts fire.
/// Besides crashes, the target checks what the agent promises: every frame it sends is one JSON object with an
/// `id` and `ok` or `push`, and the agent still answers a ping at the end unless it closed the connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgent(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let mode = bytes[0]
    let body = bytes.dropFirst()
    let channel = EmbeddedChannel()
    do {
        try FuzzingEntry.installAgent(on: channel)
        // Marks the embedded channel connected (no socket is involved) and fires channelActive.
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/fuzz")).wait()
        if mode & 1 == 0 { try send(Array(#"{"id":0,"type":"hello","version":1}"#.utf8) + [10], to: channel) }
        if mode & 2 != 0 {
            let step = Int(mode >> 3) + 1
            var start = body.startIndex
            while start < body.endIndex {
                let end = min(start + step, body.endIndex)
                try send(Array(body[start..<end]), to: channel)
                start = end
            }
        } else {
            try send(Array(body), to: channel)
        }
        if mode & 4 != 0 {
            channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else if channel.isActive {
            try send(Array(#"{"id":9999999,"type":"ping"}"#.utf8) + [10], to: channel)
        }
        // Let a minute pass: `timeout_ms` expiries, the hello timeout and lingering closes all fire.
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        try check(channel)
    } catch {
        // A thrown error from the pipeline is the agent refusing input: fine. A broken promise is not.
        if error is BrokenPromise { fatalError("\(error)") }
        if getenv("FUZZ_PRINT") != nil { print("error: \(error)") }
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}

private struct BrokenPromise: Error, CustomStringConvertible {
    var description: String
}

private func send(_ bytes: [UInt8], to channel: EmbeddedChannel) throws {
    guard channel.isActive else { return }
    var buffer = channel.allocator.buffer(capacity: bytes.count)
    buffer.writeBytes(bytes)
    try channel.writeInbound(buffer)
    channel.embeddedEventLoop.run()
}

/// Every frame the agent wrote must be a JSON object with an `id` and either `ok` or `push`.
private func check(_ channel: EmbeddedChannel) throws {
    var output: [UInt8] = []
    while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
        output += buffer.readableBytesView
    }
    if getenv("FUZZ_PRINT") != nil { print(String(decoding: output, as: UTF8.self)) }
    for line in output.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
        guard let json = try? JSON.parse(Array(line)), case .object = json, json["id"] != nil,
            json["ok"] != nil || json["push"] != nil
        else {
            let text = String(decoding: line, as: UTF8.self)
            throw BrokenPromise(description: "the agent sent a frame that is not a reply: \(text)")
        }
    }
    if let last = output.last, last != 10 {
        throw BrokenPromise(description: "the agent's output does not end with a newline")
    }
}
