import CSV
import Foundation
import SwiftCSV

/// Reads FILE (a header, then numeric rows) into a float32 matrix with each library, as runner
/// needs it, and prints the seconds each took. Peak memory: run under /usr/bin/time, one
/// library per process (`swiftcsv` or `csvswift` as the second argument).
let path = CommandLine.arguments[1], which = CommandLine.arguments[2]
let start = Date()
var matrix: [Float] = []
switch which {
case "swiftcsv":
    let table = try SwiftCSV.CSV<Enumerated>(url: URL(fileURLWithPath: path), delimiter: .comma, loadColumns: false)
    for row in table.rows { for cell in row.dropFirst() { matrix.append(Float(cell)!) } }
default:
    let reader = try CSVReader(stream: InputStream(fileAtPath: path)!, hasHeaderRow: true)
    while let row = reader.next() { for cell in row.dropFirst() { matrix.append(Float(cell)!) } }
}
print(String(format: "%@: %.2f s, %d values", which, Date().timeIntervalSince(start), matrix.count))
