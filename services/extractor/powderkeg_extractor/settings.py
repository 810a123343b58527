"""Extractor service settings (environment prefix ``POWDERKEG_``), read once at the entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from powderkeg_runtime.settings import ServiceSettings

if TYPE_CHECKING:
    from powderkeg_extractor.core.pipeline import Extractor


class ExtractorSettings(ServiceSettings):
    extractor_app_id: str = Field(default="powderkeg-extractor", description="faust app id = consumer group.")
    extractor_metrics_port: int = Field(default=9102, description="Port of /metrics, /healthz and /readyz.")
    extractor_max_chars: int = Field(
        default=200_000, ge=1, description="Longer article texts are dead-lettered (reason too_large), not parsed."
    )
    extractor_languages: tuple[str, ...] = Field(
        default=("en",), description="Languages extracted; others get a 'skipped' outcome and are counted."
    )
    extractor_classifier: bool = Field(
        default=False,
        description=(
            "Run the classify stage with the packaged sentence classifier (gate before the parse, main event agreeing"
            " with it); false runs the rules alone. Off by default: docs/classifier.md, 'In the extractor'."
        ),
    )
    extractor_classifier_workers: int = Field(
        default=2, ge=1, le=8, description="Sentences the classifier reads at a time, one core each."
    )


def configured_extractor(settings: ExtractorSettings | None = None) -> Extractor:
    """The packaged extractor as the settings say: with or without the sentence classifier, and its workers.

    The one place the service, the embedded pipeline and the alert evaluation build their extractor, so that all
    three run what ``POWDERKEG_EXTRACTOR_CLASSIFIER`` says.
    """
    from powderkeg_extractor.core.pipeline import Extractor

    chosen = settings or ExtractorSettings()
    return Extractor.packaged(
        classifier=chosen.extractor_classifier, classifier_workers=chosen.extractor_classifier_workers
    )
