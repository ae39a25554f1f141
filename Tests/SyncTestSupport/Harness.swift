/// The in-process agent and temporary directories, for every test that imports this module.
@_exported import SyncAgentHarness
