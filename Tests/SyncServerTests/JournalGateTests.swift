import SyncCore
import Testing

@testable import SyncServer

/// The journal gate's books: frames wait for the events they acknowledge, one append at a time, a failure hands
/// back what was held and refuses changes until a recovery. No store is called here: the gate only keeps the books.
@Suite("Journal gate")
struct JournalGateTests {
    private func gate(store: Bool = true, records: Int = 0, compactAfter: Int = 100) -> JournalGate {
        let restored = StoredState(
            instance: "i", snapshot: GraphSnapshot(sequence: 3, units: [], edges: []), events: [],
            recordsSinceCompaction: records)
        return JournalGate(
            store: store ? InMemoryEventStore() : nil, restored: restored, compactAfterRecords: compactAfter)
    }

    private func frame(_ text: String, to connection: UInt64 = 1) -> OutputPipeline.Frame {
        OutputPipeline.Frame(connection: connection, frame: text, tag: .plain)
    }

    private func event(_ sequence: UInt64) -> EncodedEvent {
        EncodedEvent(sequence: sequence, json: "{\"seq\":\(sequence)}")
    }

    /// A gate whose append of event 4 runs, with "reply 4" waiting for it.
    private func gateAppendingReply4() -> JournalGate {
        var gate = gate()
        gate.record(event(4))
        gate.queue(frame("reply 4"))
        #expect(gate.seal().isEmpty)
        #expect(gate.beginAppend(through: 4)?.count == 1)
        return gate
    }

    @Test func withoutAStoreFramesLeaveAtTheEndOfTheirTurn() {
        var gate = gate(store: false)
        gate.record(event(4))
        gate.queue(frame("a"))
        #expect(gate.seal().map(\.frame) == ["a"])
        #expect(gate.beginAppend(through: 4) == nil)
        #expect(gate.isIdle)
    }

    @Test func framesWaitUntilTheirEventsAreDurable() {
        var gate = gate()
        #expect(gate.durableSequence == 3)
        gate.record(event(4))
        gate.queue(frame("reply 4"))
        #expect(gate.seal().isEmpty)
        let events = gate.beginAppend(through: 4)
        #expect(events?.map(\.sequence) == [4])
        // The next turn's event waits for the running append, and its frame for both.
        gate.record(event(5))
        gate.queue(frame("reply 5"))
        #expect(gate.seal().isEmpty)
        #expect(gate.beginAppend(through: 5) == nil, "one append at a time")
        #expect(gate.appended(1).map(\.frame) == ["reply 4"])
        #expect(gate.durableSequence == 4)
        #expect(gate.beginAppend(through: 5)?.map(\.sequence) == [5])
        #expect(!gate.isIdle)
        #expect(gate.appended(1).map(\.frame) == ["reply 5"])
        #expect(gate.durableSequence == 5)
        #expect(gate.isIdle)
    }

    @Test func aFrameThatAcknowledgesNothingNewStillKeepsItsOrder() {
        var gate = gateAppendingReply4()
        gate.queue(frame("ping"))
        #expect(gate.seal().isEmpty, "a later frame never overtakes an earlier one")
        #expect(gate.appended(1).map(\.frame) == ["reply 4", "ping"])
    }

    @Test func eventsProducedDuringAnAppendDoNotPutCompactionOff() {
        // Under a steady load every append ends with new events queued; the compaction takes them in its snapshot.
        var gate = gate(records: 100, compactAfter: 100)
        gate.record(event(4))
        gate.queue(frame("reply 4"))
        #expect(gate.seal().isEmpty)
        #expect(gate.beginAppend(through: 4)?.count == 1)
        gate.record(event(5))
        gate.queue(frame("reply 5"))
        #expect(gate.seal().isEmpty)
        #expect(gate.appended(1).map(\.frame) == ["reply 4"])
        #expect(gate.compactionDue(graphSize: 0), "101 records, and event 5 waiting")
        #expect(gate.beginCompaction(through: 5) == 101)
        #expect(gate.beginAppend(through: 5) == nil, "the compaction took event 5")
        #expect(gate.compactionEnded(keeping: 10).map(\.frame) == ["reply 5"])
        #expect(gate.durableSequence == 5)
        #expect(gate.output.linesSinceCompaction == 11)
        #expect(gate.isIdle)
    }

    @Test func aFailedCompactionHandsItsEventsToTheNextAppend() {
        var gate = gate(records: 101, compactAfter: 100)
        gate.record(event(4))
        gate.queue(frame("reply 4"))
        #expect(gate.seal().isEmpty)
        #expect(gate.beginCompaction(through: 4) == 101)
        gate.record(event(5))
        #expect(gate.compactionEnded(keeping: nil).isEmpty)
        #expect(gate.durableSequence == 3)
        #expect(gate.beginAppend(through: 5)?.map(\.sequence) == [4, 5])
        #expect(gate.appended(2).map(\.frame) == ["reply 4"])
        #expect(gate.durableSequence == 5)
        #expect(gate.output.linesSinceCompaction == 103)
    }

    @Test func theCompactionThresholdIsTheLargerOfTheSettingAndFourPerUnitAndEdge() {
        #expect(JournalGate.compactionThreshold(compactAfterRecords: 20_000, graphSize: 1_000) == 20_000)
        #expect(JournalGate.compactionThreshold(compactAfterRecords: 20_000, graphSize: 600_000) == 2_400_000)
    }

    @Test func compactionIsDueWhenRecordsOutnumberTheGraph() {
        var gate = gate(records: 101, compactAfter: 100)
        #expect(gate.compactionDue(graphSize: 25))
        #expect(!gate.compactionDue(graphSize: 26), "four records per unit and edge are fine")
        #expect(gate.historyLength == 50)
        #expect(gate.beginCompaction(through: 3) == 101)
        #expect(!gate.compactionDue(graphSize: 0), "one at a time")
        gate.compactionEnded(keeping: 50)
        #expect(!gate.compactionDue(graphSize: 0))
        #expect(gate.output.linesSinceCompaction == 51)
        #expect(!self.gate(store: false, records: 1_000).compactionDue(graphSize: 0))
    }

    @Test func aFailureHandsBackWhatWasHeldAndRefusesUntilRecovered() {
        var gate = gateAppendingReply4()
        gate.queue(frame("reply 5"))
        let held = gate.failed(StoreFailure(description: "disk full"), stored: 3)
        #expect(held.map(\.frame) == ["reply 4", "reply 5"])
        #expect(gate.problem?.description == "disk full")
        #expect(gate.durableSequence == 3)
        // Degraded: frames leave at once, nothing is appended, and waiting for the store does not block shutdown.
        gate.record(event(4))
        gate.queue(frame("status"))
        #expect(gate.seal().map(\.frame) == ["status"])
        #expect(gate.beginAppend(through: 4) == nil)
        #expect(gate.isIdle)
        #expect(gate.mayRecover)
        gate.beginRecovery()
        #expect(!gate.mayRecover)
        gate.recoveryFailed()
        #expect(gate.problem != nil)
        gate.beginRecovery()
        gate.recovered(through: 4, historyCount: 2)
        #expect(gate.problem == nil)
        #expect(gate.durableSequence == 4)
        gate.record(event(5))
        #expect(gate.beginAppend(through: 5)?.map(\.sequence) == [5])
    }

    @Test func drainWaitersRunOnceNothingWaits() {
        var gate = gate()
        var ran = 0
        gate.whenIdle { ran += 1 }
        #expect(ran == 1, "idle: at once")
        gate.record(event(4))
        _ = gate.beginAppend(through: 4)
        gate.whenIdle { ran += 1 }
        #expect(gate.takeDrainWaiters().isEmpty)
        _ = gate.appended(1)
        gate.takeDrainWaiters().forEach { $0() }
        #expect(ran == 2)
        #expect(gate.takeDrainWaiters().isEmpty)
    }
}
