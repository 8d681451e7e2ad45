// swift-tools-version: 5.9
// The two CSV packages of the package mirror, timed on the file scripts/bench-load.sh writes:
// what runner's own reader (Sources/Datasets/CSVTable.swift) was measured against.
//   swift run -c release csv-libraries FILE.csv
import PackageDescription

let package = Package(
    name: "csv-libraries",
    dependencies: [
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        .executableTarget(name: "csv-libraries", dependencies: [
            .product(name: "SwiftCSV", package: "SwiftCSV"), .product(name: "CSV", package: "CSV.swift")]),
    ])
