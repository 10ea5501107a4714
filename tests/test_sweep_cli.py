"""``bargainjax sweep CONFIG.toml``: batches from configs, outputs, exit codes, devices.

Known answers (independent of the code): Battle of the Sexes has the correlated feasible set
F = conv{(2,1), (1,2), (0,0)} whose Pareto frontier is the segment u1 + u2 = 3, 1 <= u1 <= 2.
The weighted NBS maximises w1 log(u1 - d1) + w2 log(3 - u1 - d2) on it, whose stationary point
is u1 = d1 + w1 (3 - d1 - d2) / (w1 + w2), clipped to [1, 2] (the objective is concave along
the segment).  Zero-sum values are checked against scipy's HiGHS LP (tests/helpers.py).

The tests hold on any device count (CI runs them once more under
``XLA_FLAGS=--xla_force_host_platform_device_count=4``): a sweep shards over every device when
there are several, and its chunks are rounded up to a multiple of the device count.
"""

import json
import logging
import math
import os
import pathlib
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
from helpers import lp_value

import bargainjax as bj
from bargainjax.cli._main import main
from bargainjax.cli._registry import CONCEPTS, batchable
from bargainjax.cli._sweep import load_sweep

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOS = (ROOT / "configs" / "sweeps" / "bos.nfg").read_text()


def _write(tmp_path, text, name="s.toml"):
    (tmp_path / "bos.nfg").write_text(BOS)
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def _no_constant(name):
    raise AssertionError(f"summary.json is not strict JSON: {name}")


def _sweep(capsys, *args):
    code = main(["sweep", *map(str, args), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_registry_serves_solve_and_sweep():
    # every concept of `solve` is either swept or refused by `sweep` with a reason
    assert set(batchable()) == set(CONCEPTS) - {"threat"}
    for name, concept in CONCEPTS.items():
        assert (concept.batch is None) == (concept.not_batchable is not None), name
        assert concept.certificate and concept.units, name
    assert "jax.vmap" in CONCEPTS["threat"].not_batchable
    # the sweep's pass-through keys are the options the concept takes in `solve`
    keys = {name: c.batch_keywords for name, c in batchable().items() if c.batch_keywords}
    assert keys == {"ksbs": ("ideal",), "coco-value": ("max_coalitions",),
                    "coco-equilibrium": ("max_players",)}


def test_bos_grid_matches_the_closed_form(tmp_path, capsys):
    cfg = _write(tmp_path, """
        concept = "nbs"
        chunk_size = 8
        [games]
        source = "nfg"
        file = "bos.nfg"
        [grid]
        disagreement = [[0.0, 0.0], [0.45, 0.225], [0.55, 0.275], [0.75, 0.375], [0.8, 0.4]]
        weights = [[1.4, 2.6], [2.0, 2.0], [2.4, 1.6], [1.0, 5.0]]
    """)
    code, out, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 0, err
    assert "20 instances (1 games x 20 grid points)" in out and "successful 20" in out
    r = np.load(tmp_path / "o" / "results.npz")
    d, w = r["disagreement_input"], r["weights_input"]
    # product order: disagreement points outer, weights inner
    np.testing.assert_allclose(d[:4], 0.0)
    np.testing.assert_allclose(w[4], [1.4, 2.6])
    u1 = np.clip(d[:, 0] + w[:, 0] * (3 - d[:, 0] - d[:, 1]) / w.sum(1), 1.0, 2.0)
    np.testing.assert_allclose(r["payoffs"][:, 0], u1, atol=1e-9)
    np.testing.assert_allclose(r["payoffs"].sum(1), 3.0, atol=1e-9)
    assert np.all(r["status"] == 0) and np.all(r["certificate"] <= r["tol"])
    # Instances 4, 9, 14, 17 ran all 20000 steps before maximize_concave ranked by certificate.
    assert np.max(r["num_steps"]) < 1000, r["num_steps"]
    s = json.loads((tmp_path / "o" / "summary.json").read_text(), parse_constant=_no_constant)
    assert s["status_counts"]["successful"] == 20 and s["num_failed"] == 0
    assert s["status"] == "successful"
    assert s["disagreement_source"] == "grid" and s["grid_points"] == 20
    assert s["process_count"] == jax.process_count() == 1
    # sharded over every device when there are several: chunks of 8 rounded up to a multiple
    # of the device count (3 chunks of 8 on one device or four)
    num_devices = jax.device_count()
    assert s["num_devices"] == num_devices and s["devices"] == [str(dv) for dv in jax.devices()]
    assert s["chunk_size"] % num_devices == 0 and 8 <= s["chunk_size"] < 8 + num_devices
    assert s["num_chunks"] == math.ceil(20 / s["chunk_size"])
    assert s["certificate"]["name"] == "payoff_error_bound"
    assert s["certificate"]["units"] == CONCEPTS["nbs"].units
    for f in s["figures"]:
        assert (tmp_path / "o" / f).stat().st_size > 0


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_random_zero_sum_values_vs_highs_and_one_compilation(tmp_path, capsys):
    cfg = _write(tmp_path, """
        concept = "zero-sum"
        chunk_size = 4
        [games]
        source = "random"
        num_actions = [3, 5]
        count = 10
        seed = 3
    """)
    logger, handler = logging.getLogger("jax"), _Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with jax.log_compiles():
            code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert code == 0, err
    batched = [m for m in handler.messages if m.startswith("Compiling jit(batched)")]
    assert len(batched) == 1, batched  # 3 chunks (on one device or four), one compilation
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["num_chunks"] == math.ceil(10 / s["chunk_size"])
    assert f"{s['chunk_size']},2,3,5" in batched[0].replace(" ", "")
    r = np.load(tmp_path / "o" / "results.npz")
    U = np.random.default_rng(3).uniform(-1.0, 1.0, (10, 2, 3, 5))
    for b in range(10):
        assert r["value"][b] == pytest.approx(lp_value(U[b, 0]).value, abs=1e-9)
        x, y = r["row_strategy"][b], r["col_strategy"][b]
        np.testing.assert_allclose(r["payoffs"][b], [x @ U[b, 0] @ y, x @ U[b, 1] @ y],
                                   atol=1e-12)
    assert np.all(r["status"] == 0)


def test_infeasible_first_failure_exits_2_and_still_writes(tmp_path, capsys):
    # Same chunk shape and settings as the grid test above: no new compilation.
    cfg = _write(tmp_path, """
        concept = "nbs"
        chunk_size = 8
        [games]
        source = "nfg"
        file = "bos.nfg"
        [grid]
        disagreement = [[0.0, 0.0], [3.0, 3.0]]
        weights = [[1.0, 1.0], [2.0, 2.0], [1.0, 3.0], [3.0, 1.0]]
    """)
    code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    # d = (3, 3) admits no strict improvement: the batch status (the first failure's) is
    # infeasible, a refusal, exit 2 as in `solve`
    assert code == 2
    assert err.count("\n") == 1 and "4 of 8 instances were not certified" in err
    assert "infeasible 4" in err
    r = np.load(tmp_path / "o" / "results.npz")
    np.testing.assert_allclose(r["payoffs"][0], [1.5, 1.5], atol=1e-9)
    # the batch status is the one rule's (the first failing instance's), the summary strict JSON
    first = int(r["status"][np.flatnonzero(r["status"])[0]])
    s = json.loads((tmp_path / "o" / "summary.json").read_text(), parse_constant=_no_constant)
    assert s["status"] == bj.Status(first).name.lower() == "infeasible"
    assert s["message"] == bj.Status.INFEASIBLE.message and "first failure infeasible" in err


BAD = [
    ('concept = "nash"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n', "concept must be one of"),
    ('concept = "threat"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n', "cannot be swept"),
    ('concept = "nbs"\n', "[games] table is required"),
    ('concept = "nbs"\n[games]\nsource = "web"\n', "games.source"),
    ('concept = "nbs"\n[games]\nsource = "random"\nnum_actions = [3]\ncount = 2\n',
     "games.num_actions"),
    ('concept = "nbs"\n[games]\nsource = "random"\nnum_actions = [2, 2]\ncount = 0\n',
     "games.count"),
    (('concept = "nbs"\n[games]\nsource = "random"\nnum_actions = [2, 2]\ncount = 2\n'
      'low = 1\nhigh = 0\n'), "games.low < games.high"),
    ('concept = "nbs"\n[games]\nsource = "nfg"\nfile = "none.nfg"\n', "cannot read"),
    ('concept = "zero-sum"\n[games]\nsource = "random"\nnum_actions = [2, 2, 2]\ncount = 2\n',
     "two-player games"),
    ('concept = "ksbs"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n[grid]\nweights = [[1, 1]]\n',
     "grid.weights does not apply"),
    ('concept = "nbs"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n[grid]\nweights = [[1, 1, 1]]\n',
     "grid.weights must be a non-empty list of 2-vectors"),
    ('concept = "nbs"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n[grid]\nweights = [[1, -1]]\n',
     "must be positive"),
    (('concept = "nbs"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n[grid]\n'
      'disagreement = {start = [0, 0], num = 3}\n'), "start, stop and num"),
    ('concept = "nbs"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n[grid]\nd = [[0, 0]]\n',
     "grid: unknown key"),
    ('concept = "nbs"\nchunk_size = 0\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "chunk_size must be a positive integer"),
    ('concept = "nbs"\ntol = -1\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "tol must be a positive number"),
    ('concept = "nbs"\ncolor = 1\n', "unknown key"),
    ('concept = "nbs"\nideal = "rational"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "ideal does not apply to concept nbs"),
    ('concept = "ksbs"\nideal = "ideal"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "ideal must be one of rational, feasible"),
    ('concept = "coco-value"\nmax_players = 3\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "max_players does not apply to concept coco-value"),
    ('concept = "coco-value"\nmax_coalitions = 0\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n',
     "max_coalitions must be a positive integer"),
    (('concept = "coco-value"\nmax_coalitions = 4\n[games]\nsource = "random"\n'
      'num_actions = [1, 1, 1]\ncount = 2\n'), "max_coalitions = 4"),
    (('concept = "coco-equilibrium"\n[games]\nsource = "random"\n'
      'num_actions = [1, 1, 1, 1, 1, 1]\ncount = 2\n'), "max_players = 5"),
    ('concept = "nbs\n', "not valid TOML"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_configs_are_one_line_errors(tmp_path, capsys, text, message):
    cfg = _write(tmp_path, text)
    code, out, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 2 and out == ""
    assert err.startswith("bargainjax: error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_devices_option_checked(tmp_path, capsys):
    cfg = _write(tmp_path, 'concept = "zero-sum"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n')
    code, _, err = _sweep(capsys, cfg, "--devices", "0")
    assert code == 2 and "--devices must be between 1 and" in err
    code, _, err = _sweep(capsys, tmp_path / "missing.toml")
    assert code == 2 and "cannot read" in err


def test_security_levels_are_the_default_disagreement(tmp_path):
    cfg = _write(tmp_path, 'concept = "egalitarian"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n')
    _, _, batch = load_sweep(cfg)
    assert batch.security and batch.inputs["U"].shape == (1, 2, 2, 2)


def test_sweep_from_security_levels(tmp_path, capsys):
    # BoS: security levels (2/3, 2/3) (maximin of [[2, 0], [0, 1]]), egalitarian (1.5, 1.5)
    cfg = _write(tmp_path, 'concept = "egalitarian"\n[games]\nsource = "nfg"\nfile = "bos.nfg"\n')
    code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 0, err
    r = np.load(tmp_path / "o" / "results.npz")
    np.testing.assert_allclose(r["disagreement"][0], [2 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(r["payoffs"][0], [1.5, 1.5], atol=1e-8)
    assert r["status"][0] == 0 and r["certificate"][0] <= r["tol"][0]
    s = json.loads((tmp_path / "o" / "summary.json").read_text(), parse_constant=_no_constant)
    assert s["status"] == "successful" and s["disagreement_source"].startswith("security")


_SHARDED = textwrap.dedent("""
    import sys, numpy as np, jax
    from bargainjax.cli._main import main
    assert jax.device_count() == 4
    cfg, out = sys.argv[1], sys.argv[2]
    assert main(["sweep", cfg, "--out", out + "/all", "--quiet"]) == 0
    assert main(["sweep", cfg, "--out", out + "/one", "--quiet", "--devices", "1"]) == 0
    a, b = np.load(out + "/all/results.npz"), np.load(out + "/one/results.npz")
    assert sorted(a.files) == sorted(b.files)
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    import json
    s = json.load(open(out + "/all/summary.json"))
    assert s["num_devices"] == 4 and s["chunk_size"] == 8 and s["process_count"] == 1, s
    print("OK")
""")


def test_cli_sweep_on_four_cpu_devices_is_bit_identical(tmp_path):
    cfg = _write(tmp_path, """
        concept = "zero-sum"
        chunk_size = 6
        [games]
        source = "random"
        num_actions = [3, 4]
        count = 13
        seed = 5
    """)
    env = dict(os.environ)
    env["XLA_FLAGS"] = env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4"
    env["JAX_PLATFORMS"] = "cpu"
    env["BARGAINJAX_CACHE"] = "0"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _SHARDED, str(cfg), str(tmp_path)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("OK")


@pytest.mark.slow
def test_two_processes_under_jax_distributed_match_one(tmp_path, capsys):
    """Two local processes (``--distributed``, CPU collectives over gloo): a global mesh of 2
    devices, process 0 writes the files, results bit-identical to a one-process run."""
    import socket

    cfg = _write(tmp_path, """
        concept = "zero-sum"
        chunk_size = 6
        [games]
        source = "random"
        num_actions = [3, 4]
        count = 13
        seed = 5
    """)
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, JAX_PLATFORMS="cpu", BARGAINJAX_CACHE="0",
               JAX_COORDINATOR_ADDRESS=f"localhost:{port}", JAX_NUM_PROCESSES="2",
               JAX_CPU_COLLECTIVES_IMPLEMENTATION="gloo",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-m", "bargainjax", "sweep", str(cfg),
                               "--distributed", "--quiet", "--out", str(tmp_path / f"p{i}")],
                              env=dict(env, JAX_PROCESS_ID=str(i)), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i in range(2)]
    logs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    assert "2 device(s), 2 process(es)" in logs[0] and "process 0 writes" in logs[1]
    assert not (tmp_path / "p1").exists()
    s = json.loads((tmp_path / "p0" / "summary.json").read_text())
    assert s["process_count"] == 2 and s["num_devices"] == 2
    code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "one")
    assert code == 0, err
    a, b = np.load(tmp_path / "p0" / "results.npz"), np.load(tmp_path / "one" / "results.npz")
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_coco_equilibrium_sweep_matches_eager_and_the_two_player_oracle(tmp_path, capsys):
    cfg = _write(tmp_path, """
        concept = "coco-equilibrium"
        chunk_size = 3
        [games]
        source = "random"
        num_actions = [3, 3]
        count = 4
        seed = 1
    """)
    code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 0, err
    r = np.load(tmp_path / "o" / "results.npz")
    U = np.random.default_rng(1).uniform(-1.0, 1.0, (4, 2, 3, 3))
    for b in range(4):
        # two players: the CoCo equilibrium is Nash's threat solution, the NBS from the threats
        eq = bj.coco_equilibrium(U[b])
        np.testing.assert_allclose(r["payoffs"][b], eq.payoffs, atol=1e-12)
        tp = bj.threat_point(U[b])
        d = np.asarray(tp.disagreement)
        nbs = bj.nash_bargaining(bj.correlated_set(bj.bimatrix_game(U[b, 0], U[b, 1])), d)
        np.testing.assert_allclose(r["payoffs"][b], nbs.payoffs, atol=1e-6)
        np.testing.assert_allclose(r["payoffs"][b], tp.payoffs, atol=1e-6)
    assert np.all(r["status"] == 0)


def test_work_cap_refusals_name_the_config_key(tmp_path, capsys):
    cfg = _write(tmp_path, """
        concept = "coco-equilibrium"
        max_players = 3
        [games]
        source = "random"
        num_actions = [1, 1, 1, 1]
        count = 2
    """)
    code, out, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "max_players = 3" in err and "(in the config: max_players = N)" in err


def test_ksbs_ideal_is_passed_through(tmp_path, capsys):
    # F = conv{(0, 0), (4, -4), (2, 2)} from d = (0, 0) (tests/test_cli.py): the ideal point over
    # {u in F : u >= d} gives (32/15, 8/5) (the default), over all of F (16/7, 8/7)
    bj.write_nfg(bj.bimatrix_game(np.array([[0.0, 4.0, 2.0]]), np.array([[0.0, -4.0, 2.0]])),
                 str(tmp_path / "k.nfg"))
    expected = {None: [32 / 15, 8 / 5], "rational": [32 / 15, 8 / 5],
                "feasible": [16 / 7, 8 / 7]}
    for ideal, u in expected.items():
        line = "" if ideal is None else f'ideal = "{ideal}"'
        cfg = tmp_path / f"k-{ideal}.toml"
        cfg.write_text(f'concept = "ksbs"\n{line}\n[games]\nsource = "nfg"\nfile = "k.nfg"\n'
                       '[grid]\ndisagreement = [[0.0, 0.0]]\n')
        code, _, err = _sweep(capsys, cfg, "--out", tmp_path / f"o-{ideal}")
        assert code == 0, err
        r = np.load(tmp_path / f"o-{ideal}" / "results.npz")
        np.testing.assert_allclose(r["payoffs"][0], u, atol=1e-7)


def test_shipped_configs_ask_for_certifiable_tolerances():
    # a config tol below the solver's float64 floor would make every instance imprecise; the
    # NBS certificate's rounding floor is about 1e-7, so an nbs config may not ask for less
    import tomllib

    for path in sorted((ROOT / "configs" / "sweeps").glob("*.toml")):
        cfg = tomllib.loads(path.read_text())
        if "tol" in cfg and cfg["concept"] == "nbs":
            assert cfg["tol"] >= bj.DEFAULT_TOL["nbs"][0], path
        load_sweep(path)  # and each one loads


def test_nbs_sweep_with_a_tolerance_below_the_floor_is_imprecise(tmp_path, capsys):
    cfg = _write(tmp_path, """
        concept = "nbs"
        tol = 1e-9
        [games]
        source = "nfg"
        file = "bos.nfg"
        [grid]
        disagreement = [[0.0, 0.0]]
    """)
    code, _, err = _sweep(capsys, cfg, "--out", tmp_path / "o")
    assert code == 1 and "imprecise" in err, err
    r = np.load(tmp_path / "o" / "results.npz")
    assert r["status"][0] == bj.Status.IMPRECISE and r["tol"][0] > 1e-9
