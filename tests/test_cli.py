"""The ``bargainjax solve`` command line: JSON shape, known answers, errors.

Known answers on Battle of the Sexes (payoffs (2, 1) and (1, 2) on the diagonal, 0 elsewhere),
derived by hand over the correlated feasible set F = conv{(2,1), (1,2), (0,0)}:

* the Pareto frontier is the segment u1 + u2 = 3 between (2, 1) and (1, 2);
* NBS with d = (0, 0): maximise u1 u2 on u1 + u2 = 3, so (1.5, 1.5), half on each diagonal cell;
  with d = (-1, -1): (u1 + 1)(u2 + 1) on the same segment, again (1.5, 1.5);
* KSBS and egalitarian with d = (0, 0): ideal point (2, 2), equal gains, (1.5, 1.5);
* security levels: player 1's maximin of [[2, 0], [0, 1]] is 2/3, player 2's likewise, so the
  default disagreement point is (2/3, 2/3), and by symmetry NBS and KSBS are still (1.5, 1.5);
* zero-sum of player 1's payoffs A = [[2, 0], [0, 1]]: value 2/3, x = y = (1/3, 2/3), where
  player 2's own payoff is x^T B y = 1.
"""

import argparse
import functools
import io
import json
import os
import pathlib
import subprocess
import sys
from typing import NamedTuple

import numpy as np
import pytest

from bargainjax.cli import _common, _program, _registry
from bargainjax.cli import _main as _cli
from bargainjax.cli._main import main
from bargainjax.cli._registry import CONCEPTS
from helpers import gambit_dir

ROOT = pathlib.Path(__file__).resolve().parents[1]

BOS = """NFG 1 R "Battle of the Sexes" { "Alice" "Bob" }
{ { "Opera" "Football" } { "Opera" "Football" } }
""
2 1 0 0 0 0 1 2
"""

THREE = """NFG 1 R "three players" { "1" "2" "3" } { 2 2 2 }
1 0 0  0 1 0  0 0 1  1 1 1  2 0 0  0 2 0  0 0 2  1 1 0
"""

CERTIFICATES = {
    "zero-sum": "duality_gap",
    "utilitarian": "weighted_sum_gap",
    "nbs": "payoff_error_bound",
    "ksbs": "maxmin_duality_gap",
    "egalitarian": "maxmin_duality_gap",
}


@pytest.fixture(autouse=True)
def _no_compilation_cache(monkeypatch):
    # Keep tests hermetic: no persistent JAX cache written to the home folder.
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")


@pytest.fixture
def bos(tmp_path):
    path = tmp_path / "bos.nfg"
    path.write_text(BOS)
    return str(path)


def solve_json(capsys, *argv):
    code = main(["solve", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def refuse(capsys, *argv, code=2):
    got = main(list(argv))
    out, err = capsys.readouterr()
    assert got == code
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("bargainjax: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_registry_drives_choices():
    assert set(CERTIFICATES) <= set(CONCEPTS)
    assert {"coco-value", "threat"} <= set(CONCEPTS)
    parser = _cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    solve = sub.choices["solve"]
    (concept,) = [a for a in solve._actions if a.dest == "concept"]
    assert list(concept.choices) == list(CONCEPTS)


@pytest.fixture
def registry():
    """The one concept registry, restored after the test (a test may register concepts)."""
    saved = dict(CONCEPTS)
    yield CONCEPTS
    CONCEPTS.clear()
    CONCEPTS.update(saved)


def test_registering_a_concept_makes_it_available(bos, capsys, registry):
    @_registry.register("first-cell", "payoffs of the first profile")
    def _first(game, options):
        u = np.asarray(game.outcomes[0])
        return _registry._result(game, "first-cell", payoffs=u, certificate="none",
                                 contract=(0.0, 0.0, 0, 0))

    r = solve_json(capsys, bos, "--concept", "first-cell")
    assert r["payoffs"] == [2.0, 1.0]
    assert "first-cell" not in _registry.batchable()  # no batch builder: sweep refuses it
    with pytest.raises(ValueError, match="already registered"):
        _registry.register("nbs", "again")(_first)


@pytest.mark.parametrize("concept", list(CERTIFICATES))
def test_json_shape(bos, capsys, concept):
    extra = [] if concept in ("zero-sum", "utilitarian") else ["--disagreement", "0,0"]
    r = solve_json(capsys, bos, "--concept", concept, *extra)
    assert r["concept"] == concept
    assert r["players"] == ["Alice", "Bob"]
    assert len(r["payoffs"]) == 2 and all(isinstance(x, float) for x in r["payoffs"])
    cert = r["certificate"]
    assert cert["name"] == CERTIFICATES[concept]
    assert 0 <= cert["value"] <= cert["tol"]
    assert r["status"] == "successful" and r["message"]
    if concept == "zero-sum":
        assert len(r["strategies"]) == 2 and "value" in r and "weights" not in r
    else:
        p = np.array(r["strategies"])
        assert p.shape == (4,) and abs(p.sum() - 1) < 1e-9
        assert sum(e["probability"] for e in r["support"]) == pytest.approx(1.0)
        assert np.isclose(np.sum(r["weights"]), 1.0)
    if concept in ("nbs", "ksbs", "egalitarian"):
        assert r["disagreement"] == [0.0, 0.0]
        assert r["disagreement_source"] == "given (--disagreement)"


@pytest.mark.parametrize("concept", ["nbs", "ksbs", "egalitarian"])
def test_bos_known_answer(bos, capsys, concept):
    r = solve_json(capsys, bos, "--concept", concept, "--disagreement", "0,0")
    np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)
    support = {tuple(e["profile"]): e["probability"] for e in r["support"]}
    assert set(support) == {("Opera", "Opera"), ("Football", "Football")}
    np.testing.assert_allclose(list(support.values()), [0.5, 0.5], atol=1e-8)
    np.testing.assert_allclose(r["strategies"], [0.5, 0, 0, 0.5], atol=1e-8)  # C order


def test_default_disagreement_is_security_levels(bos, capsys):
    for concept in ("nbs", "ksbs"):
        r = solve_json(capsys, bos, "--concept", concept)
        assert r["disagreement_source"] == "security levels (maximin against all others)"
        np.testing.assert_allclose(r["disagreement"], [2 / 3, 2 / 3], atol=1e-9)
        np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)


def test_zero_sum_known_answer(bos, capsys):
    r = solve_json(capsys, bos, "--concept", "zero-sum")
    assert r["value"] == pytest.approx(2 / 3, abs=1e-10)
    np.testing.assert_allclose(r["strategies"], [[1 / 3, 2 / 3], [1 / 3, 2 / 3]], atol=1e-10)
    np.testing.assert_allclose(r["payoffs"], [2 / 3, 1.0], atol=1e-10)
    assert "not a zero-sum game" in r["note"]


def test_utilitarian_weights(bos, capsys):
    r = solve_json(capsys, bos, "--concept", "utilitarian", "--weights", "2,1")
    np.testing.assert_allclose(r["payoffs"], [2.0, 1.0])
    np.testing.assert_allclose(r["weights"], [2 / 3, 1 / 3])
    r = solve_json(capsys, bos, "--concept", "utilitarian")
    assert sum(r["payoffs"]) == pytest.approx(3.0)  # a tie: either diagonal cell


def test_nbs_bargaining_weights(bos, capsys):
    # max 2 log u1 + log u2 on u1 + u2 = 3 (d = 0): u1 = 2, the vertex (2, 1).
    r = solve_json(capsys, bos, "--concept", "nbs", "--disagreement", "0,0", "--weights", "2,1")
    np.testing.assert_allclose(r["payoffs"], [2.0, 1.0], atol=1e-7)
    assert r["bargaining_weights"] == [2.0, 1.0]


def test_negative_disagreement(bos, capsys):
    for argv in (["--disagreement=-1,-1"], ["--disagreement", "-1,-1"], ["-d", "-1,-1"]):
        r = solve_json(capsys, bos, "--concept", "nbs", *argv)
        assert r["disagreement"] == [-1.0, -1.0]
        np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)
    # (-1, 2.5): Bob's best payoff is 2 < 2.5, so nothing improves on it.
    line = refuse(capsys, "solve", bos, "--concept", "nbs", "--disagreement=-1,2.5")
    assert "(-1, 2.5)" in line and "no strict improvement" in line


def test_stdin(bos, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(BOS))
    r = solve_json(capsys, "-", "--concept", "egalitarian", "--disagreement", "0,0")
    np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)
    assert r["game"] == "Battle of the Sexes"


def test_human_output(bos, capsys):
    assert main(["solve", bos, "--concept", "nbs"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for text in ("Alice", "Bob", "disagreement point: security levels", "payoff_error_bound",
                 "(Opera, Opera)", "(Football, Football)", "supporting weight"):
        assert text in out
    assert main(["solve", bos, "--concept", "zero-sum"]) == 0
    out, _ = capsys.readouterr()
    assert "not a zero-sum game" in out and "duality_gap" in out and "Opera" in out


def test_zero_sum_game_has_no_bargaining_solution(tmp_path, capsys):
    path = tmp_path / "mp.nfg"
    path.write_text('NFG 1 R "matching pennies" { "1" "2" } { 2 2 }\n1 -1 -1 1 -1 1 1 -1\n')
    for concept in ("nbs", "ksbs", "egalitarian"):
        line = refuse(capsys, "solve", str(path), "--concept", concept)
        assert "no strict improvement" in line and "security levels" in line
    r = solve_json(capsys, str(path), "--concept", "zero-sum")
    assert r["value"] == pytest.approx(0.0, abs=1e-12) and "note" not in r


@pytest.mark.parametrize("argv, match", [
    (["solve", "{missing}", "--concept", "nbs"], "cannot read"),
    (["solve", "{bad}", "--concept", "nbs"], "malformed .nfg"),
    (["solve", "{bos}", "--concept", "nbs", "--disagreement", "1,2,3"], "one entry per player"),
    (["solve", "{bos}", "--concept", "nbs", "--disagreement", "a,b"], "is not a number"),
    (["solve", "{bos}", "--concept", "nbs", "--weights", "1"], "one entry per player"),
    (["solve", "{bos}", "--concept", "nbs", "--weights", "-1,1"], "weights"),
    (["solve", "{three}", "--concept", "zero-sum"], "two-player"),
    (["solve", "{bos}", "--concept", "nucleolus"], "invalid choice"),
    (["solve", "{bos}", "--concept", "ksbs", "--weights", "1,1"], "does not apply"),
    (["solve", "{bos}", "--concept", "zero-sum", "--disagreement", "0,0"], "does not apply"),
    (["solve", "{bos}", "--concept", "nbs", "--tol", "-1"], "positive"),
    (["solve", "{bos}"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line(tmp_path, bos, capsys, argv, match):
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "broken" { "1" "2" } { 2 2 }\n1 2 3\n')
    three = tmp_path / "three.nfg"
    three.write_text(THREE)
    paths = {"missing": str(tmp_path / "nope.nfg"), "bad": str(bad), "bos": bos,
             "three": str(three)}
    line = refuse(capsys, *[a.format(**paths) for a in argv])
    assert match in line


def test_debug_reraises(tmp_path):
    with pytest.raises(Exception):
        main(["--debug", "solve", str(tmp_path / "nope.nfg"), "--concept", "nbs"])


def _run(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), BARGAINJAX_CACHE="0")
    return subprocess.run([sys.executable, "-m", "bargainjax", *args], capture_output=True,
                          text=True, env=env, timeout=300, **kw)


def test_subprocess_json_from_stdin():
    p = _run(["solve", "-", "--concept", "nbs", "--disagreement", "0,0", "--json"], input=BOS)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)
    assert r["certificate"]["value"] <= r["certificate"]["tol"]


def test_subprocess_error_is_one_line(tmp_path):
    p = _run(["solve", str(tmp_path / "nope.nfg"), "--concept", "threat", "--json"])
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr.strip().count("\n") == 0 and p.stderr.startswith("bargainjax: error: ")


def test_version(capsys):
    import bargainjax

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"bargainjax {bargainjax.__version__}"


def _write_game(tmp_path, name, A, B):
    import bargainjax as bj

    path = tmp_path / name
    bj.write_nfg(bj.bimatrix_game(np.asarray(A, float), np.asarray(B, float)), str(path))
    return str(path)


def test_coco_value_banana_game(tmp_path, capsys):
    # U_1 = [[2, 2], [0, 4]], U_2 = 0 (a known answer): max (A+B)/2 = 2 and
    # val((A-B)/2) = val([[1, 1], [0, 2]]) = 1 (row 1 guarantees 1), so coco = (2+1, 2-1).
    path = _write_game(tmp_path, "banana.nfg", [[2, 2], [0, 4]], [[0, 0], [0, 0]])
    out = solve_json(capsys, path, "--concept", "coco-value")
    np.testing.assert_allclose(out["payoffs"], [3.0, 1.0], atol=1e-12)
    assert out["certificate"]["value"] <= out["certificate"]["tol"]
    assert len(out["coalition_values"]) == 4


def test_threat_report_example_60(tmp_path, capsys):
    # Report Example 60, rows b1, b2 (the printed numbers fix that the row player is the
    # b-player): threat point (-3, 2); the NBS from it is (2.5, 4.75) in the game's own units.
    A = [[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]]
    B = [[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]]
    out = solve_json(capsys, _write_game(tmp_path, "ex60.nfg", A, B), "--concept", "threat")
    np.testing.assert_allclose(out["disagreement"], [-3.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(out["payoffs"], [2.5, 4.75], atol=1e-9)
    assert out["certificate"]["name"] == "threat_deviation_gain"
    assert out["certificate"]["value"] <= out["certificate"]["tol"]


def test_threat_refuses_three_players(tmp_path, capsys):
    import bargainjax as bj

    path = tmp_path / "three.nfg"
    bj.write_nfg(bj.normal_form_game(np.zeros((3, 2, 2, 2))), str(path))
    line = refuse(capsys, "solve", str(path), "--concept", "threat", "--json")
    assert "two-player" in line


# --------------------------------------------------------------------------- coco-equilibrium

EX60_A = [[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]]
EX60_B = [[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]]


def test_coco_equilibrium_report_example_60(tmp_path, capsys):
    # For two players the CoCo equilibrium is Nash's variable-threat solution: the NBS
    # (2.5, 4.75) from the threat point (-3, 2), on the frontier edge u1 + 2 u2 = 12 between
    # the outcomes (4, 4) and (2, 5), whose normal gives the weights (1/3, 2/3).
    path = _write_game(tmp_path, "ex60.nfg", EX60_A, EX60_B)
    r = solve_json(capsys, path, "--concept", "coco-equilibrium")
    assert r["concept"] == "coco-equilibrium"
    np.testing.assert_allclose(r["payoffs"], [2.5, 4.75], atol=1e-8)
    np.testing.assert_allclose(r["weights"], [1 / 3, 2 / 3], atol=1e-8)
    np.testing.assert_allclose(r["threat_point"], [-3.0, 2.0], atol=1e-8)
    assert r["face"] == "edge"
    cert = r["certificate"]
    assert cert["name"] == "coco_equilibrium_residual" and 0 <= cert["value"] <= cert["tol"]
    assert r["status"] == "successful" and r["message"]
    p = np.array(r["strategies"])
    assert p.shape == (6,) and abs(p.sum() - 1) < 1e-9
    assert sum(e["probability"] for e in r["support"]) == pytest.approx(1.0)
    assert all(len(e["profile"]) == 2 for e in r["support"])
    # the mixture realises the payoffs
    P = np.stack([np.ravel(EX60_A), np.ravel(EX60_B)], axis=1)
    np.testing.assert_allclose(p @ P, r["payoffs"], atol=1e-8)
    assert "solutions" not in r


def test_coco_equilibrium_all_lists_solutions(tmp_path, capsys):
    path = _write_game(tmp_path, "ex60.nfg", EX60_A, EX60_B)
    r = solve_json(capsys, path, "--concept", "coco-equilibrium", "--all")
    assert len(r["solutions"]) == 1 and r["multiple"] is False  # Nash 1953: unique for n = 2
    s = r["solutions"][0]
    np.testing.assert_allclose(s["payoffs"], [2.5, 4.75], atol=1e-8)
    np.testing.assert_allclose(s["weights"], [1 / 3, 2 / 3], atol=1e-8)
    assert s["face"] == "edge" and s["certificate"]["name"] == "coco_equilibrium_residual"
    r2 = solve_json(capsys, path, "--concept", "coco-equilibrium", "--starts", "2")
    assert "solutions" in r2


def test_coco_equilibrium_zero_sum(tmp_path, capsys):
    # Zero-sum: F lies on u1 + u2 = 0, so a = (1/2, 1/2) and u = (val, -val); val([[3,-1],[-2,1]])
    # = (3 - 2) / (3 + 1 + 2 + 1) = 1/7.
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    r = solve_json(capsys, _write_game(tmp_path, "zs.nfg", A, -A), "--concept", "coco-equilibrium")
    np.testing.assert_allclose(r["payoffs"], [1 / 7, -1 / 7], atol=1e-8)
    np.testing.assert_allclose(r["weights"], [0.5, 0.5], atol=1e-8)
    assert r["certificate"]["value"] <= r["certificate"]["tol"]


def test_coco_equilibrium_banana_is_degenerate(tmp_path, capsys):
    path = _write_game(tmp_path, "banana.nfg", [[2, 2], [0, 4]], [[0, 0], [0, 0]])
    line = refuse(capsys, "solve", path, "--concept", "coco-equilibrium", "--json", code=1)
    assert "no CoCo equilibrium with all weights positive" in line
    assert "a_1 -> 0" in line and "degenerate" in line


def test_coco_equilibrium_three_players(capsys):
    folder = gambit_dir()
    if folder is None or not (folder / "contrib__games__2x2x2.nfg").exists():
        pytest.skip("the optional Gambit game collection is not available")
    path = folder / "contrib__games__2x2x2.nfg"
    code = main(["solve", str(path), "--concept", "coco-equilibrium", "--json"])
    out, err = capsys.readouterr()
    if code != 0:  # a clean refusal
        assert code == 1 and out == "" and err.count("\n") == 1
        assert err.startswith("bargainjax: error: ") and "Traceback" not in err
        return
    r = json.loads(out)
    assert len(r["payoffs"]) == 3 and np.isclose(sum(r["weights"]), 1.0)
    assert min(r["weights"]) > 0
    assert r["certificate"]["value"] <= r["certificate"]["tol"]
    assert all(len(e["profile"]) == 3 for e in r["support"])


def test_coco_equilibrium_human_output(tmp_path, capsys):
    path = _write_game(tmp_path, "ex60.nfg", EX60_A, EX60_B)
    assert main(["solve", path, "--concept", "coco-equilibrium", "--all"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for text in ("player", "weight", "face of the feasible set: edge",
                 "coco_equilibrium_residual", "support (distribution over joint outcomes)",
                 "solutions found (1 distinct"):
        assert text in out


@pytest.mark.parametrize("argv, match", [
    (["--concept", "coco-equilibrium", "--starts", "0"], "positive integer"),
    (["--concept", "nbs", "--all"], "does not apply"),
    (["--concept", "threat", "--starts", "3"], "does not apply"),
])
def test_coco_equilibrium_option_errors(bos, capsys, argv, match):
    assert match in refuse(capsys, "solve", bos, *argv)


def test_coco_equilibrium_refuses_large_games(tmp_path, capsys):
    import bargainjax as bj

    path = tmp_path / "six.nfg"
    bj.write_nfg(bj.normal_form_game(np.zeros((6,) + (2,) * 6)), str(path))
    line = refuse(capsys, "solve", str(path), "--concept", "coco-equilibrium")
    # the library's cap (max_players, default 5), with the option that raises it
    assert "max_players = 5" in line and "6 players" in line and "--max-players 6" in line


# ------------------------------------------------------------------ the result contract (#10)

def _bos_game(tmp_path, name, alpha=(1.0, 1.0), beta=(0.0, 0.0)):
    """Battle of the Sexes with player i's payoffs alpha_i U_i + beta_i."""
    A = np.array([[2.0, 0.0], [0.0, 1.0]]) * alpha[0] + beta[0]
    B = np.array([[1.0, 0.0], [0.0, 2.0]]) * alpha[1] + beta[1]
    return _write_game(tmp_path, name, A, B)


@pytest.mark.parametrize("concept", ["nbs", "ksbs"])
@pytest.mark.parametrize("alpha, beta", [((1.0, 1.0), (1e8, 1e8)), ((1.0, 1e-9), (0.0, 0.0)),
                                         ((1e9, 1.0), (0.0, -1e8))])
def test_bargaining_is_not_refused_under_affine_units(tmp_path, capsys, concept, alpha, beta):
    # NBS and KSBS are invariant under each player's affine change of units: the answer is
    # the image of (1.5, 1.5) (from the security levels (2/3, 2/3), by symmetry).  The command
    # used to refuse these below a global sqrt(eps) max|payoff| floor.
    path = _bos_game(tmp_path, "bos.nfg", alpha, beta)
    r = solve_json(capsys, path, "--concept", concept)
    alpha, beta = np.array(alpha), np.array(beta)
    # within the NBS tolerance (1e-6 of each player's range) plus the data's own rounding
    slack = 1e-6 * alpha + 4 * np.finfo(float).eps * np.abs(beta)
    assert np.all(np.abs(np.array(r["payoffs"]) - (1.5 * alpha + beta)) <= slack), r["payoffs"]
    assert np.all(np.abs(np.array(r["disagreement"]) - (2 / 3 * alpha + beta)) <= slack)


def test_egalitarian_is_not_refused_when_shifted(tmp_path, capsys):
    # egalitarian is invariant under common changes of units (and per-player shifts)
    path = _bos_game(tmp_path, "bos.nfg", (1.0, 1.0), (1e8, 1e8))
    r = solve_json(capsys, path, "--concept", "egalitarian")
    np.testing.assert_allclose(r["payoffs"], [1e8 + 1.5, 1e8 + 1.5], rtol=0, atol=1e-6)


def test_egalitarian_in_tiny_units_is_not_refused(tmp_path, capsys):
    path = _bos_game(tmp_path, "bos.nfg", (1.0, 1e-9))
    code = main(["solve", path, "--concept", "egalitarian", "--json"])
    _, err = capsys.readouterr()
    assert code in (0, 1) and "no strict improvement" not in err


def test_batch_rule_is_the_first_failure():
    # bargainjax.core._contract.batch_status: the first failing code in C order, not the largest
    import bargainjax as bj

    assert _common._status([0, 3, 1]) == ("infeasible", bj.Status.INFEASIBLE.message)
    assert _common._status(np.array([0, 1, 5])) == ("max_steps_reached",
                                                    bj.Status.MAX_STEPS_REACHED.message)
    assert _common._status(0)[0] == "successful"


class _Fake(NamedTuple):
    payoffs: object
    certificate: object
    tol: object
    status: object
    num_steps: object


def _fake_concept(registry, result, name="fake"):
    @_registry.register(name, "a fake concept")
    def _solve(game, options):
        return _registry._result(game, name, payoffs=result.payoffs, certificate="fake_gap",
                                 contract=_common._contract(result))

    return name


def test_contract_fields_are_printed_as_they_are(bos, capsys, registry):
    name = _fake_concept(registry, _Fake(np.array([1.0, 2.0]), np.float64(3e-12),
                                            np.float64(4e-9), np.int32(0), np.int32(7)))
    r = solve_json(capsys, bos, "--concept", name)
    assert r["certificate"] == {"name": "fake_gap", "value": 3e-12, "tol": 4e-9}
    assert r["status"] == "successful" and r["num_steps"] == 7


def test_contract_accessor_prefers_the_contract_fields():
    class Both(NamedTuple):
        certificate: float
        tol: float
        status: int
        num_steps: int
        gap: float  # an old name that must not be read when `certificate` exists

    assert _common._contract(Both(1e-10, 1e-9, 0, 3, 99.0)) == (1e-10, 1e-9, 0, 3)


@pytest.mark.parametrize("status, code, text", [
    (1, 1, "max_steps_reached"), (2, 1, "nonfinite"), (4, 1, "degenerate"),
    (5, 1, "imprecise"), (3, 2, "no feasible point strictly improves"),
])
def test_status_decides_the_exit_code(bos, capsys, registry, status, code, text):
    name = _fake_concept(registry, _Fake(np.array([1.0, 2.0]), 1.0, 1e-9, status, 1))
    line = refuse(capsys, "solve", bos, "--concept", name, "--json", code=code)
    assert text in line


@pytest.mark.parametrize("field", ["payoffs", "certificate", "tol"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_never_exit_0_with_a_non_finite_number(bos, capsys, registry, field, bad):
    values = {"payoffs": np.array([1.0, 2.0]), "certificate": 0.0, "tol": 1e-9}
    values[field] = np.array([bad, 2.0]) if field == "payoffs" else bad
    name = _fake_concept(registry, _Fake(values["payoffs"], values["certificate"],
                                            values["tol"], 0, 1))
    for json_flag in (["--json"], []):
        line = refuse(capsys, "solve", bos, "--concept", name, *json_flag, code=1)
        assert "non-finite" in line and field in line


def test_coco_value_extreme_weights_are_not_printed_as_null(bos, capsys):
    # weights 1e-320 (subnormal): phi_1 / a_1 overflows; never exit 0 with a null payoff
    code = main(["solve", bos, "--concept", "coco-value", "--weights", "1e-320,1", "--json"])
    out, err = capsys.readouterr()
    if code == 0:
        r = json.loads(out, parse_constant=_no_constant)
        assert all(np.isfinite(r["payoffs"]))
    else:
        assert code in (1, 2) and out == "" and err.count("\n") == 1


def _no_constant(name):
    raise AssertionError(f"not strict JSON: {name}")


def test_printed_tolerances_are_the_results_own(bos, capsys):
    import bargainjax as bj

    game = bj.read_nfg(bos)
    d = np.array([0.0, 0.0])
    F = bj.correlated_set(game)
    for concept, result, extra in (
            ("zero-sum", bj.solve_zero_sum(game.payoffs[0]), []),
            ("coco-value", bj.coco_value(game), []),
            ("nbs", bj.nash_bargaining(F, d), ["--disagreement", "0,0"]),
            ("ksbs", bj.kalai_smorodinsky(F, d), ["--disagreement", "0,0"]),
            ("threat", bj.threat_point(game), []),
            ("coco-equilibrium", bj.coco_equilibrium(game), [])):
        r = solve_json(capsys, bos, "--concept", concept, *extra)
        assert r["certificate"]["tol"] == float(result.tol), concept
        assert r["certificate"]["value"] == float(result.certificate), concept
        assert r["status"] == "successful" and int(result.status) == 0
        assert r["certificate"]["units"] == CONCEPTS[concept].units


def test_coco_value_prints_the_results_payoffs(tmp_path, capsys):
    # the library's utilons (CocoValue.payoffs), not value / weights recomputed by the command;
    # the Kalai-Kalai closed form as the oracle, in curnits (weights (1, 2): B' = 2 B):
    # coco = max(A + B')/2 +- val((A - B')/2) (HiGHS), then utilons coco_i / a_i.
    from helpers import lp_value

    import bargainjax as bj

    A, B = np.array([[2.0, 2.0], [0.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 3.0]])
    path = _write_game(tmp_path, "g.nfg", A, B)
    r = solve_json(capsys, path, "--concept", "coco-value", "--weights", "1,2")
    cv = bj.coco_value(bj.read_nfg(path), np.array([1.0, 2.0]))
    assert r["payoffs"] == [float(v) for v in cv.payoffs]
    assert r["value_curnits"] == [float(v) for v in cv.value]
    Bw = 2 * B
    coop = np.max(A + Bw) / 2
    comp = lp_value((A - Bw) / 2).value
    np.testing.assert_allclose(r["payoffs"], [coop + comp, (coop - comp) / 2], atol=1e-9)
    assert r["certificate"]["name"] == "relative_fight_gap"
    assert 0 <= r["certificate"]["value"] <= r["certificate"]["tol"]


def test_nbs_tolerance_below_the_rounding_floor_is_imprecise(bos, capsys):
    # the NBS certificate's rounding floor in float64 is about 1e-7 of the payoff range:
    # --tol 1e-9 cannot be certified, status imprecise, exit 1, with a message saying so
    line = refuse(capsys, "solve", bos, "--concept", "nbs", "--disagreement", "0,0",
                  "--tol", "1e-9", code=1)
    assert "imprecise" in line and "rounding floor" in line and "--tol 1e-09" in line
    assert "give a --tol above the floor" in line
    r = solve_json(capsys, bos, "--concept", "nbs", "--disagreement", "0,0", "--tol", "1e-6")
    assert r["certificate"]["name"] == "payoff_error_bound"
    assert r["certificate"]["value"] <= r["certificate"]["tol"] <= 2e-6


def test_nbs_from_a_far_disagreement_point_is_not_certified(tmp_path, capsys):
    # issue #10: from d = -1e100 the old Frank-Wolfe gap certified the uniform start; now the
    # payoff-error bound cannot be certified in float64 (exit 1), or the answer is right
    path = _write_game(tmp_path, "bos3.nfg", [[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 3.0]])
    for d in ("-1e9,-1e9", "-1e100,-1e100"):
        code = main(["solve", path, "--concept", "nbs", f"--disagreement={d}", "--json"])
        out, err = capsys.readouterr()
        if code == 0:
            np.testing.assert_allclose(json.loads(out)["payoffs"], [2.5, 2.5], atol=3e-6)
        else:
            assert code == 1 and out == "" and "imprecise" in err, err


# ------------------------------------------------------------------------- strict inputs

@pytest.mark.parametrize("option, value, match", [
    ("--disagreement", "1,,2", "entry 2 of '1,,2' is empty"),
    ("--disagreement", "1,2,", "entry 3 of '1,2,' is empty"),
    ("--disagreement", ",1", "entry 1"),
    ("--disagreement", "\u0661,\u0662", "is not a number"),  # Arabic-Indic digits
    ("--disagreement", "\uff11,\uff12", "is not a number"),  # full-width digits
    ("--disagreement", "nan,0", "is not a number"),
    ("--disagreement", "0,-inf", "is not a number"),
    ("--disagreement", "1e400,0", "out of the float64 range"),
    ("--disagreement", "1_0,0", "is not a number"),
    ("--weights", "1,,", "is empty"),
    ("--weights", "\u0661,1", "is not a number"),
    ("--weights", "infinity,1", "is not a number"),
    ("--tol", "nan", "is not a number"),
    ("--tol", "inf", "is not a number"),
    ("--tol", "\u0661e-6", "is not a number"),
    ("--tol", "0", "positive"),
    ("--tol", "1e999", "out of the float64 range"),
])
def test_number_options_are_strict(bos, capsys, option, value, match):
    line = refuse(capsys, "solve", bos, "--concept", "nbs", f"{option}={value}")
    assert option in line and match in line


@pytest.mark.parametrize("value", ["0", "-2", "\u0663", "1.5", "x"])
def test_integer_options_are_strict(bos, capsys, value):
    line = refuse(capsys, "solve", bos, "--concept", "coco-equilibrium", f"--starts={value}")
    assert "--starts must be a positive integer" in line
    line = refuse(capsys, "solve", bos, "--concept", "coco-value", f"--max-coalitions={value}")
    assert "--max-coalitions must be a positive integer" in line
    line = refuse(capsys, "solve", bos, "--concept", "coco-equilibrium", f"--max-players={value}")
    assert "--max-players must be a positive integer" in line
    line = refuse(capsys, "solve", bos, "--concept", "coco-equilibrium", "--all",
                  f"--max-faces={value}")
    assert "--max-faces must be a positive integer" in line


@pytest.mark.parametrize("stdin, match", [("", "standard input is empty"),
                                          (" \n\t", "standard input is empty"),
                                          (None, "standard input: it is closed")])
def test_empty_or_closed_stdin(capsys, monkeypatch, stdin, match):
    monkeypatch.setattr(sys, "stdin", None if stdin is None else io.StringIO(stdin))
    assert match in refuse(capsys, "solve", "-", "--concept", "nbs")


def test_subprocess_closed_stdin():
    # `bargainjax solve - <&-`: Python starts with sys.stdin None
    env = dict(os.environ, PYTHONPATH=str(ROOT), BARGAINJAX_CACHE="0")
    p = subprocess.run(["sh", "-c", 'exec "$0" -m bargainjax solve - --concept nbs <&-',
                        sys.executable], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 2, p.stderr
    assert p.stdout == "" and p.stderr.count("\n") == 1
    assert "standard input" in p.stderr and "NoneType" not in p.stderr


# ---------------------------------------------------------------------------- work caps

def test_coco_value_on_28_players_refuses_at_once(tmp_path, capsys):
    import time

    import bargainjax as bj

    path = tmp_path / "p28.nfg"
    bj.write_nfg(bj.normal_form_game(np.arange(28.0).reshape((28,) + (1,) * 28)), str(path))
    t0 = time.perf_counter()
    line = refuse(capsys, "solve", str(path), "--concept", "coco-value")
    assert time.perf_counter() - t0 < 60
    assert "max_coalitions" in line and "--max-coalitions" in line
    line = refuse(capsys, "solve", str(path), "--concept", "coco-equilibrium")
    assert "28 players" in line


def test_max_coalitions_is_passed_to_the_library(bos, capsys, monkeypatch):
    import bargainjax as bj

    seen = {}
    real = bj.coco_value

    def coco_value(game, weights=None, *, tol=None, max_coalitions=4096):
        seen["max_coalitions"] = max_coalitions
        if max_coalitions < 2:
            raise ValueError(f"coco_value: 2 players need 2 coalitions, above "
                             f"max_coalitions={max_coalitions}")
        return real(game, weights, **({} if tol is None else {"tol": tol}))

    monkeypatch.setattr(bj, "coco_value", coco_value)
    solve_json(capsys, bos, "--concept", "coco-value", "--max-coalitions", "8")
    assert seen["max_coalitions"] == 8
    line = refuse(capsys, "solve", bos, "--concept", "coco-value", "--max-coalitions", "1")
    assert "max_coalitions=1" in line and "--max-coalitions 1" in line


def test_max_players_is_the_coco_equilibrium_cap(tmp_path, capsys, monkeypatch):
    import bargainjax as bj

    path = tmp_path / "five.nfg"
    bj.write_nfg(bj.normal_form_game(np.zeros((5,) + (1,) * 5)), str(path))
    line = refuse(capsys, "solve", str(path), "--concept", "coco-equilibrium",
                  "--max-players", "4")
    assert "max_players = 4" in line and "5 players" in line and "--max-players 5" in line
    for concept, flag in (("nbs", "--max-players"), ("coco-equilibrium", "--max-coalitions"),
                          ("coco-value", "--max-players"), ("coco-value", "--max-faces")):
        assert f"{flag} does not apply" in refuse(capsys, "solve", str(path), "--concept",
                                                  concept, flag, "16")
    # passed straight through, and only when given (the library's defaults otherwise)
    seen = []
    real = bj.coco_equilibrium

    @functools.wraps(real)  # the same signature (--help reads the library's defaults)
    def coco_equilibrium(game, **kw):
        seen.append(kw)
        return real(game, **kw)

    monkeypatch.setattr(bj, "coco_equilibrium", coco_equilibrium)
    ex60 = _write_game(tmp_path, "ex60.nfg", EX60_A, EX60_B)
    solve_json(capsys, ex60, "--concept", "coco-equilibrium")
    solve_json(capsys, ex60, "--concept", "coco-equilibrium", "--max-players", "3",
               "--tol", "1e-7")
    assert seen == [{}, {"max_players": 3, "tol": 1e-7}]


def test_max_faces_is_the_face_enumeration_cap(tmp_path, capsys):
    import bargainjax as bj

    path = tmp_path / "three.nfg"
    bj.write_nfg(bj.normal_form_game(np.random.default_rng(0).uniform(size=(3, 2, 2, 2))),
                 str(path))
    # 8 joint outcomes: C(8,1) + C(8,2) + C(8,3) = 92 candidate faces
    line = refuse(capsys, "solve", str(path), "--concept", "coco-equilibrium", "--all",
                  "--max-faces", "91")
    assert "92 candidate faces" in line and "max_faces = 91" in line
    assert "--max-faces 92" in line
    line = refuse(capsys, "solve", str(path), "--concept", "coco-equilibrium",
                  "--max-faces", "91")
    assert "--all or --starts" in line


# --------------------------------------------------------------------------- KSBS ideal

def test_ideal_applies_to_ksbs_only(bos, capsys):
    for concept in ("nbs", "egalitarian", "coco-value"):
        assert "--ideal does not apply" in refuse(capsys, "solve", bos, "--concept", concept,
                                                  "--ideal", "rational")
    assert "invalid choice" in refuse(capsys, "solve", bos, "--concept", "ksbs",
                                      "--ideal", "ideal")


def test_ideal_is_passed_to_the_library(bos, capsys, monkeypatch):
    import bargainjax as bj

    seen = []
    real = bj.kalai_smorodinsky

    def kalai_smorodinsky(F, disagreement, *, tol=None, ideal="rational"):
        seen.append(ideal)
        return real(F, disagreement, **({} if tol is None else {"tol": tol}))

    monkeypatch.setattr(bj, "kalai_smorodinsky", kalai_smorodinsky)
    # trace every solve: no program kept from earlier tests, none kept from this one
    monkeypatch.setattr(_program, "_COMPILED", type(_program._COMPILED)())
    monkeypatch.setattr(_program, "_MEMO_SIZE", 0)
    for flag, expected in (([], "rational"), (["--ideal", "feasible"], "feasible"),
                           (["--ideal", "rational"], "rational")):
        r = solve_json(capsys, bos, "--concept", "ksbs", "--disagreement", "0,0", *flag)
        assert r["ideal"] == expected
        np.testing.assert_allclose(r["payoffs"], [1.5, 1.5], atol=1e-8)
    assert seen == ["rational", "feasible", "rational"]  # no --ideal: the library's default


def test_ideal_conventions_on_a_game_where_they_differ(tmp_path, capsys):
    # F = conv{(0, 0), (4, -4), (2, 2)} from d = (0, 0).  KSBS is the point where the ray
    # from d towards the ideal point leaves F, here through the edge 3 u1 + u2 = 8 from (2, 2)
    # to (4, -4).  Over all of F ("feasible") the ideal point is (4, 2): t (12 + 2) = 8,
    # t = 4/7, u = (16/7, 8/7).  Over {u in F: u >= d} ("rational", Kalai and Smorodinsky
    # 1975) player 1's best is (8/3, 0) on that edge, so the ideal point is (8/3, 2):
    # t (8 + 2) = 8, t = 4/5, u = (32/15, 8/5).
    path = _write_game(tmp_path, "k.nfg", [[0.0, 4.0, 2.0]], [[0.0, -4.0, 2.0]])
    r = solve_json(capsys, path, "--concept", "ksbs", "--disagreement", "0,0")
    assert r["ideal"] == "rational"
    np.testing.assert_allclose(r["payoffs"], [32 / 15, 8 / 5], atol=1e-7)
    r = solve_json(capsys, path, "--concept", "ksbs", "--disagreement", "0,0",
                   "--ideal", "feasible")
    np.testing.assert_allclose(r["payoffs"], [16 / 7, 8 / 7], atol=1e-7)


# ------------------------------------------------------------- several concepts, --plot

def _parse_solve(*argv):
    return _cli.build_parser().parse_args(["solve", "game.nfg", *argv])


def test_concept_takes_a_comma_separated_list():
    assert _parse_solve("--concept", "nbs").concept == ("nbs",)
    assert _parse_solve("--concept", "nbs, ksbs,egalitarian").concept == (
        "nbs", "ksbs", "egalitarian")


@pytest.mark.parametrize("value, match", [
    ("nbs,nucleolus", "invalid choice: 'nucleolus'"),
    ("nbs,,ksbs", "entry 2 of 'nbs,,ksbs' is empty"),
    ("nbs,", "entry 2 of 'nbs,' is empty"),
    ("nbs,ksbs,nbs", "'nbs' is given twice"),
])
def test_concept_list_errors_name_the_option(bos, capsys, value, match):
    line = refuse(capsys, "solve", bos, "--concept", value)
    assert "--concept" in line and match in line


def test_an_option_must_apply_to_one_of_the_concepts(bos, capsys):
    line = refuse(capsys, "solve", bos, "--concept", "zero-sum,utilitarian",
                  "--disagreement", "0,0")
    assert "--disagreement applies to none of the concepts zero-sum, utilitarian" in line
    line = refuse(capsys, "solve", bos, "--concept", "nbs,coco-equilibrium", "--max-faces", "9")
    assert "give --all or --starts N" in line


def test_options_go_to_the_concepts_they_apply_to():
    options = _registry.Options([0.0, 0.0], [2.0, 1.0], 1e-7, True, 3, "feasible", 5, 6, 7)
    nbs = _cli._options_for(CONCEPTS["nbs"], options)
    assert (nbs.disagreement, nbs.weights, nbs.tol) == ([0.0, 0.0], [2.0, 1.0], 1e-7)
    assert not nbs.all_solutions and nbs.starts is nbs.ideal is nbs.max_faces is None
    assert _cli._options_for(CONCEPTS["ksbs"], options).weights is None
    eq = _cli._options_for(CONCEPTS["coco-equilibrium"], options)
    assert (eq.all_solutions, eq.starts, eq.max_players, eq.max_faces) == (True, 3, 6, 7)
    assert eq.disagreement is eq.weights is eq.max_coalitions is None


@pytest.mark.parametrize("statuses, code", [((0, 0), 0), ((0, 1), 1), ((1, 3, 0), 2)])
def test_several_concepts_exit_with_the_worst_status(bos, capsys, registry, tmp_path, statuses,
                                                     code):
    names = [_fake_concept(registry, _Fake(np.array([1.0, k]), 0.0, 1e-9, s, 1), f"fake{k}")
             for k, s in enumerate(statuses)]
    ok = [n for n, s in zip(names, statuses) if s == 0]
    assert main(["solve", bos, "--concept", ",".join(names)]) == code
    out, err = capsys.readouterr()
    assert [line.split(": ")[1] for line in out.splitlines() if line.startswith("concept:")] \
        == [f"{n} - a fake concept" for n in ok]  # one block per certified concept, in order
    assert len(err.splitlines()) == len(names) - len(ok)
    assert main(["solve", bos, "--concept", ",".join(names), "--json"]) == code
    out, _ = capsys.readouterr()
    listed = json.loads(out)  # a JSON list of what each prints alone, in the order given
    assert listed == [solve_json(capsys, bos, "--concept", n) for n in ok]
    if statuses == (0, 1):  # one concept with --plot: its exit status; the picture is drawn
        png = tmp_path / "p.png"
        assert main(["solve", bos, "--concept", names[1], "--json", "--plot", str(png)]) == 1
        assert capsys.readouterr().out == "" and png.stat().st_size > 0


# A 2x2 game whose NBS and KSBS from the security levels (1, 15/7) differ:
# outcome points (1, 5), (6, 1), (0, 0), (4, 3).  Same shapes as Battle of the Sexes, so the
# solvers compiled by the tests above serve it.
ASYM_A, ASYM_B = [[1.0, 6.0], [0.0, 4.0]], [[5.0, 1.0], [0.0, 3.0]]


def test_several_concepts_and_the_plot_mark_the_solvers_answers(tmp_path, capsys):
    """``--concept nbs,ksbs --json --plot`` prints the solvers' answers and writes the picture;
    :func:`bargainjax.plot` marks the library's own answers."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import bargainjax as bj

    path = _write_game(tmp_path, "asym.nfg", ASYM_A, ASYM_B)
    png = tmp_path / "asym.png"
    both = solve_json(capsys, path, "--concept", "nbs,ksbs", "--plot", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [r["concept"] for r in both] == ["nbs", "ksbs"]
    assert not np.allclose(both[0]["payoffs"], both[1]["payoffs"])

    game = bj.bimatrix_game(np.asarray(ASYM_A), np.asarray(ASYM_B))
    F, d = bj.correlated_set(game), bj.security_levels(game).levels
    sols = {"nbs": bj.check(bj.nash_bargaining(F, d)),
            "ksbs": bj.check(bj.kalai_smorodinsky(F, d))}
    ax = bj.plot(game, sols, ax=Figure().add_subplot())
    drawn = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
    for (name, r), out in zip(sols.items(), both):
        u, w = np.asarray(r.payoffs), np.asarray(r.weights)
        np.testing.assert_allclose(drawn[f"solution:{name}"].get_xydata(), [u])
        np.testing.assert_allclose(drawn[f"supporting:{name}"].get_xydata() @ w, w @ u)
        np.testing.assert_allclose(out["payoffs"], u, atol=1e-8)
    np.testing.assert_allclose(drawn["disagreement"].get_xydata(), [np.asarray(d)])
    np.testing.assert_allclose(drawn["security"].get_xydata()[0, 0], d[0])
    hull = drawn["hull"].get_xy()[:-1]
    assert {tuple(p) for p in hull} == {(1, 5), (6, 1), (0, 0), (4, 3)}


def test_plot_errors_keep_the_printed_results(bos, capsys, tmp_path, monkeypatch):
    import bargainjax as bj

    code = main(["solve", bos, "--concept", "zero-sum",
                 "--plot", str(tmp_path / "missing" / "p.png")])
    out, err = capsys.readouterr()
    assert code == 2 and "concept: zero-sum" in out
    assert err.startswith("bargainjax: error: --plot: cannot write") and err.count("\n") == 1
    game4 = bj.normal_form_game(np.zeros((4, 2, 2, 2, 2)))
    with pytest.raises(_common.CommandError, match="--plot draws two- and three-player games"):
        _cli._write_plot(game4, {}, str(tmp_path / "p.png"))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(_common.CommandError, match=r"--plot: .*the 'plot' extra"):
        _cli._write_plot(bj.parse_nfg(BOS), {}, str(tmp_path / "p.png"))
