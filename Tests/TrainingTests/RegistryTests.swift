import Datasets
import Experiments
import Vocabulary
import Testing

/// Every dataset name (`Vocabulary.DatasetName`, with the shapes plans check) has a loader
/// of its four files, in the same order.
@Suite struct RegistryTests {
    @Test func everyNameHasALoader() {
        #expect(DatasetRegistry.names == DatasetName.allCases.map(\.rawValue))
        for name in DatasetName.allCases {
            #expect(DatasetRegistry.named(name.rawValue)?.files.count == 4)
        }
    }

    @Test func anUnknownNameIsADataError() {
        #expect(throws: DataError.self) { _ = try DatasetRegistry.load("cifar", directory: "data") }
    }
}
