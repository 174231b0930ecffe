import Foundation
#if canImport(Glibc)
import Glibc
import HarkenSupport
#endif

/// A byte link to a device: a serial port, a pseudo-terminal, or an in-memory pipe in tests.
public protocol Link: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Bytes that arrive within `timeout` seconds (at least one), or [] on timeout.
    func read(timeout: Double) throws -> [UInt8]
}

public enum BenchError: CodedError, Equatable {
    public static let domain = "bench"

    case cannotOpen(port: String, reason: String)
    case io(port: String, reason: String)
    case noAnswer(port: String, command: String, attempts: Int, seconds: Double)
    case deviceError(command: String, code: UInt8)
    case deviceReset(command: String)
    case badReply(command: String, expected: String)
    case mismatch(String)

    public var description: String {
        switch self {
        case let .cannotOpen(port, reason): return "\(port): cannot open the serial port: \(reason)"
        case let .io(port, reason): return "\(port): serial I/O failed: \(reason)"
        case let .noAnswer(port, command, attempts, seconds):
            return "\(port): the device did not answer \(command) (\(attempts) attempts, \(String(format: "%.1f", seconds)) s each); is the bench firmware running and the baud rate right?"
        case let .deviceError(command, code): return "the device rejected \(command) with error code \(code)"
        case let .deviceReset(command): return "the device reset during \(command) (it sent a boot frame)"
        case let .badReply(command, expected): return "bad reply to \(command): expected \(expected)"
        case let .mismatch(what): return what
        }
    }
}

/// A serial port or pty through termios: raw 8N1 at the given baud rate.
public final class SerialPort: Link {
    public let path: String
    private let fd: Int32

    public init(path: String, baud: Int = 115_200) throws {
        self.path = path
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw BenchError.cannotOpen(port: path, reason: String(cString: strerror(errno))) }
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchError.cannotOpen(port: path, reason: "not a terminal: \(reason)")
        }
        cfmakeraw(&t)
        let speeds: [Int: speed_t] = [9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
                                      115_200: speed_t(B115200), 230_400: speed_t(B230400), 460_800: speed_t(B460800),
                                      921_600: speed_t(B921600)]
        guard let speed = speeds[baud] else {
            close(fd)
            throw BenchError.cannotOpen(port: path, reason: "unsupported baud rate \(baud) (use one of \(speeds.keys.sorted()))")
        }
        cfsetispeed(&t, speed)
        cfsetospeed(&t, speed)
        t.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(fd, TCSANOW, &t) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchError.cannotOpen(port: path, reason: reason)
        }
        tcflush(fd, TCIOFLUSH)
    }

    deinit { close(fd) }

    public func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { usleep(1000); continue }
                throw BenchError.io(port: path, reason: String(cString: strerror(errno)))
            }
            sent += n
        }
    }

    public func read(timeout: Double) throws -> [UInt8] {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, Int32(max(0, timeout * 1000)))
        if ready < 0 && errno != EINTR { throw BenchError.io(port: path, reason: String(cString: strerror(errno))) }
        guard ready > 0 else { return [] }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return [] }
            throw BenchError.io(port: path, reason: String(cString: strerror(errno)))
        }
        if n == 0 && p.revents & Int16(POLLHUP) != 0 { usleep(10000) }  // pty peer not yet open
        return Array(buf.prefix(n))
    }
}
