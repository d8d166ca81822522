"""Errors raise located exceptions; Ctrl-C stops at the end of a tick; the
GIL is free while the model runs."""

import os
import signal
import threading
import time

import crimesim
import pytest

from conftest import SMALL


def test_a_scenario_error_carries_file_line_column_and_message(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('model = "city"\n\n[city.robbery]\nreport_probability = 1.2\n')
    with pytest.raises(crimesim.ScenarioError) as e:
        crimesim.run(path, progress=False)
    err = e.value
    assert (err.file, err.line, err.column) == (str(path), 4, 22)
    assert "city.robbery.report_probability" in err.message
    assert err.expected == "a number from 0 to 1"
    assert str(err) == f"{path}:4:22: {err.message} ({err.expected})"
    assert isinstance(err, ValueError)


def test_an_override_error_names_the_override():
    with pytest.raises(crimesim.ScenarioError) as e:
        crimesim.validate(None, set=["city.population=many"])
    assert e.value.file == "--set #1" and e.value.line == 1
    with pytest.raises(crimesim.ScenarioError, match="unknown parameter `city.nonsense`"):
        crimesim.run(set={"city.nonsense": 1}, progress=False)


def test_a_dict_with_a_value_toml_cannot_hold_is_a_type_error():
    with pytest.raises(TypeError, match="`city.population`"):
        crimesim.run({"city": {"population": object()}}, progress=False)


def test_a_missing_scenario_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.toml"):
        crimesim.run(tmp_path / "missing.toml", progress=False)


def test_a_bad_experiment_file_is_a_located_scenario_error(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('base = "nowhere.toml"\ndesign = "grid"\n')
    with pytest.raises((crimesim.ScenarioError, FileNotFoundError)) as e:
        crimesim.sweep(path, progress=False)
    assert str(path) in str(e.value)


def _sigint_after(seconds):
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_stops_a_run_at_the_end_of_a_tick_and_the_next_run_works():
    # The default city for a year (without its warm-up) takes seconds;
    # SIGINT comes after 0.5 s.
    ticks_seen = []
    timer = _sigint_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt, match=r"stopped at the end of tick (\d+)") as e:
        crimesim.run(
            threads=1,
            set={"city.warmup_days": 0},
            progress=lambda done, total: ticks_seen.append(done),
        )
    waited = time.monotonic() - started
    timer.join()
    tick = int(str(e.value).rsplit(" ", 1)[1])
    assert 0.5 <= waited < 1.5, waited
    assert 0 < ticks_seen[-1] <= tick < 8760
    # A run after the interrupt is a whole run.
    assert crimesim.run(set=SMALL, progress=False).ticks.num_rows == SMALL["ticks"]


def test_ctrl_c_stops_a_run_during_its_warm_up_within_a_simulated_day():
    # Ten years of warm-up take far longer than the wait before SIGINT.
    timer = _sigint_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt, match="during the warm-up"):
        crimesim.run(threads=1, set={"city.warmup_days": 3650}, progress=False)
    waited = time.monotonic() - started
    timer.join()
    assert 0.5 <= waited < 1.5, waited


def test_the_gil_is_released_while_the_model_runs():
    counts = []
    stop = threading.Event()

    def count():
        n = 0
        while not stop.is_set():
            n += 1
        counts.append(n)

    t = threading.Thread(target=count)
    t.start()
    started = time.monotonic()
    crimesim.run(ticks=2000, threads=1, progress=False)  # the default city, about 1 s
    elapsed = time.monotonic() - started
    stop.set()
    t.join()
    # A pure-Python loop counts millions a second when it has the GIL; with
    # the GIL held by the run it would count almost nothing.
    assert elapsed > 0.1
    assert counts[0] / elapsed > 100_000, (counts[0], elapsed)
