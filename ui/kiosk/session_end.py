"""What a citizen is told when their session ends: the truth about their application.

The words follow what really happened (`ui.kiosk.window.end_session` waits
for the save or the discard to finish): an idle session's entries are kept
as a draft for hall staff only once the save succeeded (`kiosk.drafts`:
the kiosk never reopens a draft; a counter resumes it), a cancelled one's
draft is gone only once it was deleted. Nothing is ever called saved that
was not.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ui.i18n import translate


class Outcome(Enum):
    SUBMITTED = "submitted"
    DRAFT_KEPT = "draft_kept"
    DRAFT_NOT_SAVED = "draft_not_saved"
    TIMED_OUT_EMPTY = "timed_out_empty"
    CLEARED = "cleared"
    CLEAR_FAILED = "clear_failed"


@dataclass(frozen=True)
class Farewell:
    """The leaving citizen's language, every possible sentence worded in it, and whether they were read to."""

    language: str
    texts: dict[Outcome, str]
    voiced: bool


def farewell(outcome: Outcome) -> str:
    """The sentence shown on the welcome screen for a while, and spoken in read-aloud mode."""
    if outcome is Outcome.SUBMITTED:
        return translate("Kiosk", "Your application has been submitted. Please keep your receipt. Your details "
                                  "have been cleared from this screen.")
    if outcome is Outcome.DRAFT_KEPT:
        return translate("Kiosk", "Your session ended because the screen was not used. What you entered has been "
                                  "kept at this hall as an unfinished application: bring your ID card to a counter "
                                  "and the staff will continue it with you. It has been cleared from this screen.")
    if outcome is Outcome.DRAFT_NOT_SAVED:
        return translate("Kiosk", "Your session ended because the screen was not used. What you entered could not "
                                  "be saved in full and has been cleared from this screen. Please start again or "
                                  "ask the hall staff.")
    if outcome is Outcome.TIMED_OUT_EMPTY:
        return translate("Kiosk", "Your session ended because the screen was not used. Nothing you entered was "
                                  "kept.")
    if outcome is Outcome.CLEARED:
        return translate("Kiosk", "You left the application. What you entered has been deleted and not kept.")
    return translate("Kiosk", "You left the application. It has been cleared from this screen, but a copy saved "
                              "earlier could not be deleted; the hall staff will remove it.")
