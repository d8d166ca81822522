"""crimesim.compare and crimesim.sweep against `crimesim compare` and
`crimesim sweep` + `crimesim merge`: the same tables."""

import pyarrow.parquet as pq
import crimesim

from conftest import REPO, SMALL, read_arrow, run_cli, small_args

LIGHTING = REPO / "experiments" / "street-lighting"
ARMS = [LIGHTING / "baseline.toml", LIGHTING / "relit.toml"]


def test_compare_tables_equal_the_cli_comparison_of_the_same_arms(cli, tmp_path):
    cli_out = tmp_path / "cli"
    run_cli(cli, "compare", *ARMS, "--out", cli_out, "--replicates", 3, "--seed", 9,
            "--quiet", "--threads", 2, *small_args())
    c = crimesim.compare(ARMS, replicates=3, seed=9, set=SMALL, threads=2,
                         out=tmp_path / "py", progress=False)
    for name in ("comparison", "replicates"):
        assert getattr(c, name).equals(read_arrow(cli_out / f"{name}.arrow")), name
    assert c.replicates.num_rows == 6
    assert set(c.comparison.column("arm").to_pylist()) == {"baseline", "relit"}


def test_a_branched_comparison_of_named_arms_equals_the_cli_one(cli, tmp_path):
    cli_out = tmp_path / "cli"
    run_cli(cli, "compare", *ARMS, "--out", cli_out, "--replicates", 2,
            "--branch-day", 2, "--quiet", *small_args())
    arms = {"baseline": ARMS[0], "relit": ARMS[1].read_text()}
    c = crimesim.compare(arms, replicates=2, branch_day=2, set=SMALL, progress=False)
    assert c.out is None
    assert c.comparison.equals(read_arrow(cli_out / "comparison.arrow"))


def test_sweep_tables_equal_the_cli_sweep_and_merge(cli, tmp_path):
    smoke = LIGHTING / "smoke.toml"
    run_cli(cli, "sweep", smoke, "--out", tmp_path / "cli", "--quiet")
    run_cli(cli, "merge", tmp_path / "cli")
    s = crimesim.sweep(smoke, out=tmp_path / "py", progress=False)
    assert s.plan.equals(read_arrow(tmp_path / "cli" / "plan.arrow"))
    assert s.results.equals(read_arrow(tmp_path / "cli" / "results.arrow"))
    assert s.ticks.equals(pq.read_table(tmp_path / "cli" / "ticks.parquet"))
    assert s.results.num_rows == s.plan.num_rows == 4


def test_ctrl_c_stops_a_comparison_at_the_end_of_a_tick_and_a_second_call_resumes_it(tmp_path):
    import os
    import signal
    import threading
    import time

    # Four runs of the default city for a year on two workers: seconds each.
    # SIGINT after 0.5 s, before any run can end: KeyboardInterrupt comes
    # at the end of the tick the runs are in, not when a run ends.
    kwargs = dict(replicates=2, threads=2, out=tmp_path, progress=False)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        crimesim.compare(ARMS, ticks=8760, **kwargs)
        raise AssertionError("not interrupted")
    except KeyboardInterrupt as e:
        message = str(e)
    waited = time.monotonic() - started
    timer.join()
    assert "crimesim.compare stopped" in message, message
    assert 0.5 <= waited < 1.5, waited
    # Stopped runs leave nothing: no run under its final name, no hidden
    # folder, no failure marker.
    assert list(tmp_path.glob("runs/*/*")) == [], list(tmp_path.glob("runs/*/*"))
    assert list(tmp_path.glob("runs/*/.*")) == [], list(tmp_path.glob("runs/*/.*"))
    # The next call (shorter runs) does the whole comparison.
    c = crimesim.compare(ARMS, ticks=240, **kwargs)
    assert c.replicates.num_rows == 4
    assert len(list(tmp_path.glob("runs/*/*/manifest.json"))) == 4
