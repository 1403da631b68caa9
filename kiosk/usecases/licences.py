"""Electronic licences standing in for materials, as the kiosk, the counter and the CLI use them
(L2 implements; L3's screens call these).

After identity, and only with the citizen's consent on screen, the terminal asks the platform which of
the item's materials the citizen already holds as valid licences (`ask_offers`). The ones the citizen
takes are used (`use_offers`): each use is recorded on the platform and in this terminal's audit, and its
annotated copy (加注件) becomes the material's file, so the material is "已调用电子证照，免提交". Offline,
`ask_offers` answers `available=False` and the step says `NEEDS_LINK`: the paper is captured as today.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.licences.model import Consent, LicenceOffer, LicenceOffers, LicenceRef
from kiosk.materials.intake import MaterialFile
from kiosk.terminal import Terminal


@dataclass(frozen=True)
class ReusedMaterial:
    """One material an electronic licence stands for: the session puts `file` under `material_code` in its
    materials and `ref` under the same code in its licences (`ApplicationDraft.licences`)."""

    material_code: str
    ref: LicenceRef
    file: MaterialFile


def ask_offers(t: Terminal, *, id_number: str, service_item: str, application_id: str,
               consent: Consent) -> LicenceOffers:
    raise NotImplementedError


def use_offers(t: Terminal, offers: Sequence[LicenceOffer], *, id_number: str, service_item: str,
               application_id: str, consent: Consent, actor: str) -> list[ReusedMaterial]:
    """Use each offer (one per material); raises `LicenceUnavailable` naming the material that failed, after
    which the materials already used stay used and the rest go on paper."""
    raise NotImplementedError
