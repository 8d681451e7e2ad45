extension Node {
    /// A list of nodes, block (`- a`) or flow (`[a, b]`).
    public struct Sequence: Sendable {
        public var items: [Node]
        public var mark: Mark

        public init(_ items: [Node], mark: Mark) {
            self.items = items
            self.mark = mark
        }
    }
}
