/// What every benchmark is given: the mode and where the executables under test are.
struct BenchContext: Sendable {
    /// A reduced run (fewer samples, shorter windows) that finishes in well under 30 s.
    var quick: Bool
    /// The folder with the built `sync-agent` and `syncctl` (by default the one holding `sync-bench`).
    var binDirectory: String
    /// This executable, for the `--top-worker` child.
    var benchBinary: String
    /// N of the scaling checks when given (`--scaling-size`; smoke tests keep it small).
    var scalingSize: Int? = nil
    /// The CPU window of the readiness group in seconds when given (`--readiness-cpu-seconds`).
    var readinessCPUSeconds: Double? = nil
    /// Samples per row of the peers table when given (`--peers-samples`; smoke tests keep it small).
    var peersSamples: Int? = nil
    /// The PostgreSQL server of the shared group when given (`--store`); else it starts its own.
    var store: String? = nil

    var agentBinary: String { binDirectory + "/sync-agent" }
    var syncctlBinary: String { binDirectory + "/syncctl" }

    /// `full` in a full run, `quick` in a quick one.
    func pick<T>(full: T, quick: T) -> T { self.quick ? quick : full }
}

/// What one run of a benchmark gives: figures by name (see ``Figure``) and raw samples for the plot.
struct Measurement: Sendable {
    var figures: [String: Double] = [:]
    var samples: [String: [Double]] = [:]

    mutating func merge(_ other: Measurement) {
        figures.merge(other.figures) { $1 }
        samples.merge(other.samples) { $0 + $1 }
    }
}

/// One group of figures, measured together on fresh agents.
protocol Benchmark: Sendable {
    /// The group name (see ``Figure/groups``), also accepted by `--only`.
    var group: String { get }
    func run(_ context: BenchContext) async throws -> Measurement
}
