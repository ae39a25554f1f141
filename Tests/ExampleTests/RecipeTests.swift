import Testing

/// The recipes of `examples/`, each a suite of its own (in `*RecipeTests.swift`), one test at a time: each test
/// holds an agent, a few services and the syncctl processes supervising them.
@Suite("Recipes in examples/", .serialized, .timeLimit(.minutes(2)))
struct RecipeTests {}
