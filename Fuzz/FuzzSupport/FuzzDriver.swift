#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's own driver (`-sanitize=fuzzer` links it): parses the command line, runs the
/// corpus and the mutations, and calls `callback` once per input.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The harness's function, set once before libFuzzer starts and only read after.
nonisolated(unsafe) private var currentTarget: ((UnsafeRawBufferPointer) -> Void)?

/// Starts libFuzzer with the process's arguments (`-runs=`, `-timeout=`, corpus folders…).
///
/// SwiftPM names an executable's entry point itself, so the harnesses cannot let libFuzzer's
/// `main` run; each harness's `@main` calls this instead.
public enum FuzzDriver {
    /// Runs libFuzzer over `target` and exits with libFuzzer's status.
    public static func run(_ target: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        currentTarget = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = UnsafeRawBufferPointer(start: data.map { UnsafeRawPointer($0) }, count: data == nil ? 0 : size)
            currentTarget?(bytes)
            return 0
        }
        exit(status)
    }
}

/// libFuzzer's conventional entry, which its runtime references even when the driver is
/// started through `LLVMFuzzerRunDriver`; it feeds the same harness function.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    currentTarget?(UnsafeRawBufferPointer(start: data.map { UnsafeRawPointer($0) }, count: data == nil ? 0 : size))
    return 0
}
