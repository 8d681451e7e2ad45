/// "Did you mean" support: the closest candidate by edit distance.
public enum Suggestion {
    /// The candidate nearest to `word`, if it is close enough to be a plausible typo.
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(1, word.count / 3) && best.1 < word.count ? best.0 : nil
    }

    /// Levenshtein distance between two strings, by characters.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Other tools' names for the runner's parameters (PyTorch's, Keras's, scikit-learn's,
    /// Hydra configs'), which no edit distance finds: `learning_rate` is far from `lr`.
    static let synonyms: [String: String] = [
        "learning_rate": "lr", "learningrate": "lr", "eta": "lr",
        "batch": "batch_size", "batchsize": "batch_size", "minibatch_size": "batch_size",
        "num_epochs": "epochs", "n_epochs": "epochs", "max_epochs": "epochs", "epoch": "epochs",
        "dropout_rate": "dropout", "drop_rate": "dropout", "dropout_p": "dropout", "p": "dropout",
        "activation_function": "activation", "nonlinearity": "activation", "act": "activation",
        "hidden_layers": "hidden", "hidden_sizes": "hidden", "hidden_layer_sizes": "hidden", "layers": "hidden",
        "random_seed": "seed", "random_state": "seed",
        "optim": "optimizer", "solver": "optimizer", "wd": "weight_decay", "l2": "weight_decay",
        "batchnorm": "batch_norm", "bn": "batch_norm", "weight_init": "init", "initialization": "init",
        "val_size": "validation", "validation_split": "validation", "n_trials": "samples", "num_samples": "samples",
    ]

    /// ", did you mean 'x'?" or "", ready to append to a message: another tool's name for a
    /// candidate first, else the nearest candidate by edit distance.
    static func hint(for word: String, in candidates: [String]) -> String {
        let key = String(word.lowercased().map { $0 == "-" ? "_" : $0 })
        if let synonym = synonyms[key], candidates.contains(synonym) { return "; did you mean '\(synonym)'?" }
        return nearest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
