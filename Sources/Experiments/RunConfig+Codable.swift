/// A config as a JSON object of its identifying parameters, keyed like the spec, in
/// `Parameter.all` order (what `Run.json(of:)` writes and run ids hash).
///
/// Decoding is the rule run ids follow, read backwards: a parameter added after a record was
/// written is missing from it and decodes to the value it had before it existed
/// (`Parameter.introducedAt`), never to an empty or a current default. A first-release
/// parameter must be there; a value the parameter would not accept is an error, not a default.
extension RunConfig: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.init()
        for parameter in Parameter.all {
            let key = Key(stringValue: parameter.key)
            let value: ParameterValue
            if container.contains(key), let fromText = parameter.fromText {
                // A structured value's canonical text, read back into its type.
                let text = try container.decode(String.self, forKey: key)
                guard let typed = fromText(text) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                           debugDescription: "'\(text)' is not a value of \(parameter.key)")
                }
                value = typed
            } else if container.contains(key) {
                value = try ParameterValue.decode(from: container, key: key, like: parameter.read(RunConfig()))
            } else if let old = parameter.introducedAt {
                value = old
            } else {
                throw DecodingError.keyNotFound(key, .init(codingPath: container.codingPath,
                                                           debugDescription: "\(parameter.key) is missing"))
            }
            parameter.set(value, in: &self)
            guard parameter.read(self) == value else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "\(value) is not a value of \(parameter.key)")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for parameter in Run.identity(of: self) {
            try parameter.read(self).encode(to: &container, key: Key(stringValue: parameter.key))
        }
    }
}

extension ParameterValue {
    /// Reads the value at `key` in the form of `template` (a parameter's value in a default
    /// config): an integer, a number, a text, a list of integers, or null or an integer for an
    /// optional count.
    static func decode<K: CodingKey>(from c: KeyedDecodingContainer<K>, key: K, like template: ParameterValue) throws
        -> ParameterValue {
        switch template {
        case .int: .int(try c.decode(Int.self, forKey: key))
        case .double: .double(try c.decode(Double.self, forKey: key))
        case .string: .string(try c.decode(String.self, forKey: key))
        case .ints: .ints(try c.decode([Int].self, forKey: key))
        case .none: try c.decodeNil(forKey: key) ? ParameterValue.none : .int(try c.decode(Int.self, forKey: key))
        case .typed: .string(try c.decode(String.self, forKey: key))  // typed parameters read through fromText
        }
    }

    func encode<K: CodingKey>(to c: inout KeyedEncodingContainer<K>, key: K) throws {
        switch self {
        case .int(let i): try c.encode(i, forKey: key)
        case .double(let d): try c.encode(d, forKey: key)
        case .string(let s): try c.encode(s, forKey: key)
        case .ints(let list): try c.encode(list, forKey: key)
        case .none: try c.encodeNil(forKey: key)
        case .typed(let t): try c.encode(t.description, forKey: key)
        }
    }
}
