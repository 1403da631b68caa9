"""`onewindow` loads the module of the command it runs, and only that one."""
from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from kiosk.cli import build_parser, command_named

ROOT = Path(__file__).resolve().parents[1]


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_each_command_registers_the_name_it_is_loaded_by():
    """The parser is built from the command word's entry point alone, so each must register exactly its name."""
    names = {ep.name for ep in entry_points(group="onewindow.commands")}
    assert {"submit", "walk-in", "platform", "print", "counter"} <= names
    for name in sorted(names):
        assert _choices(build_parser(name)) == {name}, name
    assert _choices(build_parser()) == names
    assert _choices(build_parser("no-such-command")) == names  # so argparse can list them in its error


@pytest.mark.parametrize(("argv", "word"), [
    (["submit", "--file", "a.json"], "submit"),
    (["--home", "/data", "walk-in", "x.json"], "walk-in"),
    (["--home=/data", "print", "retry"], "print"),
    (["--help"], None),
    ([], None),
    (["--home"], None),
])
def test_the_command_word_is_found_wherever_the_home_option_is(argv, word):
    assert command_named(argv) == word


def test_a_command_does_not_load_the_windows(tmp_path):
    probe = ("import sys; from kiosk.cli import main; main(['--home', sys.argv[1], 'applications', '--json']); "
             "print(sorted(m for m in sys.modules if m.startswith(('ui.', 'PySide6'))))")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "home")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_program_answers_a_bad_command_line_once(tmp_path):
    for argv, expected in ((["--home"], "argument --home: expected one argument"),
                           (["--home", str(tmp_path), "no-such-command"], "invalid choice: 'no-such-command'")):
        done = subprocess.run([sys.executable, "-m", "kiosk", *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2
        assert done.stderr.count("usage:") == 1 and expected in done.stderr, done.stderr
