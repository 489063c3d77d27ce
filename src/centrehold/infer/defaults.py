"""The default weighing of `compare`, in one place that imports nothing heavy (the CLI
reads it to draw its help without loading pyabc).

About 6,900 simulations in all (6,000 for ABC-SMC, the pilot and 60 predictive runs a
hypothesis besides): five to six minutes on two quiet cores at one agent per 10,000
people and weekly ticks of seven daily turns (a simulation with its statistics costs a
worker about 0.1 s). Why 6,000 simulations at 60 particles a generation: measured over
the same five seeds side by side (docs/compare.md, "Sixty particles a generation"),
against 4,000 at 40 it kept 54 of 55 fits adequate (51), moved no hypothesis's
probability more than 0.03 from its mean over the seeds (0.08), and gave the pooled
posteriors 20 effective particles (8) with a closer decline and level. 60 particles at
4,000 was as steady but fitted the decline worse (fewer generations); more simulations
at 40 particles (5,500) thinned the posteriors out and kept fewer fits adequate.
Eleven hypotheses share each generation's particles under `joint`, so a generation
there holds 200: with 100, model probabilities swung between seeds.
"""

DEFAULT_BUDGET = 6000
#: How the hypotheses are weighed: "each" fits every hypothesis with its own ABC-SMC run
#: and weighs them by evidence at a common tolerance (`infer.abc.each`); "joint" is one
#: ABC-SMC run over all of them, weighed by the particles each keeps.
METHODS = ("each", "joint")
DEFAULT_METHOD = "each"
#: Particles per generation: of one hypothesis's run (each), or shared by all (joint).
DEFAULT_POPULATION = 60
DEFAULT_JOINT_POPULATION = 200
DEFAULT_GENERATIONS = 10
DEFAULT_PILOT = 280
#: Posterior-predictive simulations a hypothesis. The adequacy checks read a 90% band
#: (its 5th and 95th percentiles) from them: from 30 draws those edges sit inside the
#: band most of the time, and fits failed on coverage of 17 of 24 months that 60 draws
#: pass (adequate fits over five seeds 53 of 55 against 43-48; docs/compare.md). The
#: 30 more cost about half a minute on two cores.
DEFAULT_PREDICTIVE = 60
#: Width, in simulation-noise standard deviations, of the band around the record's
#: national level inside which the ABC distance's gate costs nothing; beyond it each
#: further noise SD costs a unit (`infer.abc.distance.LevelGate`). 0 turns it off.
DEFAULT_LEVEL_GATE = 1.0
#: The same for the ratio of the fit window's second-year deaths to its first's.
DEFAULT_DECLINE_GATE = 1.0
#: The same for the bombings' share of the fit window's deaths (the composition). Off:
#: it fits the decline better but costs the weighing its power to tell an actor who
#: bombs from none (records written by H4 no longer recovered; docs/compare.md).
DEFAULT_COMPOSITION_GATE = 0.0

#: The records `compare --record` can name: IBC's reported maximum or minimum deaths,
#: each with the bound `centrehold.record.iraq_observed` reads and its label.
RECORDS: dict[str, tuple[str, str]] = {
    "ibc-max": ("high", "IBC (maximum)"),
    "ibc-min": ("low", "IBC (minimum)"),
}
