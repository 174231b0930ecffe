import Foundation
import HarkenGraph
import HarkenStream
import HarkenTrain

extension Pipeline {
    /// A Judge from its file: a float Judge checkpoint (`harken judge train`'s folder or
    /// .safetensors) or an int8 Judge .tflite.
    public static func loadJudge(_ path: String) throws -> any WindowJudge {
        if isSentry(path) {
            let saved = try SavedJudge.load(path)
            return FloatJudge(model: saved.model)
        }
        return try PlanJudge(plan: try Graph.load(tflite: path).lower(file: path), file: path)
    }
}
