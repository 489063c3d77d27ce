"""What a person sees: figures, maps and the self-contained HTML report of a run."""

from centrehold.report.build import PlannedFigure, Report, build_report, figure_plan
from centrehold.report.load import RunSet, load_runs

__all__ = ["PlannedFigure", "Report", "RunSet", "build_report", "figure_plan", "load_runs"]
