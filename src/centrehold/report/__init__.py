"""What a person sees: figures, maps and the self-contained HTML report of a run."""

from centrehold.report.build import Report, build_report
from centrehold.report.load import RunSet, load_runs

__all__ = ["Report", "RunSet", "build_report", "load_runs"]
