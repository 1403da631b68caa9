"""The platform link as a part of the terminal (`Terminal.sync`).

`attach` is the `onewindow.terminal_parts` entry point. With `background`
(the windows) and an enrolled terminal it starts the sync worker in a process
of its own (`sync.process`: so that a pass never holds the window's GUI
thread up on Python's lock); without,
`poke` does nothing and `state` says no worker runs, so a one-shot CLI command
never leaves a thread behind. Look-ups ask the platform with short timeouts
and turn every kind of link trouble into an answer the screen can show.
"""
from __future__ import annotations

import logging

from kiosk.audit import PlatformHead, PlatformHeads
from kiosk.errors import Message
from kiosk.licences.model import NEEDS_LINK, Consent, LicenceCopy, LicenceOffer, LicenceOffers, LicenceUnavailable
from kiosk.terminal import PlatformAnswer, SyncState, Terminal
from sync import licences, wire
from sync.client import Offline, PlatformClient, Refused, Timeouts
from sync.credentials import Credential, EnrollmentRequired, load_credential
from sync.process import SyncProcess

log = logging.getLogger("onewindow.sync.part")
NOT_ENROLLED = Message("本终端未注册到平台，以下为本机记录。",
                       "This terminal is not enrolled with the platform; this is the terminal's own record.")
UNREACHABLE = Message("平台暂时无法连接，以下为本机记录。",
                      "The platform cannot be reached right now; this is the terminal's own record.")
LOOKUP_TIMEOUTS = Timeouts(connect=3.0, read=10.0)
# a citizen waits at the screen: a library that does not answer soon means paper, as offline does
LICENCE_TIMEOUTS = Timeouts(connect=3.0, read=10.0)


class PlatformLink:
    def __init__(self, terminal: Terminal, *, background: bool) -> None:
        self.terminal = terminal
        self.background = background
        self.worker: SyncProcess | None = None
        self._stopped = False
        self._ensure_worker()

    def _ensure_worker(self) -> SyncProcess | None:
        """The worker starts once the terminal is enrolled (which may happen after the window opened)."""
        if self.worker is None and self.background and not self._stopped:
            if self._credential() is not None:
                self.worker = SyncProcess(self.terminal)
                self.worker.start()
        return self.worker

    def _credential(self, *, quiet: bool = False) -> Credential | None:
        """None when not enrolled, or when the credential file is damaged: doctor reports that, sync waits."""
        try:
            return load_credential(self.terminal.settings)
        except Exception:  # noqa: BLE001 - whatever the damage, the answer is "no usable credential"
            if not quiet:
                log.exception("credential unreadable")
            return None

    def poke(self) -> None:
        worker = self._ensure_worker()
        if worker is not None:
            worker.poke()

    def connectivity_changed(self, online: bool) -> None:
        worker = self._ensure_worker()
        if worker is not None:
            worker.connectivity_changed(online)

    def state(self) -> SyncState:
        worker = self._ensure_worker()
        if worker is None:
            return SyncState(running=False, enrollment_required=self._credential(quiet=True) is None)
        return worker.status()

    def look_up(self, number: str) -> PlatformAnswer:
        credential = self._credential()
        if credential is None:
            return PlatformAnswer(False, note=NOT_ENROLLED)
        client = PlatformClient.for_credential(credential, LOOKUP_TIMEOUTS)
        try:
            found = wire.parse(wire.LookupAnswer, client.json("GET", "lookup", params={"number": number}))
        except Refused as exc:
            if exc.status == 404:
                return PlatformAnswer(False)
            return PlatformAnswer(False, note=exc.message)
        except (Offline, wire.ValidationError):
            return PlatformAnswer(False, note=UNREACHABLE)
        except EnrollmentRequired as exc:
            return PlatformAnswer(False, note=exc.message)
        finally:
            client.close()
        return PlatformAnswer(True, status=found.status, status_note=found.status_note, case_no=found.case_no)

    def audit_heads(self) -> PlatformHeads:
        credential = self._credential()
        if credential is None:
            return PlatformHeads(False, enrolled=False, note=Message(
                "本终端未注册到平台（或注册信息无法读取），平台无法核对审计日志。",
                "This terminal is not enrolled with the platform (or its credential cannot be read); the platform "
                "cannot vouch for its audit log."))
        client = PlatformClient.for_credential(credential, LOOKUP_TIMEOUTS)
        try:
            record = wire.parse(wire.AuditHeadsRecord, client.json("GET", "audit/heads", params={"limit": 5000}))
        except Refused as exc:
            return PlatformHeads(False, note=exc.message)
        except (Offline, wire.ValidationError) as exc:
            log.info("audit heads not fetched: %s", exc)
            return PlatformHeads(False, note=Message("平台暂时无法连接。", "The platform cannot be reached right now."))
        except EnrollmentRequired as exc:
            return PlatformHeads(False, note=exc.message)
        finally:
            client.close()
        return PlatformHeads(True, heads=tuple(PlatformHead(h.last_id, h.count, h.hash, h.received_at)
                                               for h in record.heads),
                             discrepancies=tuple(Message(f"{d.received_at.isoformat(timespec='seconds')} {d.reason.zh}",
                                                         f"{d.received_at.isoformat(timespec='seconds')} {d.reason.en}")
                                                 for d in record.discrepancies))

    def licence_offers(self, *, id_number: str, service_item: str, application_id: str,
                       consent: Consent) -> LicenceOffers:
        credential = self._credential()
        if credential is None:
            return LicenceOffers(False, note=NEEDS_LINK)
        client = PlatformClient.for_credential(credential, LICENCE_TIMEOUTS)
        try:
            return licences.ask_offers(licences.LicenceLink(client, self.terminal.store), id_number=id_number,
                                       service_item=service_item, application_id=application_id, consent=consent)
        finally:
            client.close()

    def use_licence(self, offer: LicenceOffer, *, id_number: str, application_id: str, service_item: str,
                    consent: Consent, actor: str, use_id: str) -> LicenceCopy:
        credential = self._credential()
        if credential is None:
            raise LicenceUnavailable(NEEDS_LINK, code="licence_offline")
        item = self.terminal.catalog.item(service_item)
        material = item.material(offer.material_code) if item else None
        reason = (f"办理“{item.name.zh}”，代替材料“{material.name.zh}” / {item.name.en}: instead of "
                  f"'{material.name.en}'" if item and material else f"{service_item}/{offer.material_code}")
        client = PlatformClient.for_credential(credential, LICENCE_TIMEOUTS)
        try:
            return licences.use_licence(licences.LicenceLink(client, self.terminal.store), offer,
                                        id_number=id_number, application_id=application_id,
                                        service_item=service_item, consent=consent, actor=actor, use_id=use_id,
                                        reason=reason)
        finally:
            client.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped = True
        if self.worker is not None:
            self.worker.stop(timeout=timeout)


def attach(terminal: Terminal, *, background: bool) -> None:
    terminal.sync = PlatformLink(terminal, background=background)
