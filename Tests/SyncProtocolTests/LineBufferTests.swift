import Testing

@testable import SyncProtocol

extension LineBuffer {
    /// Every complete frame now buffered, as text.
    mutating func frames() throws -> [String] {
        var frames: [String] = []
        while let frame = try nextFrame() { frames.append(String(decoding: frame, as: UTF8.self)) }
        return frames
    }
}

struct LineBufferTests {
    @Test func frameSplitAcrossChunks() throws {
        var buffer = LineBuffer()
        buffer.append(Array(#"{"id":1,"#.utf8))
        #expect(try buffer.frames() == [])
        buffer.append(Array(#""type":"ping"}"#.utf8))
        #expect(try buffer.frames() == [])
        buffer.append(Array("\n".utf8))
        #expect(try buffer.frames() == [#"{"id":1,"type":"ping"}"#])
        #expect(buffer.bufferedCount == 0)
    }

    @Test func severalFramesInOneChunk() throws {
        var buffer = LineBuffer()
        buffer.append(Array("one\ntwo\n\nthree\nfour".utf8))
        #expect(try buffer.frames() == ["one", "two", "", "three"])
        #expect(buffer.bufferedCount == 4)
        buffer.append(Array("\nfive\n".utf8))
        #expect(try buffer.frames() == ["four", "five"])
        #expect(buffer.bufferedCount == 0)
    }

    @Test func byteByByte() throws {
        var buffer = LineBuffer()
        var frames: [String] = []
        for byte in "ab\ncd\n".utf8 {
            buffer.append([byte])
            frames += try buffer.frames()
        }
        #expect(frames == ["ab", "cd"])
    }

    @Test func multiByteCharactersSplitAcrossChunks() throws {
        var buffer = LineBuffer()
        let bytes = Array("é🙂\n".utf8)
        buffer.append(bytes[..<2])
        buffer.append(bytes[2..<4])
        #expect(try buffer.frames() == [])
        buffer.append(bytes[4...])
        #expect(try buffer.frames() == ["é🙂"])
    }

    @Test func frameExactlyAtTheLimit() throws {
        var buffer = LineBuffer(maxFrameBytes: 8)
        buffer.append(Array("12345678".utf8))
        #expect(try buffer.frames() == [])
        buffer.append(Array("\n87654321\n".utf8))
        #expect(try buffer.frames() == ["12345678", "87654321"])
    }

    @Test func frameOneByteOverTheLimitWithItsNewline() throws {
        var buffer = LineBuffer(maxFrameBytes: 8)
        buffer.append(Array("ok\n123456789\n".utf8))
        let first = try buffer.nextFrame()
        #expect(first.map(Array.init) == Array("ok".utf8))
        #expect(throws: LineBuffer.Overflow.self) { try buffer.nextFrame() }
    }

    @Test func frameOneByteOverTheLimitBeforeItsNewline() throws {
        var buffer = LineBuffer(maxFrameBytes: 8)
        buffer.append(Array("1234".utf8))
        #expect(try buffer.frames() == [])
        buffer.append(Array("56789".utf8))
        #expect(throws: LineBuffer.Overflow.self) { try buffer.nextFrame() }
    }

    @Test func defaultLimitIsTheProtocols() {
        #expect(LineBuffer().maxFrameBytes == ProtocolVersion.maxFrameBytes)
        #expect(ProtocolVersion.maxFrameBytes == 1 << 20)
    }

    @Test func largeFrameAtTheDefaultLimit() throws {
        var buffer = LineBuffer()
        let frame = [UInt8](repeating: UInt8(ascii: "x"), count: ProtocolVersion.maxFrameBytes)
        for chunk in stride(from: 0, to: frame.count, by: 65_536) {
            buffer.append(frame[chunk..<min(chunk + 65_536, frame.count)])
            #expect(try buffer.nextFrame() == nil)
        }
        buffer.append([UInt8(ascii: "\n"), UInt8(ascii: "x")])
        #expect(try buffer.nextFrame()?.count == ProtocolVersion.maxFrameBytes)
        #expect(buffer.bufferedCount == 1)
    }
}
