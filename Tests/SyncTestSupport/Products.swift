import Foundation

/// The folder with the built executables (`sync-agent`, `syncctl`, …): the one holding the test bundle.
public enum Products {
    public static let directory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("syncctl").path),
            url.path != "/"
        {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    public static func path(_ name: String) -> String { "\(directory)/\(name)" }
}
