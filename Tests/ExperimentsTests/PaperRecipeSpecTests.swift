import Testing
import Vocabulary
@testable import Experiments

/// The dropout paper's recipe in a spec (issue 24, item 1): input dropout, max-norm, momentum
/// schedules and the new learning-rate schedules; each absent from ids at its old value.
@Suite struct PaperRecipeSpecTests {
    @Test func eachReadsToItsCanonicalTextAndBack() throws {
        let p = try plan("input_dropout: 0.2\nmax_norm: [4.378017, 2.970242, 4.626974]\nhidden: [898, 1532]\n"
            + "momentum_schedule: {linear: {end: 0.699217, epochs: 697, begin: 2}}\n"
            + "lr_schedule: {linear: {final_factor: 0.022292, epochs: 560}}\n")
        let c = p.runs[0].config
        #expect(c.inputDropout == 0.2 && c.maxNorm == .perLayer([4.378017, 2.970242, 4.626974]))
        #expect(c.momentumSchedule == .linear(end: 0.699217, epochs: 697, begin: 2))
        #expect(c.lrSchedule == .linear(finalFactor: 0.022292, epochs: 560, begin: 1))
        let text = Run.canonicalText(of: c)
        #expect(text.contains("lr_schedule=linear(final_factor=0.022292,epochs=560,begin=1)\n"))
        #expect(text.hasSuffix("momentum_schedule=linear(end=0.699217,epochs=697,begin=2)\ninput_dropout=0.2\n"
            + "max_norm=4.378017/2.970242/4.626974\n"))
        for (text, schedule) in [("{exponential: {gamma: 0.998}}", LRSchedule.exponential(gamma: 0.998)),
                                 ("{inverse_t: {half_life: 10000}}", .inverseTime(halfLife: 10000))] {
            let s = try plan("lr_schedule: \(text)\n").runs[0].config.lrSchedule
            #expect(s == schedule && LRSchedule(canonical: s.description) == s)
        }
        let deepnet = try plan("momentum_schedule: {exponential: {end: 0.99, steps: 100000}}\nmax_norm: 3\n").runs[0].config
        #expect(deepnet.momentumSchedule == .exponential(end: 0.99, steps: 100000) && deepnet.maxNorm == .every(3))
        #expect(MomentumSchedule(canonical: deepnet.momentumSchedule.description) == deepnet.momentumSchedule)
        #expect(MaxNorm(canonical: "3.0") == .every(3) && MaxNorm(canonical: "1.0/2.0") == .perLayer([1, 2]))
        // At their old values they leave ids alone.
        let plain = try plan("epochs: 2\n").runs[0].id
        #expect(try plan("epochs: 2\ninput_dropout: 0\nmax_norm: none\nmomentum_schedule: constant\n").runs[0].id == plain)
    }

    @Test func thePapersInitialisations() throws {
        let pylearn2 = try plan("hidden: [898, 1532]\ninit: {uniform: {bound: [0.00891030471479, 0.0575059125935, 0]}}\n").runs[0]
        #expect(pylearn2.config.weightInit == .uniform([0.00891030471479, 0.0575059125935, 0]))
        #expect(Run.canonicalText(of: pylearn2.config).contains("init=uniform(0.00891030471479/0.0575059125935/0.0)\n"))
        #expect(try plan("init: {normal: {std: 0.01}}\n").runs[0].config.weightInit == .normal([0.01]))
        #expect(try plan("init: {normal_fan_in: {sigma: 1}}\n").runs[0].config.weightInit == .normalFanIn([1]))
        // deepnet's model_dropout.pbtxt: the first edge at the proto's default sigma, the others 1.0.
        let deepnet = try plan("hidden: [1024, 1024, 1024]\ninit: {normal_fan_in: {sigma: [0.001, 1, 1, 1]}}\n").runs[0].config
        #expect(deepnet.weightInit == .normalFanIn([0.001, 1, 1, 1]))
        #expect(Run.canonicalText(of: deepnet).contains("init=normal_fan_in(0.001/1.0/1.0/1.0)\n"))
        #expect(Run.canonicalText(of: try plan("init: {normal_fan_in: {sigma: 1}}\n").runs[0].config).contains("init=normal_fan_in(1.0)\n"))
        #expect(specError("init: {normal_fan_in: {sigma: [1, 1]}}\n")?.contains("init lists 2 values for 3 dense layers") == true)
        for scheme in [WeightInit.uniform([0.1, 0.2, 0]), .normal([0.01]), .normalFanIn([1]), .normalFanIn([0.001, 1, 1]), .kaimingNormal] {
            #expect(WeightInit(canonical: scheme.description) == scheme)
        }
        // The named schemes keep their spelling, and so their ids.
        #expect(Run.canonicalText(of: try plan("init: kaiming_uniform\n").runs[0].config).contains("init=kaiming_uniform\n"))
        #expect(try plan("init: default\n").runs[0].id == (try plan("epochs: 20\n").runs[0].id))
        #expect(specError("init: {uniform: {bound: [0.1, 0.2]}}\n")?.contains("init lists 2 values for 3 dense layers") == true)
        #expect(specError("init: {normal: {mean: 0}}\n")?.contains("init normal takes std, got 'mean'") == true)
        #expect(specError("init: {gaussian: {std: 1}}\n")?.contains("got 'gaussian'") == true)
    }

    @Test func theirRulesAreErrorsAtTheirLines() {
        #expect(specError("max_norm: [1, 2]\n")?.contains("max_norm lists 2 limits for 3 dense layers (2 hidden and the output)") == true)
        #expect(specError("max_norm: 0\n")?.contains("max_norm must be a number > 0") == true)
        #expect(specError("input_dropout: 1\n")?.contains("input_dropout must be a number in [0, 1)") == true)
        #expect(specError("optimizer: adam\nmomentum_schedule: {linear: {end: 0.9, epochs: 5}}\n")?
            .contains("momentum_schedule moves SGD's momentum; adam has none") == true)
        #expect(specError("momentum_schedule: {linear: {end: 1.2, epochs: 5}}\n")?.contains("momentum_schedule end must be a number in [0, 1)") == true)
        #expect(specError("momentum_schedule: {linear: {end: 0.9}}\n")?.contains("linear needs epochs") == true)
        #expect(specError("momentum_schedule: {ramp: {end: 0.9}}\n")?.contains("got 'ramp'") == true)
        #expect(specError("lr_schedule: {exponential: {gamma: 1.5}}\n")?.contains("lr_schedule gamma must be a number in (0, 1]") == true)
        #expect(specError("lr_schedule: {linear: {epochs: 5}}\n")?.contains("lr_schedule linear needs final_factor") == true)
        #expect(specError("lr_schedule: {inverse_t: {halflife: 5}}\n")?.contains("unknown key 'halflife' in lr_schedule inverse_t") == true)
    }

    /// pylearn2's schedules, as its code computes them (learning_rule.MomentumAdjustor,
    /// sgd.LinearDecayOverEpoch with start 1, saturate 698 and 560 in mnist.yaml).
    @Test func pylearn2sSchedulesEpochByEpoch() {
        let lr = LRSchedule.linear(finalFactor: 0.022292, epochs: 560, begin: 1)
        // pylearn2: count c = epochs seen; lr = lr0 − step·(c − start + 1) for start ≤ c < saturate,
        // step = (lr0 − lr0·f) / (saturate − start + 1); epoch e trains at count e − 1.
        func pylearn2LR(_ e: Int) -> Double {
            let lr0 = 0.097259, c = e - 1, step = (lr0 - lr0 * 0.022292) / Double(560 - 1 + 1)
            return c >= 1 ? (c < 560 ? lr0 - step * Double(c - 1 + 1) : lr0 * 0.022292) : lr0
        }
        for e in [1, 2, 3, 300, 560, 561, 562, 800] { #expect(lr.lr(epoch: e, base: 0.097259, epochs: 800) == pylearn2LR(e), "epoch \(e)") }
        let momentum = MomentumSchedule.linear(end: 0.699217, epochs: 697, begin: 2)
        func pylearn2Momentum(_ e: Int) -> Double {
            let alpha = min(max(Double(e - 1 - 1) / Double(698 - 1), 0), 1)
            return 0.5 * (1 - alpha) + alpha * 0.699217
        }
        for e in [1, 2, 3, 100, 699, 700, 900] { #expect(momentum.momentum(epoch: e, base: 0.5) == pylearn2Momentum(e), "epoch \(e)") }
        // ExponentialLR multiplies epoch by epoch.
        #expect(LRSchedule.exponential(gamma: 0.5).lr(epoch: 4, base: 0.8, epochs: 10) == 0.1)
    }
}
