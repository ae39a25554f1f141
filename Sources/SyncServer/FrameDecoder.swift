import NIOCore

/// What the frame decoder hands on: a complete line, or the news that a line grew past the limit.
enum InboundFrame {
    case frame(ByteBuffer)
    case oversized(Int)
}

/// Splits the byte stream into newline-terminated frames of at most `maxFrameBytes`, without the newline: `\n`, or
/// `\r\n` (the `\r` is JSON whitespace, so it is handed on, but it does not count toward the limit). A longer line
/// is reported once as `.oversized` and the decoder stops; the connection handler answers and closes.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundFrame

    let maxFrameBytes: Int
    private var scanned = 0
    private var failed = false

    init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        if let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            scanned = 0
            let carriageReturn = length > 0 && view[newline - 1] == UInt8(ascii: "\r") ? 1 : 0
            guard length - carriageReturn <= maxFrameBytes else { return overflow(context, &buffer, length) }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(wrapInboundOut(.frame(line)))
            return .continue
        }
        scanned = view.count
        // One byte more may be the `\r` of a `\r\n` still on its way.
        let carriageReturn = view.last == UInt8(ascii: "\r") ? 1 : 0
        if view.count - carriageReturn > maxFrameBytes { return overflow(context, &buffer, view.count) }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if !failed, buffer.readableBytes > 0, seenEOF {
            // A last line without its newline still counts as a frame.
            let line = buffer.readSlice(length: buffer.readableBytes)!
            context.fireChannelRead(wrapInboundOut(.frame(line)))
        }
        return .needMoreData
    }

    private mutating func overflow(_ context: ChannelHandlerContext, _ buffer: inout ByteBuffer, _ size: Int)
        -> DecodingState
    {
        failed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(wrapInboundOut(.oversized(size)))
        return .needMoreData
    }
}
