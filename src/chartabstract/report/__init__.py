"""The study report: the study's results table, survival curves and a swimmer plot from a cohort."""

from chartabstract.report.build import ReportPaths, build_report

__all__ = ["ReportPaths", "build_report"]
