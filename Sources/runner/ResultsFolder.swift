import Foundation
import Results

/// An experiment's results folder named on the command line (`results/NAME`).
enum ResultsFolder {
    /// The store of `directory`, or a one-line error and exit 2 when it holds no plan.
    static func open(_ directory: String) throws -> RunStore {
        let store = RunStore(directory: directory)
        guard FileManager.default.fileExists(atPath: store.file(RunStore.planFile)) else {
            Output.error("\(directory): error: no plan.tsv here; give an experiment's results folder such as results/comparison")
            throw ExitStatus.invalidInput.code
        }
        if let problem = store.selectionProblem() {
            Output.error(problem)
            throw ExitStatus.invalidInput.code
        }
        return store
    }
}
