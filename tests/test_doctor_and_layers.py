import json
import subprocess
import sys

from kiosk.cli import main
from tests.conftest import ROOT
from tests.test_submit import example, submit_doc, with_files


def test_doctor_reports_everything(capsys, home):
    rc = main(["--home", str(home), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    names = {c["name"]: c for c in report["checks"]}
    for key in ("qt", "cjk_font", "store", "data_dir", "configuration", "catalog", "holiday_calendar"):
        assert key in names
    assert names["qt"]["status"] == "ok" and names["qt"]["data"]["chinese_families"]
    assert names["cjk_font"]["status"] == "ok"
    assert rc == 0 and report["ok"]


def test_doctor_only_runs_the_checks_named(capsys, home):
    assert main(["--home", str(home), "doctor", "--json", "--only", "store,qt"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in report["checks"]] == ["store", "qt"]  # speech, a seconds-long check, did not run
    assert main(["--home", str(home), "doctor", "--only", "no_such_check"]) == 2
    assert "no check is named no_such_check" in capsys.readouterr().err


def test_doctor_verify_finds_a_flipped_byte(capsys, home, tmp_path, terminal):
    doc = with_files(example(capsys, home), tmp_path)
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 0, err
    assert main(["--home", str(home), "doctor", "--verify", "--json"]) == 0
    capsys.readouterr()
    victim = terminal.attachments.stored_hashes()[0]
    path = terminal.attachments.path_for(victim)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    rc = main(["--home", str(home), "doctor", "--verify", "--json"])
    report = json.loads(capsys.readouterr().out)
    att = next(c for c in report["checks"] if c["name"] == "attachments")
    assert rc == 1 and att["status"] == "fail"
    assert [d["sha256"] for d in att["data"]["damaged"]] == [victim]


def test_model_packages_never_load_qt():
    code = ("import sys, kiosk.cli, kiosk.terminal, kiosk.doctor, kiosk.submission, sync, printing;"
            "import pkgutil, importlib\n"
            "for pkg in ('kiosk', 'sync', 'printing'):\n"
            "    m = importlib.import_module(pkg)\n"
            "    for info in pkgutil.walk_packages(m.__path__, pkg + '.'):\n"
            "        if info.name.endswith('__main__') or '.migrations' in info.name: continue\n"
            "        importlib.import_module(info.name)\n"
            "bad = [n for n in sys.modules if n.startswith(('PySide6', 'shiboken6'))]\n"
            "print(bad); assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr + result.stdout


def test_import_linter_contracts_hold():
    lint = ROOT / ".venv" / "bin" / "lint-imports"
    exe = str(lint) if lint.exists() else "lint-imports"
    result = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout
