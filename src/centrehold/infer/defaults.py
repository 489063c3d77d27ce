"""The default weighing of `compare`, in one place that imports nothing heavy (the CLI
reads it to draw its help without loading pyabc).

About 3,500 simulations in all: a few minutes on two cores at one agent per 10,000
people and weekly ticks, with enough particles per hypothesis that its predictive band
means something.
"""

DEFAULT_BUDGET = 3000
DEFAULT_POPULATION = 100
DEFAULT_GENERATIONS = 10
DEFAULT_PILOT = 280
DEFAULT_PREDICTIVE = 30
