"""The growth report (OptoNet WACHSTUMSREPORT): survey rounds and their questions, the
organisations' responses, and the rendered summaries."""

from reports.models.documents import ReportDocument, report_path
from reports.models.responses import (
    REGIONS,
    SECTORS,
    SIZE_CLASSES,
    SurveyResponse,
    kind_group,
    size_class,
)
from reports.models.rounds import SpecialQuestion, SurveyRound, TechnologyField

__all__ = [
    "REGIONS",
    "SECTORS",
    "SIZE_CLASSES",
    "ReportDocument",
    "SpecialQuestion",
    "SurveyResponse",
    "SurveyRound",
    "TechnologyField",
    "kind_group",
    "report_path",
    "size_class",
]
