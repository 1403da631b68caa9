"""Read-aloud runs in its own process: a wedged speech daemon can never freeze the kiosk."""
import shutil
import sys

import pytest

from ui.speech import ReadAloud


def test_a_voice_that_never_answers_leaves_the_kiosk_silent_not_frozen(qtbot):
    reader = ReadAloud(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    assert not reader.has_voice("zh")          # asked at once: no waiting on the child
    assert reader.say("请选择服务事项", "zh") is False
    reader.stop()
    reader.close()


def test_no_engine_means_no_languages(qtbot):
    reader = ReadAloud(command=[sys.executable, "-c", "print('{\"engine\": null, \"languages\": []}')"])
    with qtbot.waitSignal(reader.changed, timeout=10_000, raising=False):
        pass
    assert reader.languages == set() and not reader.say("hello", "en")
    reader.close()


@pytest.mark.skipif(not shutil.which("speech-dispatcher") or not shutil.which("espeak-ng"),
                    reason="speech-dispatcher with espeak-ng is not installed (./dev.sh setup installs it)")
def test_mandarin_and_english_voices_through_speech_dispatcher(qtbot):
    reader = ReadAloud()
    with qtbot.waitSignal(reader.changed, timeout=30_000, raising=False):
        pass
    if not reader.engine:
        reader.close()
        pytest.skip("speech-dispatcher did not answer within 30 s (a daemon without an audio device can wedge)")
    assert reader.engine == "speechd"
    assert reader.has_voice("zh") and reader.has_voice("en")
    assert reader.say("请选择服务事项", "zh") is True
    reader.close()
