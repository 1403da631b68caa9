"""Settings from the centre: set on a real platform, pulled by a sync pass, verified, tried and confirmed; bad
documents (bad signature, a value changed on the way, another terminal's, an older version, invalid values)
refused, reported, and nothing changed."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import centre_settings as cs
from kiosk import centre_settings_trial as trial
from kiosk.cli import main as cli_main
from kiosk.settings import Settings, load_settings
from sync.server.centre_settings import settings_key, show
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer

HALL = "330106001"
SETTINGS_PATH = "/api/v1/settings"
CHANGES_PATH = "/api/v1/changes"


class Tamper:
    """Between the terminal and the platform (a proxy, a compromised link): rewrites the settings answer."""

    def __init__(self) -> None:
        self.change: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.replay: bytes | None = None  # an earlier answer sent again instead of the platform's
        self.seen: list[bytes] = []
        # the feed's summary loses its settings version, as from an older platform (or a proxy that strips
        # it): the terminal then asks for the document every pass, so what the proxy does to it is seen
        self.hide_version = False

    def wrap(self, app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == CHANGES_PATH and self.hide_version:
                await _rewritten(app, scope, receive, send, _without_version)
                return
            if scope["type"] != "http" or scope["path"] != SETTINGS_PATH or scope["method"] != "GET":
                await app(scope, receive, send)
                return
            await _rewritten(app, scope, receive, send, self._settings_answer)

        return middleware

    def _settings_answer(self, body: bytes) -> bytes:
        self.seen.append(body)
        if self.replay is not None:
            return self.replay
        if self.change is not None:
            return json.dumps(self.change(json.loads(body))).encode()
        return body


def _without_version(body: bytes) -> bytes:
    page = json.loads(body)
    if page.get("summary"):
        page["summary"].pop("settings_version", None)
    return json.dumps(page).encode()


async def _rewritten(app: Any, scope: Any, receive: Any, send: Any, rewrite: Callable[[bytes], bytes]) -> None:
    """The app's answer, its body passed through `rewrite` when the status is 200."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def capture(message: Any) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks)
    if start["status"] == 200:
        body = rewrite(body)
    headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def tamper() -> Tamper:
    return Tamper()


@pytest.fixture
def server(tmp_path: Path, tamper: Tamper, db_url: str | None) -> Iterator[PlatformServer]:
    """SQLite and PostgreSQL (conftest's `db_url`), as in production."""
    platform = PlatformServer(tmp_path / "platform", db_url, wrap=tamper.wrap)
    yield platform
    platform.stop()


def platform_cli(platform: PlatformServer, *args: str) -> int:
    return cli_main(["platform", "settings", args[0], "--home", str(platform.home), *args[1:]])


def test_every_setting_is_either_settable_from_the_centre_or_never() -> None:
    names = {f.name for f in fields(Settings)}
    assert set(cs.CENTRE_KEYS) | cs.NEVER_KEYS == names
    assert not set(cs.CENTRE_KEYS) & cs.NEVER_KEYS
    assert {"home", "hall_code", "platform_url", "key_dir", "device_no", "id_reader_library"} <= cs.NEVER_KEYS


def test_a_push_is_applied_end_to_end_through_a_sync_pass(server: PlatformServer, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "kiosk"
    home.mkdir()
    # the technician's file: this machine's own receipt printer, and a language the centre will change
    (home / "onewindow.toml").write_text('printer = "tcp:10.0.0.9:9100"\nlanguage = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(home / "onewindow.toml"))
    terminal = make_terminal(home)
    assert terminal.settings.printer == "tcp:10.0.0.9:9100" and terminal.settings.idle_timeout_seconds == 120
    credential = enroll(terminal, server, role="kiosk")
    assert credential.settings_key == settings_key(server.store).public_b64  # received at enrollment

    assert platform_cli(server, "set", "--hall", HALL, "idle_timeout_seconds=90", "language=en",
                        "printer=tcp:10.0.0.1:9100", "receipt_paper_mm=58") == 0
    assert platform_cli(server, "set", "--hall", HALL, "--device", str(credential.device_id),
                        "hall_name_en=Xihu Hall, Kiosk Wing") == 0
    out = capsys.readouterr().out.strip().splitlines()
    version = json.loads(out[-1])["version"]
    assert version == 2

    engine = engine_for(terminal, credential)
    report = engine.run_pass()
    assert report.centre_settings == {"result": "staged", "version": 2, "reports_sent": 0}, report.errors
    assert report.errors == []
    settings = load_settings(home)
    assert settings.idle_timeout_seconds == 90 and settings.language == "en"  # the centre beats the file here
    assert settings.printer == "tcp:10.0.0.9:9100"  # the technician's own device name beats the centre's
    assert settings.receipt_paper_mm == 58  # a device key the file does not name: the centre's
    assert settings.hall_name_en == "Xihu Hall, Kiosk Wing"  # the terminal's own layer over the hall's
    assert load_settings(home, centre=False).language == "zh"  # the file alone, as before the push

    # the window starts on trial and, up and healthy, confirms
    choice = trial.begin_window_start(home)
    assert choice.on_trial and choice.version == 2
    assert trial.confirm_window_start(home, 2)
    state = trial.read_state(home)
    assert state.good is not None and state.good.version == 2 and state.trial is None

    report = engine.run_pass()
    assert report.centre_settings == {"result": "unchanged", "version": 2, "reports_sent": 1}
    shown = show(server.store, HALL, credential.device_id)
    assert shown["terminals"][0]["last_report"]["outcome"] == "applied"
    assert shown["terminals"][0]["last_report"]["version"] == 2
    assert shown["terminals"][0]["effective"]["language"] == "en"


def _state_bytes(home: Path) -> bytes | None:
    path = trial.state_path(home)
    return path.read_bytes() if path.exists() else None


def _applied_v1(server: PlatformServer, tmp_path: Path) -> tuple[Any, Any, Any]:
    terminal = make_terminal(tmp_path / "kiosk")
    credential = enroll(terminal, server, role="kiosk")
    server_change = platform_cli(server, "set", "--hall", HALL, "idle_timeout_seconds=200")
    assert server_change == 0
    engine = engine_for(terminal, credential)
    assert engine.run_pass().centre_settings["result"] == "staged"  # type: ignore[index]
    assert trial.begin_window_start(terminal.settings.home).on_trial
    assert trial.confirm_window_start(terminal.settings.home, 1)
    return terminal, credential, engine


def _refused(engine: Any, home: Path, words: str) -> dict[str, Any]:
    settings_before = load_settings(home)
    report = engine.run_pass()
    outcome = report.centre_settings
    assert outcome["result"] == "refused", outcome
    assert words in outcome["reason"]["en"] and outcome["reason"]["zh"]
    assert any("settings from the centre refused" in e for e in report.errors)
    assert load_settings(home) == settings_before  # nothing changed
    state = trial.read_state(home)
    assert state.trial is None and state.good is not None and state.good.version == 1
    assert state.reports and state.reports[-1]["outcome"] == "refused"  # noted for the platform
    return outcome


def test_a_value_changed_on_the_way_and_a_bad_signature_are_refused(server: PlatformServer, tamper: Tamper,
                                                                    tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    tamper.hide_version = True  # the proxy's doing must reach the terminal every pass
    terminal, credential, engine = _applied_v1(server, tmp_path)
    home = terminal.settings.home
    assert platform_cli(server, "set", "--hall", HALL, "idle_timeout_seconds=300") == 0

    def raise_timeout(envelope: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(envelope["document"])
        document["values"]["idle_timeout_seconds"] = 1800  # a proxy keeps citizens' data on screen for longer
        return {**envelope, "document": json.dumps(document, sort_keys=True, separators=(",", ":"))}

    tamper.change = raise_timeout
    _refused(engine, home, "signature")
    assert any("refused" in r.message and "signature" in r.message for r in caplog.records)  # logged

    attacker = Ed25519PrivateKey.generate()

    def resigned(envelope: dict[str, Any]) -> dict[str, Any]:  # values the attacker likes, signed by another key
        changed = raise_timeout(envelope)
        changed["signature"] = base64.b64encode(attacker.sign(changed["document"].encode())).decode()
        return changed

    tamper.change = resigned
    _refused(engine, home, "signature")
    assert load_settings(home).idle_timeout_seconds == 200

    tamper.change = None  # the platform's own answer, untouched, is taken
    report = engine.run_pass()
    assert report.centre_settings["result"] == "staged" and report.centre_settings["version"] == 2
    assert report.centre_settings["reports_sent"] == 1  # the second refusal; the first went with the pass after it
    with server.store.read() as session:
        from sqlalchemy import select

        from sync.server.centre_settings_models import CentreSettingsReport

        outcomes = [r.outcome for r in session.scalars(select(CentreSettingsReport).order_by(CentreSettingsReport.id))]
    assert outcomes == ["applied", "refused", "refused"]
    assert load_settings(home).idle_timeout_seconds == 300


def test_another_terminals_document_an_older_version_and_invalid_values_are_refused(
        server: PlatformServer, tamper: Tamper, tmp_path: Path) -> None:
    tamper.hide_version = True  # the proxy's doing must reach the terminal every pass
    terminal, credential, engine = _applied_v1(server, tmp_path)
    home = terminal.settings.home
    v1_answer = tamper.seen[-1]

    other = make_terminal(tmp_path / "other")
    other_credential = enroll(other, server, name="kiosk-2", role="kiosk")
    assert platform_cli(server, "set", "--hall", HALL, "--device", str(other_credential.device_id),
                        "language=en") == 0
    engine_for(other, other_credential).run_pass()
    tamper.replay = tamper.seen[-1]  # the other kiosk's (validly signed) document, sent to this one
    _refused(engine, home, "another terminal")

    # a newer version is taken; then the older one comes back (a replayed answer): a rollback, refused
    tamper.replay = None
    assert platform_cli(server, "set", "--hall", HALL, "supplement_days=7") == 0
    assert engine.run_pass().centre_settings["result"] == "staged"  # type: ignore[index]
    choice = trial.begin_window_start(home)
    assert trial.confirm_window_start(home, choice.version)
    tamper.replay = v1_answer
    report = engine.run_pass()
    assert report.centre_settings["result"] == "refused" and "rollback" in report.centre_settings["reason"]["en"]
    assert load_settings(home).supplement_days == 7
    assert trial.read_state(home).good.version == choice.version  # type: ignore[union-attr]

    # values the terminal would not take, even signed with the platform's own key (an older platform's
    # rules, a platform bug): refused with the value named
    key = settings_key(server.store)
    text = json.dumps({"kind": "onewindow.centre-settings/1", "version": 99, "hall_code": HALL,
                       "device_id": credential.device_id, "issued_at": "2026-01-01T00:00:00+00:00",
                       "values": {"idle_timeout_seconds": 5, "platform_url": "https://elsewhere.example/api/v1"}})
    tamper.replay = json.dumps({"document": text, "key_id": key.key_id, "signature": base64.b64encode(
        key.private.sign(text.encode())).decode()}).encode()
    settings_before = load_settings(home)
    report = engine.run_pass()
    outcome = report.centre_settings
    assert outcome["result"] == "refused"
    assert "idle_timeout_seconds" in outcome["reason"]["en"] and "platform_url" in outcome["reason"]["en"]
    assert "idle_timeout_seconds" in outcome["reason"]["zh"]
    assert load_settings(home) == settings_before and trial.read_state(home).trial is None


def test_the_platform_refuses_what_the_centre_may_not_set_and_stores_nothing(
        server: PlatformServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert platform_cli(server, "set", "--hall", HALL, "platform_url=https://evil.example/api/v1",
                        "idle_timeout_seconds=abc", "max_file_bytes=1", "colour=red", "nonsense") == 2
    err = capsys.readouterr().err
    assert "平台设置无效" in err and "Invalid centre settings" in err
    for words in ("platform_url is set on the terminal only", "idle_timeout_seconds must be a whole number",
                  "max_file_bytes: 1048576 to 209715200", "there is no setting colour", "must be KEY=VALUE"):
        assert words in err, words
    assert platform_cli(server, "set", "--hall", HALL, "printer=file:/var/tmp/receipts") == 2
    assert "file:" in capsys.readouterr().err
    assert platform_cli(server, "set", "--hall", HALL, "--device", "4242", "language=en") == 2
    assert "4242" in capsys.readouterr().err
    assert platform_cli(server, "clear", "--hall", HALL, "language") == 2
    assert "language is not set" in capsys.readouterr().err
    assert show(server.store, HALL)["hall"] is None  # nothing stored

    assert platform_cli(server, "set", "--hall", HALL, "large_text=true", "language=en") == 0
    assert platform_cli(server, "clear", "--hall", HALL, "language") == 0
    capsys.readouterr()
    assert platform_cli(server, "show", "--hall", HALL, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["hall"]["values"] == {"large_text": True} and shown["hall"]["version"] == 2


def test_a_terminal_enrolled_before_centre_settings_takes_none(server: PlatformServer, tmp_path: Path) -> None:
    import dataclasses

    from sync.credentials import save_credential

    terminal = make_terminal(tmp_path / "old")
    credential = dataclasses.replace(enroll(terminal, server, role="kiosk"), settings_key=None)
    save_credential(terminal.settings, credential)
    assert platform_cli(server, "set", "--hall", HALL, "language=en") == 0
    report = engine_for(terminal, credential).run_pass()
    assert report.centre_settings["result"] == "no_key"  # type: ignore[index]
    assert any("enroll it again" in e for e in report.errors)
    assert _state_bytes(terminal.settings.home) is None and load_settings(terminal.settings.home).language == "zh"


def test_trial_starts_that_never_confirm_roll_back_to_the_last_good_settings(home: Path) -> None:
    trial.stage(home, trial.Document(version=3, values={"language": "en"}, signed={}))
    assert trial.confirm_window_start(home, trial.begin_window_start(home).version)
    trial.stage(home, trial.Document(version=4, values={"language": "zh", "idle_timeout_seconds": 45}, signed={}))
    assert load_settings(home).idle_timeout_seconds == 45  # the trial is what this terminal runs on now
    first, second = trial.begin_window_start(home), trial.begin_window_start(home)  # both crashed before confirming
    assert first.on_trial and second.on_trial
    third = trial.begin_window_start(home)
    assert not third.on_trial and third.rolled_back == 4 and third.version == 3
    settings = load_settings(home)
    assert settings.language == "en" and settings.idle_timeout_seconds == Settings().idle_timeout_seconds
    report = trial.read_state(home).reports[-1]  # type: ignore[index]
    assert report["outcome"] == "rolled_back" and report["version"] == 4 and "version 3" in report["reason"]["en"]
    assert not trial.confirm_window_start(home, 4)  # a late confirmation of the dropped trial changes nothing


def test_a_first_trial_that_fails_goes_back_to_the_terminals_own_settings(home: Path) -> None:
    trial.stage(home, trial.Document(version=1, values={"language": "en"}, signed={}))
    assert load_settings(home).language == "en"
    assert trial.begin_window_start(home).on_trial and trial.begin_window_start(home).on_trial
    third = trial.begin_window_start(home)
    assert third.rolled_back == 1 and third.version == 0 and load_settings(home).language == "zh"
    reason = trial.read_state(home).reports[-1]["reason"]  # type: ignore[index]
    assert "the terminal's own settings" in reason["en"] and "本机自己的设置" in reason["zh"]


def test_a_damaged_state_file_leaves_the_terminal_on_its_own_settings(home: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    trial.stage(home, trial.Document(version=1, values={"language": "en"}, signed={}))
    path = trial.state_path(home)
    path.write_bytes(path.read_bytes()[:40])  # cut short (a disk that lied about fsync)
    settings = load_settings(home)
    assert settings.language == "zh" and "damaged" in caplog.text
    assert not trial.begin_window_start(home).on_trial


def test_a_pass_asks_for_settings_and_the_catalog_only_once_the_feed_says_they_changed(
        server: PlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed's last page names the catalog's ETag and the version of the terminal's settings; a pass that
    holds both asks for neither (they change a few times a year, passes come every minute). A new catalog
    is asked for in the pass after the feed named it; new settings in the same pass."""
    from sync.server.models import PublishedCatalog
    from tests.sync.licence_fixtures import publish_demo_catalog

    publish_demo_catalog(server)
    terminal = make_terminal(tmp_path / "kiosk")
    credential = enroll(terminal, server, role="kiosk")
    engine = engine_for(terminal, credential)
    asked: list[str] = []
    send = engine.client.request

    def recording(method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(f"{method} {path}")
        return send(method, path, **kwargs)

    monkeypatch.setattr(engine.client, "request", recording)

    def one_pass() -> tuple[Any, list[str]]:
        asked.clear()
        report = engine.run_pass()
        assert report.errors == [], report.errors
        return report, [a for a in asked if a in ("GET catalog", "GET settings")]

    first, wanted = one_pass()
    assert first.catalog_updated and wanted == ["GET catalog"]  # nothing held yet; no settings set: not asked
    assert first.centre_settings["result"] == "none"
    second, wanted = one_pass()
    assert wanted == [] and second.centre_settings["result"] == "none"

    assert platform_cli(server, "set", "--hall", HALL, "idle_timeout_seconds=200") == 0
    staged, wanted = one_pass()
    assert wanted == ["GET settings"] and staged.centre_settings["result"] == "staged"
    same, wanted = one_pass()
    assert wanted == [] and same.centre_settings == {"result": "unchanged", "version": 1, "reports_sent": 0}

    with server.store.transaction() as session:
        newest = session.query(PublishedCatalog).order_by(PublishedCatalog.id.desc()).first()
        session.add(PublishedCatalog(version=f"{newest.version}-2", etag="a-newer-catalog", document=newest.document))
    named, wanted = one_pass()  # this pass's feed names it
    assert wanted == [] and not named.catalog_updated
    fetched, wanted = one_pass()
    assert wanted == ["GET catalog"] and fetched.catalog_updated
    quiet, wanted = one_pass()
    assert wanted == [] and not quiet.catalog_updated
