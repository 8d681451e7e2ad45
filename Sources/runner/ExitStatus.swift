import ArgumentParser

/// Every exit status `runner` uses, in one place; docs/cli.md's table lists the same.
enum ExitStatus: Int32, CaseIterable {
    /// Every run is done or diverged (diverged runs are results, listed on stderr).
    case success = 0
    /// A run failed, or was left unfinished (interrupted, or held by another runner that
    /// stopped before finishing it).
    case runsUnfinished = 1
    /// An invalid spec, override, option value or `--index`; nothing was written.
    case invalidInput = 2
    /// A dataset is missing or corrupt; nothing was trained.
    case dataMissing = 3
    /// Results could not be written (full disk, read-only folder, a link where a run folder
    /// or file should be).
    case unwritable = 4
    /// `sbatch` failed or is not installed.
    case sbatchFailed = 5
    /// `compare --by PARAM`: PARAM varies, but no two groups differ in it alone.
    case nothingToCompare = 6
    /// Bad command-line usage (argument parser: unknown option, missing value).
    case usage = 64

    /// The status of a process stopped by `signal` (130 for SIGINT, 143 for SIGTERM).
    static func signalled(_ signal: Int32) -> ExitCode { ExitCode(128 + signal) }

    /// The argument parser's form, to throw.
    var code: ExitCode { ExitCode(rawValue) }
}
