import Foundation
import Testing

/// Compares text with `Goldens/<name>` exactly; with `UPDATE_GOLDENS=1` in the environment it rewrites the file
/// instead.
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = Fixture.directory + "/Goldens/" + name
    let text = actual
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: path, encoding: .utf8)
    #expect(
        text == expected, "golden \(name) differs; rerun with UPDATE_GOLDENS=1 and review the diff",
        sourceLocation: sourceLocation)
}
