"""The experiment runner (``bargainjax run`` / ``reproduce``) and the first experiment."""

import json
import math
import pathlib
import sys
import textwrap

import jax.numpy as jnp
import numpy as np
import pytest

from bargainjax import experiment
from bargainjax.cli import main
from bargainjax.experiment import check, run_experiment, to_jsonable

ROOT = pathlib.Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"

FAKE = textwrap.dedent('''
    import math
    import sys

    from bargainjax.experiment import check, main

    def run(params, out_dir):
        (out_dir / "fig.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n")
        x = params["x"]
        return {
            "results": {"x": x, "nan": math.nan,
                        "certificates": {"toy": {"name": "gap", "value": 0.0, "tol": 1e-9,
                                                 "status": "successful"}}},
            "checks": [check("toy.x", x, 1.0, source="made up"),
                       check("toy.misprint", x, 2.0, source="made up", note="a misprint")],
            "figures": ["fig.png"],
        }

    if __name__ == "__main__":
        sys.exit(main(__file__))
''')


@pytest.fixture(autouse=True)
def _no_compilation_cache(monkeypatch):
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")


@pytest.fixture
def project(tmp_path):
    """A throwaway project: configs/ and experiments/ side by side."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "toy.py").write_text(FAKE)
    (tmp_path / "configs" / "toy.toml").write_text(
        'experiment = "toy"\ntitle = "A toy"\nsource = "nowhere"\n[params]\nx = 1.0\n')
    return tmp_path


def test_check_helper():
    assert check("a", 8.1539, 8.15, source="s", rtol=0, atol=0.005)["match"]
    assert not check("a", 8.16, 8.15, source="s", rtol=0, atol=0.005)["match"]
    assert not check("a", math.nan, math.nan, source="s")["match"]
    assert not check("a", [1.0, 2.0], [1.0], source="s")["match"]
    c = check("a", jnp.array([1.0, 2.0]), [1.0, 2.0], source="s", note="n")
    assert c["match"] and c["computed"] == [1.0, 2.0] and c["note"] == "n"
    assert set(experiment.CHECK_KEYS) <= set(c)


def test_to_jsonable():
    out = to_jsonable({"a": jnp.array([1.0, jnp.nan]), "b": np.float32(2), "c": (1, np.int64(3)),
                       "d": math.inf, "e": np.array(True), "f": pathlib.Path("x")})
    assert out == {"a": [1.0, None], "b": 2.0, "c": [1, 3], "d": None, "e": True, "f": "x"}
    json.dumps(out, allow_nan=False)


def test_example_01(tmp_path):
    rec = run_experiment(ROOT / "configs" / "report_example_01_nbs.toml", tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == rec
    assert set(experiment.RESULT_KEYS) <= set(saved)
    assert saved["experiment"] == "report_example_01_nbs"
    checks = {c["name"]: c for c in saved["checks"]}
    assert set(checks) == {"ex10.A", "ex10.B", "ex10.nbs", "ex1.disagreement", "ex1.bob_cost",
                           "ex1.d_pareto_inferior", "ex1.equal_slopes_at_nbs"}
    for c in checks.values():
        assert c["match"], c
    assert abs(checks["ex10.A"]["computed"] - 8.15) <= checks["ex10.A"]["atol"]
    assert abs(checks["ex10.B"]["computed"] - 3.15) <= checks["ex10.B"]["atol"]
    s = (20 + 5 * math.sqrt(7)) / 18  # closed form derived in the experiment's docstring
    np.testing.assert_allclose(checks["ex10.A"]["computed"], 10 - s, atol=1e-7)
    np.testing.assert_allclose(checks["ex10.nbs"]["computed"],
                               [15 - 2 * s, 2 * math.sqrt(2 * s)], rtol=1e-8)
    cert = saved["results"]["certificates"]["nbs"]
    assert cert["status"] == "successful" and cert["value"] <= cert["tol"]
    assert {"fig3_feasible_sets.png", "fig4_nbs.png"} <= set(saved["figures"])
    for fig in saved["figures"]:
        assert (tmp_path / fig).read_bytes()[:8] == PNG
    assert "experiments" not in sys.modules  # loaded by path, not as a package


def test_run_command(project, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", str(project / "configs" / "toy.toml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 checks, 1 match" in text and "MISMATCH" in text
    saved = json.loads((out / "results.json").read_text())
    assert saved["results"]["nan"] is None and saved["config"]["params"] == {"x": 1.0}


def test_reproduce_writes_report(project, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["reproduce", "--out", str(out), "--configs", str(project / "configs")])
    assert code == 0  # a mismatching check is not an error
    report = (out / "report.md").read_text()
    assert "2 checks, 1 match" in report
    assert "| toy | toy.misprint | 1 | 2 | **no** | made up | a misprint |" in report
    assert "![fig.png](toy/fig.png)" in report
    assert "| toy | toy | gap | 0 | 1e-09 | successful |" in report
    assert (out / "toy" / "results.json").is_file()
    assert "2 checks, 1 match" in capsys.readouterr().out


def test_reproduce_fails_when_an_experiment_raises(project, tmp_path, capsys):
    (project / "experiments" / "boom.py").write_text(
        "def run(params, out_dir):\n    raise RuntimeError('kaboom')\n")
    (project / "configs" / "boom.toml").write_text('experiment = "boom"\n')
    out = tmp_path / "out"
    code = main(["reproduce", "--out", str(out), "--configs", str(project / "configs")])
    assert code == 1
    report = (out / "report.md").read_text()
    assert "kaboom" in report and "2 checks, 1 match" in report
    assert "kaboom" in (out / "boom" / "error.txt").read_text()
    capsys.readouterr()


@pytest.mark.parametrize("config, match", [
    ('title = "no experiment"\n', "experiment"),
    ('experiment = "missing"\n', "does not exist"),
    ('experiment = "toy"\nparams = 3\n', "params"),
    ('experiment = = "toy"\n', "TOML"),
])
def test_bad_configs(project, tmp_path, capsys, config, match):
    path = project / "configs" / "bad.toml"
    path.write_text(config)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err


def test_main_runs_the_experiment_files_config(project, tmp_path, capsys):
    out = tmp_path / "o"
    path = project / "experiments" / "toy.py"
    assert experiment.config_path(path) == project / "configs" / "toy.toml"
    assert experiment.main(str(path), ["--out", str(out)]) == 0
    assert "2 checks, 1 match" in capsys.readouterr().out
    assert json.loads((out / "results.json").read_text())["experiment"] == "toy"


def test_save_figure(tmp_path):
    plt = experiment.pyplot()
    assert plt.get_backend().lower() == "agg"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert experiment.save_figure(fig, tmp_path, "f.png", dpi=50) == "f.png"
    assert (tmp_path / "f.png").read_bytes()[:8] == PNG
    assert not plt.fignum_exists(fig.number)  # closed


def test_load_experiment_enables_x64(project):
    import jax

    experiment.load_experiment(project / "experiments" / "toy.py")
    assert jax.config.jax_enable_x64 and jnp.zeros(1).dtype == jnp.float64


def test_shipped_experiments_follow_the_contract():
    """Every config names its own file; names say reproduction (report_/post_) or study_;
    experiments import no private module and leave the precision to the runner."""
    configs = sorted((ROOT / "configs").glob("*.toml"))
    files = sorted((ROOT / "experiments").glob("*.py"))
    assert configs and [c.stem for c in configs] == [f.stem for f in files]
    for cfg in configs:
        name = experiment.load_config(cfg)["experiment"]
        assert name == cfg.stem and name.startswith(("report_", "post_", "study_")), name
    for f in files:
        text = f.read_text()
        for bad in ("bargainjax._", "bargainjax.cli", "bargainjax.core", "jax_enable_x64",
                    ".savefig("):
            assert bad not in text, (f.name, bad)


def test_readme_quickstart():
    import doctest

    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
