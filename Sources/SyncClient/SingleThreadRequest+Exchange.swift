@preconcurrency import Glibc
import SyncCore
import SyncOS
import SyncProtocol

extension SingleThreadRequest {
    /// The socket to the agent and the signal pipe (if any), written and read by one thread.
    struct Exchange {
        /// What ``next(until:)`` saw first.
        enum Event {
            /// A reply or a push.
            case message(ServerMessage)
            /// SIGINT or SIGTERM came (once for any number of them since the last look).
            case signal
            /// The limit passed with nothing to read.
            case timedOut
            /// The connection ended: with the error that ended it when it was a frame the client cannot read,
            /// `nil` when the agent closed it or went away.
            case ended(WireError?)
        }

        let fd: Int32
        let signals: SignalPipe?
        let socketPath: SocketPath
        private var lines = LineBuffer(maxFrameBytes: SyncConnection.maxReplyBytes)
        private var chunk = [UInt8](repeating: 0, count: 65536)
        private var closed = false

        init(fd: Int32, signals: SignalPipe?, socketPath: SocketPath) {
            self.fd = fd
            self.signals = signals
            self.socketPath = socketPath
        }

        /// Sends one request. - Returns: false when the agent closed the connection.
        func send(_ request: Request) -> Bool {
            (try? Descriptor.writeAll(fd, request.json.compact + "\n", as: .socket)) != nil
        }

        /// Waits for the next message, a signal, the end of the connection or `limit` (`nil`: no limit), and says
        /// which came first. A signal is seen before messages already received.
        mutating func next(until limit: ContinuousClock.Instant?) -> Event {
            // The pipe is read once per call, then only when poll says a signal came: a wake-up by the socket alone
            // costs no system call for it.
            var lookForSignals = true
            while true {
                if lookForSignals, let signals, !signals.take().isEmpty { return .signal }
                lookForSignals = false
                do {
                    if let frame = try lines.nextFrame() { return decode(frame) }
                } catch {
                    return .ended(SyncConnection.oversizedFrame(lines.maxFrameBytes))
                }
                if closed { return .ended(nil) }
                var fds = [
                    pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: signals?.fd ?? -1, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&fds, signals == nil ? 1 : 2, Self.milliseconds(until: limit))
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 { return .timedOut }
                lookForSignals = ready < 0 || fds[1].revents != 0
                if ready < 0 || fds[0].revents != 0 { receive() }
            }
        }

        private mutating func receive() {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                lines.append(chunk[..<count])
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                closed = true
            }
        }

        private func decode(_ frame: ArraySlice<UInt8>) -> Event {
            guard let json = try? JSON.parse(frame), let message = try? ServerMessage(json: json) else {
                return .ended(SyncConnection.foreignFrame(frame.count, socketPath: socketPath))
            }
            return .message(message)
        }

        /// `poll(2)`'s timeout for `limit`: -1 for none, rounded up so that it never wakes before the limit.
        private static func milliseconds(until limit: ContinuousClock.Instant?) -> Int32 {
            guard let limit else { return -1 }
            let left = ContinuousClock.now.duration(to: limit)
            guard left > .zero else { return 0 }
            return Int32(clamping: left.milliseconds + 1)
        }
    }
}
