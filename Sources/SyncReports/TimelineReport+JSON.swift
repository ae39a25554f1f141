import SyncCore
import SyncProtocol

extension TimelineReport {
    /// The report's figures: times in microseconds from `start_us` (epoch microseconds), `null` for what did not
    /// happen (or has not ended yet); units in the table's order.
    public var json: JSON {
        let units = rows.map { row in
            JSON.object([
                ("unit_name", .string(row.unit)), ("status", .string(row.status.rawValue)),
                ("critical", .bool(row.isCritical)), ("registered_us", .int(row.registered)),
                ("wait_began_us", micros(row.waitBegan)), ("wait_ended_us", micros(row.waitEnded)),
                ("started_us", micros(row.started)), ("ended_us", micros(row.ended)),
                ("waited_us", micros(row.waited)), ("ran_us", micros(row.ran)), ("reason", .optional(row.reason)),
                ("cause", row.cause?.json ?? .null), ("dependencies", .strings(row.dependencies)),
            ])
        }
        return .object([
            ("start", .string(start.rfc3339)), ("start_us", .int(start.rawValue)),
            ("now_us", .int(nowOffset)), ("span_us", .int(span)), ("units", .array(units)),
            ("critical_path", .strings(criticalPath)), ("critical_path_us", .int(criticalPathDuration)),
        ])
    }

    private func micros(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }

    /// Chrome trace-event JSON (the format Perfetto and chrome://tracing open): one process, one thread per unit
    /// (named after it, in the table's order), an instant event when the unit was registered and complete events
    /// (`"ph": "X"`) named `wait` and `run`, with `ts` and `dur` in microseconds from the start and the status,
    /// reason and dependencies in `args`. A wait or run still going on lasts until now and has `"ongoing": true`.
    public var trace: JSON {
        let pid: JSON = 1
        var events: [JSON] = [
            .object([
                ("name", "process_name"), ("ph", "M"), ("pid", pid), ("tid", 0),
                ("args", .object([("name", "sync-agent start-up")])),
            ])
        ]
        for (i, row) in rows.enumerated() {
            let tid = JSON.int(Int64(i + 1))
            events.append(
                .object([
                    ("name", "thread_name"), ("ph", "M"), ("pid", pid), ("tid", tid),
                    ("args", .object([("name", .string(row.unit))])),
                ]))
            events.append(
                .object([
                    ("name", "thread_sort_index"), ("ph", "M"), ("pid", pid), ("tid", tid),
                    ("args", .object([("sort_index", .int(Int64(i + 1)))])),
                ]))
            events.append(
                .object([
                    ("name", "registered"), ("cat", "unit"), ("ph", "i"), ("s", "t"), ("ts", .int(row.registered)),
                    ("pid", pid), ("tid", tid),
                ]))
            var args: [(String, JSON)] = [("status", .string(row.status.rawValue))]
            if let reason = row.reason { args.append(("reason", .string(reason))) }
            if let cause = row.cause {
                args.append(("cause", .string("\(cause.rootDescription), via \(cause.chainDescription)")))
            }
            if let began = row.waitBegan, let waited = row.waited {
                var wait = args + [("dependencies", .strings(row.dependencies))]
                if row.isWaiting { wait.append(("ongoing", true)) }
                events.append(slice("wait", ts: began, dur: waited, pid: pid, tid: tid, args: wait))
            }
            if let started = row.started, let ran = row.ran {
                var run = args + [("critical", .bool(row.isCritical))]
                if row.isRunning { run.append(("ongoing", true)) }
                events.append(slice("run", ts: started, dur: ran, pid: pid, tid: tid, args: run))
            }
        }
        return .object([
            ("traceEvents", .array(events)), ("displayTimeUnit", "ms"),
            (
                "otherData",
                .object([
                    ("start", .string(start.rfc3339)), ("critical_path", .strings(criticalPath)),
                    ("version", .string(ProtocolVersion.productVersion)),
                ])
            ),
        ])
    }

    private func slice(
        _ name: String, ts: Int64, dur: Int64, pid: JSON, tid: JSON, args: [(String, JSON)]
    ) -> JSON {
        .object([
            ("name", .string(name)), ("cat", .string(name)), ("ph", "X"), ("ts", .int(ts)), ("dur", .int(dur)),
            ("pid", pid), ("tid", tid), ("args", .object(args)),
        ])
    }
}
