extension Node {
    /// A mapping whose keys are scalars, kept in the order written (keys are unique).
    public struct Mapping: Sendable {
        public struct Entry: Sendable {
            public var key: Scalar
            public var value: Node
        }

        public var entries: [Entry]
        public var mark: Mark

        public init(_ entries: [Entry], mark: Mark) {
            self.entries = entries
            self.mark = mark
        }

        /// The value stored under `key`, if any.
        public subscript(key: String) -> Node? {
            entries.first(where: { $0.key.value == key })?.value
        }
    }
}
