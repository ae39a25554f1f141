import SyncCtl

// Every command lives in SyncCtl, where the tests reach it.
await Syncctl.main(arguments: Array(CommandLine.arguments.dropFirst()))
