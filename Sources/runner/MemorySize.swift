import ArgumentParser

/// A memory size on the command line: `64G`, `1500M`, `2T`, or bytes (binary units, as Slurm's).
struct MemorySize: ExpressibleByArgument, Equatable {
    var bytes: Double

    init?(argument: String) {
        let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
        var digits = Substring(argument)
        var scale = 1.0
        if let last = digits.last, let unit = units[Character(last.uppercased())] {
            scale = unit
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value.isFinite, value > 0 else { return nil }
        bytes = value * scale
    }

    static var defaultValueDescription: String { "this machine's memory" }
}
