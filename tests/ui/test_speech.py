"""Read-aloud: Mandarin through speech-dispatcher + espeak-ng where installed, silence otherwise."""
import shutil

import pytest
from PySide6.QtTextToSpeech import QTextToSpeech

from ui.speech import ReadAloud


def test_without_an_engine_the_kiosk_stays_silent(qtbot):
    reader = ReadAloud()
    reader._tts = None  # as on a machine without speech-dispatcher
    assert not reader.has_voice("zh")
    assert reader.say("请选择服务事项", "zh") is False
    reader.stop()


@pytest.mark.skipif("speechd" not in QTextToSpeech.availableEngines() or not shutil.which("espeak-ng"),
                    reason="speech-dispatcher with espeak-ng is not installed (./dev.sh setup installs it)")
def test_mandarin_voice_is_found_and_speaks(qtbot):
    reader = ReadAloud()
    assert reader.engine == "speechd"
    assert reader.has_voice("zh") and reader.has_voice("en")
    assert reader.say("请选择服务事项", "zh") is True
    assert "Mandarin" in reader._tts.voice().name()
    reader.stop()
