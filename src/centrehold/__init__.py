"""centrehold: agent-based models of political violence, run fast and set beside the record."""

__version__ = "0.1.0"
