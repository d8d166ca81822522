"""crimesim.run against `crimesim run`: same tables, summary and scenario for
the same seed; tables handed over without a copy."""

import pathlib

import crimesim
import pytest

from conftest import REPO, SMALL, read_run_folder, run_cli, small_args


@pytest.mark.parametrize("threads", [1, 2])
def test_run_tables_summary_and_scenario_equal_the_cli_outputs_for_the_same_seed(
    cli, tmp_path, threads
):
    run_cli(cli, "run", "--out", tmp_path, "--seed", 7, "--quiet", *small_args())
    tables, summary, scenario = read_run_folder(tmp_path)
    run = crimesim.run(seed=7, set=SMALL, threads=threads, progress=False)
    assert set(run.tables) == set(tables)
    for name, table in tables.items():
        assert run.tables[name].schema.equals(table.schema, check_metadata=True), name
        assert run.tables[name].equals(table), name
    assert run.summary == summary
    assert run.scenario == scenario
    assert run.events.num_rows > 0 and run.ticks.num_rows == SMALL["ticks"]


def test_a_short2008_run_equals_the_cli_run_of_its_file(cli, tmp_path):
    path = REPO / "scenarios" / "short2008-b.toml"
    run_cli(cli, "run", path, "--out", tmp_path, "--ticks", 300, "--quiet")
    tables, summary, scenario = read_run_folder(tmp_path)
    run = crimesim.run(path, ticks=300, progress=False)
    for name, table in tables.items():
        assert run.tables[name].equals(table), name
    assert run.summary == summary and run.scenario == scenario
    assert run.manifest["model"] == "short2008"


def test_each_column_keeps_the_buffer_the_simulation_filled(tmp_path):
    run = crimesim.run(seed=3, set=SMALL, progress=False)
    checked = 0
    for name, table in run.tables.items():
        for column, address in zip(table.columns, run._addresses[name]):
            assert column.num_chunks == 1, name
            if len(column) == 0:
                continue
            # buffers(): [validity (none: no nulls), values]
            assert column.chunks[0].buffers()[1].address == address, (name, column)
            checked += 1
    assert checked >= 30


def test_a_dict_toml_text_and_file_give_the_same_run(tmp_path):
    text = (REPO / "experiments" / "street-lighting" / "relit.toml").read_text()
    path = tmp_path / "relit.toml"
    path.write_text(text)
    as_dict = {
        "model": "city",
        "seed": 1,
        "ticks": 2160,
        "record_every": 24,
        "grid": {"width": 128, "height": 128},
        "city": {
            "population": 20000,
            "generate": {
                "districts_x": 3,
                "districts_y": 3,
                "lighting_max": 1.0,
                "lighting_deprivation_slope": 0.0,
            },
        },
    }
    runs = [
        crimesim.run(s, set=SMALL, progress=False)
        for s in (path, str(path), text, as_dict)
    ]
    for other in runs[1:]:
        assert other.scenario == runs[0].scenario
        for name, table in runs[0].tables.items():
            assert other.tables[name].equals(table), name


def test_validate_returns_the_resolved_scenario_of_a_shipped_file():
    v = crimesim.validate(REPO / "scenarios" / "city-small.toml", set={"seed": 5})
    assert (v["model"], v["width"], v["height"], v["ticks"], v["seed"]) == (
        "city", 128, 128, 8760, 5
    )
    assert crimesim.validate(v["scenario"])["scenario"] == v["scenario"]


def test_progress_callback_sees_every_tick_up_to_the_total():
    seen = []
    crimesim.run(set=SMALL, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (SMALL["ticks"], SMALL["ticks"])
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_progress_shows_a_tqdm_bar_when_tqdm_is_installed(capsys):
    pytest.importorskip("tqdm")
    crimesim.run(set=SMALL, progress=True)
    assert "ticks" in capsys.readouterr().err
