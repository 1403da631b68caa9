"""What the platform's pre-review said of an online case's material, as the counter's review shows it."""
from __future__ import annotations

from kiosk.usecases.views import MaterialView
from ui.counter.common import when
from ui.i18n import translate


def prereview_line(material: MaterialView) -> str:
    """Online cases: what the platform's pre-review said of the material, and whether its original was seen
    at the window ("" for a material nobody pre-reviewed)."""
    if material.original_seen_at is not None:
        return "\n✔ " + translate("Counter", "Original seen at %1").replace("%1", when(material.original_seen_at))
    if material.prereview == "passed":
        return "\n✔ " + translate("Counter", "Passed the online pre-review")
    if material.prereview == "original":
        return "\n⚠ " + translate("Counter", "Original to be checked here")
    return ""
