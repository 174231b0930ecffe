import HarkenSupport

extension GraphError: CodedError {
    public static let domain = "graph"
}
