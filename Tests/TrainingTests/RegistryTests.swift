import Datasets
import Experiments
import Testing

/// The dataset names a spec accepts (`Experiments.DatasetName`, with the shapes plans check)
/// and the ones the loader has (`Datasets.DatasetRegistry`) are the same list.
@Suite struct RegistryTests {
    @Test func specNamesAndLoadersAgree() {
        #expect(DatasetRegistry.names == DatasetName.allCases.map(\.rawValue))
        for name in DatasetName.allCases {
            #expect(DatasetRegistry.named(name.rawValue)?.files.count == 4)
        }
    }

    @Test func anUnknownNameIsADataError() {
        #expect(throws: DataError.self) { _ = try DatasetRegistry.load("cifar", directory: "data") }
    }
}
