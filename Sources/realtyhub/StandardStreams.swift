// `stdout` is a C global; `@preconcurrency` lets Swift 6 reference it here, once, at start-up,
// before any other thread exists.
#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Musl)
    @preconcurrency import Musl
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// How the CLI writes to its standard streams.
enum StandardStreams {
    /// Makes standard output line-buffered, so every complete line reaches a pipe or a file as
    /// it is printed (`realtyhub demo | tee demo.log` shows the URL and token as soon as the hub
    /// is up). C's default for a stream that is not a terminal is a 4 KiB block buffer, which
    /// held the demo's lines back until exit. Standard error is unbuffered already.
    static func lineBufferStandardOutput() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Whether standard error is a terminal: progress is redrawn in place (`\r`) only there.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
