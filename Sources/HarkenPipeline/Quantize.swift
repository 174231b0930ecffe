import Foundation
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

/// What `harken quantize` reports: the int8 model after QAT beside post-training quantization.
public struct QuantizeReport: Codable, Sendable {
    public var schemaVersion = 1
    public var phrase: String
    public var epochs: [EpochMetrics]
    public var float: EvalReport
    public var postTraining: EvalReport
    public var quantizationAware: EvalReport
    /// The QAT model on the validation voices: the cutoff its model.json carries.
    public var quantizationAwareValidation: EvalReport?
    public var model: String
}

extension Pipeline {
    /// `harken quantize`: quantization-aware fine-tuning of a trained Sentry (BatchNorm folded, weights
    /// per channel and activations fake-quantized, ranges frozen for the last epoch), then the int8
    /// model's FRR at the target false accepts per hour on the test voices, beside the float model
    /// and plain post-training quantization.
    public static func quantize(model path: String, dataDir: String, outDir: String, epochs: Int, distillation: Float = 0.8,
                                job: Job = .silent) throws -> QuantizeReport {
        let source = try SavedSentry.load(path)
        guard source.ranges != nil else {
            throw TrainError.checkpoint("\(source.file): no activation ranges (training did not finish; run harken train again with --resume)")
        }
        var config = try source.config ?? TrainConfig.preset("esp32")
        let corpus = try Corpus.load(dataDir)
        let evaluate = { (scorer: any StreamScorer, name: String) throws -> EvalReport in
            try Pipeline.evaluate(corpus: corpus, split: .test, scorer: scorer, config: config, modelName: "\(source.phrase) (\(name))", job: job)
        }
        let floatReport = try evaluate(WindowScorer(model: source.model), "float")
        let ptq = try evaluate(PlanScorer(plan: try source.int8Graph().lower(file: path)), "int8 post-training")
        job.log(String(format: "before: float FRR %.1f %%, post-training int8 FRR %.1f %% at %.2f FA/h",
                   floatReport.falseRejectRate * 100, ptq.falseRejectRate * 100, ptq.falseAcceptsPerHour))

        // Fine-tuning continues where training ended: the hardest SNRs, a small learning rate.
        config.epochs = epochs
        config.learningRate = config.minLearningRate * 4
        config.warmupEpochs = 0
        config.augment.snrFirstEpoch = config.augment.snrLastEpoch
        let data = try TrainingData(corpus: corpus, windowFrames: source.model.spec.windowFrames, config: config)
        let model = source.model
        model.prepareQuantizationAwareTraining()
        let trainer = Trainer(config: config, data: data, outDir: outDir, phrase: source.phrase, model: model)
        trainer.beforeEpoch = { epoch in if epoch == epochs - 1 { model.freezeQuantizationRanges(); job.log("ranges frozen") } }
        // The teacher is a second, untouched copy of the float model (`model` is being fine-tuned).
        trainer.distillation = Distillation(teacher: try SavedSentry.load(path).model, weight: distillation)
        try writeConfig(config, outDir: outDir)
        let history = try trainer.run(resume: false, job: job)
        // The weights and ranges as they ended (the ranges belong to these weights).
        try trainer.saveModel(to: trainer.modelPath, epoch: epochs - 1)
        var ranges = ActivationRanges()
        model.calibrate(try data.calibrationWindows(count: 256), into: &ranges)
        for (k, v) in model.quantizationAwareRanges.ranges { ranges.ranges[k] = v }
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        let (qatGraph, qatPlan) = try load(model: trainer.modelPath)
        let qat = try evaluate(PlanScorer(plan: qatPlan), "int8 QAT")
        // The fine-tuned int8 model's own cutoff, chosen on the validation voices as train chooses it.
        let validation = try validationReport(corpus: corpus, scorer: PlanScorer(plan: qatPlan), config: config,
                                              modelName: "\(source.phrase) (int8 QAT)", job: job)
        try writeManifest(phrase: source.phrase, author: "harken quantize", cutoff: validation?.cutoff ?? qat.cutoff,
                          window: config.detectorWindow, graph: qatGraph, outDir: outDir)
        let report = QuantizeReport(phrase: source.phrase, epochs: history, float: floatReport, postTraining: ptq,
                                    quantizationAware: qat, quantizationAwareValidation: validation, model: trainer.modelPath)
        try writeJSON(report, to: (outDir as NSString).appendingPathComponent("quantize_report.json"))
        return report
    }
}
