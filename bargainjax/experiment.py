r"""The experiment harness: what ``bargainjax run`` and ``bargainjax reproduce`` run, and the
helpers an experiment uses (``import bargainjax.experiment``; not re-exported by ``bargainjax``).

**The contract.**  An *experiment* is a Python file ``experiments/NAME.py`` with a TOML config
``configs/NAME.toml``::

    experiment = "NAME"            # the file experiments/NAME.py
    title = "one line"
    source = "where the numbers come from (document, example, page)"

    [params]                       # passed to run() as a dict
    num_points = 200

Names say what an experiment is: ``report_*`` reproduces numbers printed in J. Treutlein,
"Modeling evidential cooperation in large worlds" (2023), ``post_*`` claims of Diffractor,
"Unifying Bargaining Notions (2/2)" (2022), and ``study_*`` is a research study whose expected
values are properties (identities, bounds) rather than printed numbers.

The experiment file lives in ``<config folder>/../experiments/`` and is loaded by file path
(the package never imports ``experiments``).  It defines::

    from bargainjax.experiment import check, main, pyplot, save_figure

    def run(params: dict, out_dir: pathlib.Path) -> dict:
        return {
            "results": {...},          # anything JSON-able (arrays become lists, NaN null);
                                       # an optional "certificates" entry
                                       # {label: {"name", "value", "tol", "status"}} is listed
                                       # in the report
            "checks": [check(...), ...],   # see :func:`check`
            "figures": [save_figure(fig, out_dir, "fig.png"), ...],   # files in out_dir
        }

    if __name__ == "__main__":
        sys.exit(main(__file__))       # = bargainjax run configs/NAME.toml [--out DIR]

and imports only public names (``bargainjax``, ``bargainjax.experiment``).  Precision is the
runner's business: :func:`load_experiment` switches on ``jax_enable_x64`` (:func:`enable_x64`)
before it executes the file, so every experiment computes in float64 and none sets it itself.

**What the runner records.**  :func:`run_experiment` writes ``out_dir/results.json`` =
``{"experiment", "config", "results", "checks", "figures", "elapsed_s"}`` (``elapsed_s``: the
wall time of ``run``, compilation included).  :func:`reproduce` runs every ``configs/*.toml``
into ``out/<name>/`` and writes ``out/report.md``: every check (computed vs. expected, with its
source and note), a summary line ``N checks, M match``, the certificates, and the figures.  A
mismatching check is not an error (the printed number may be a misprint, explained in the
check's note); an experiment that raises is: ``reproduce`` reports it, goes on with the others,
and exits 1.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import math
import pathlib
import platform
import sys
import time
import tomllib
import traceback
from typing import Any

import numpy as np

__all__ = [
    "CHECK_KEYS", "RESULT_KEYS", "check", "coalition_label", "config_path",
    "default_configs_dir", "enable_x64", "experiment_path", "format_value", "load_config",
    "load_experiment", "main", "pyplot", "reproduce", "run_experiment", "save_figure",
    "to_jsonable", "write_report",
]

RESULT_KEYS = ("experiment", "config", "results", "checks", "figures", "elapsed_s")
CHECK_KEYS = ("name", "computed", "expected", "source", "match", "note")


# ---------------------------------------------------------------------- for experiments


def to_jsonable(obj: Any) -> Any:
    """Convert results to plain JSON types: arrays (numpy/JAX) to nested lists, NaN/inf to
    ``None``, NamedTuples to dicts, paths to strings."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if hasattr(obj, "_asdict"):  # NamedTuple
        return to_jsonable(obj._asdict())
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (str, bool)) or obj is None:
        return obj
    if isinstance(obj, pathlib.PurePath):
        return str(obj)
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, bool):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if hasattr(obj, "__array__") or isinstance(obj, np.generic):
        a = np.asarray(obj)
        if a.dtype == bool:
            return a.tolist()
        if np.issubdtype(a.dtype, np.integer):
            return a.tolist()
        if np.issubdtype(a.dtype, np.number):
            a = a.astype(float)
            out = np.where(np.isfinite(a), a, np.nan).tolist()
            return _nan_to_none(out)
        return to_jsonable(a.tolist())
    return str(obj)


def _certificate_table(results) -> dict:
    """The experiment's ``certificates`` entry when it is the documented ``{label: {...}}``
    table; anything else (e.g. an array an experiment happened to call so) lists nothing."""
    table = results.get("certificates") if isinstance(results, dict) else None
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(v, dict)}


def _nan_to_none(x):
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return None if isinstance(x, float) and not math.isfinite(x) else x


def coalition_label(mask: int) -> str:
    """Coalition bitmask -> ``'{1,2}'`` (bit ``i - 1`` is player ``i``), for reports."""
    return "{" + ",".join(str(i + 1) for i in range(int(mask).bit_length()) if mask >> i & 1) + "}"


def check(name: str, computed, expected, *, source: str, rtol: float = 1e-6,
          atol: float = 0.0, note: str = "") -> dict:
    """One reproduction check: does ``computed`` agree with the ``expected`` (printed) number?

    ``match`` is ``numpy.allclose(computed, expected, rtol=rtol, atol=atol)`` with equal shapes;
    NaN never matches.  A printed number is usually rounded: pass the ``atol`` of its last digit
    (``A ≈ 8.15`` -> ``atol=0.005``).

    Args:
        name: short identifier, e.g. ``"ex10.A"``.
        computed: what the experiment computed (scalar or array).
        expected: the number in the source (scalar or array).
        source: where ``expected`` is printed (document, example, page/equation).
        rtol, atol: closeness, as in :func:`numpy.allclose`.
        note: explanation, e.g. why a mismatch is a misprint in the source.

    Returns:
        ``{"name", "computed", "expected", "source", "match", "note", "rtol", "atol"}``.
    """
    c = np.asarray(computed, dtype=float)
    e = np.asarray(expected, dtype=float)
    match = bool(c.shape == e.shape and np.all(np.isfinite(c)) and np.all(np.isfinite(e))
                 and np.allclose(c, e, rtol=rtol, atol=atol))
    return {
        "name": str(name),
        "computed": to_jsonable(c),
        "expected": to_jsonable(e),
        "source": str(source),
        "match": match,
        "note": str(note),
        "rtol": float(rtol),
        "atol": float(atol),
    }


# ------------------------------------------------------------------------- precision


def enable_x64() -> None:
    """Switch on ``jax_enable_x64`` (float64, the reference precision of every experiment).

    The runner calls it before it loads an experiment file; call it yourself only when you
    import an experiment's ``run`` some other way.  Idempotent."""
    import jax

    jax.config.update("jax_enable_x64", True)


# --------------------------------------------------------------------------- figures


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive ``Agg`` backend (imported on first use, so
    the harness needs matplotlib only for experiments that draw: ``pip install ".[plot]"``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, out_dir, name: str, *, dpi: int = 110, tight: bool = True) -> str:
    """Write ``fig`` to ``out_dir/name`` and close it; return ``name`` (for ``"figures"``).

    Args:
        fig: a matplotlib figure.
        out_dir: the experiment's output folder.
        name: file name, e.g. ``"fig6_decompositions.png"``.
        dpi: resolution.
        tight: apply ``fig.tight_layout()`` first (pass ``False`` for hand-placed axes).
    """
    plt = pyplot()
    if tight:
        fig.tight_layout()
    fig.savefig(pathlib.Path(out_dir) / name, dpi=dpi)
    plt.close(fig)
    return name


# ------------------------------------------------------------------------------ running


def load_config(path) -> dict:
    """Read and validate a config file (``experiment`` string, optional ``params`` table)."""
    path = pathlib.Path(path)
    with open(path, "rb") as f:
        try:
            cfg = tomllib.load(f)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path}: not valid TOML: {err}") from None
    name = cfg.get("experiment")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{path}: `experiment` must name a file experiments/NAME.py "
                         f"(a Python identifier), got {name!r}")
    params = cfg.setdefault("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"{path}: `params` must be a table, got {type(params).__name__}")
    return cfg


def experiment_path(config_path, name: str) -> pathlib.Path:
    """``<config folder>/../experiments/<name>.py``."""
    return pathlib.Path(config_path).resolve().parent.parent / "experiments" / f"{name}.py"


def load_experiment(path):
    """Import an experiment module from its file path (not as part of any package), with
    ``jax_enable_x64`` switched on first (:func:`enable_x64`)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"experiment file {path} does not exist")
    enable_x64()
    mod_name = f"_bargainjax_experiment_{path.stem}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(mod_name, None)
        raise
    if not callable(getattr(module, "run", None)):
        raise ValueError(f"{path} must define run(params: dict, out_dir: pathlib.Path) -> dict")
    return module


def _validate_output(out, path, out_dir: pathlib.Path) -> dict:
    if not isinstance(out, dict) or not {"results", "checks", "figures"} <= set(out):
        raise ValueError(f"{path}: run() must return a dict with 'results', 'checks', 'figures'")
    for c in out["checks"]:
        missing = [k for k in CHECK_KEYS if k not in c]
        if missing:
            raise ValueError(f"{path}: check {c.get('name', c)!r} lacks {missing}")
    for fig in out["figures"]:
        if not (out_dir / fig).is_file():
            raise ValueError(f"{path}: figure {fig!r} was not written into {out_dir}")
    return out


def run_experiment(config_path, out_dir) -> dict:
    """Run one experiment from its config into ``out_dir``; write and return ``results.json``."""
    config_path = pathlib.Path(config_path)
    cfg = load_config(config_path)
    path = experiment_path(config_path, cfg["experiment"])
    module = load_experiment(path)
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    out = module.run(dict(cfg["params"]), out_dir)
    elapsed = time.perf_counter() - start
    out = _validate_output(out, path, out_dir)
    record = {
        "experiment": cfg["experiment"],
        "config": to_jsonable(cfg),
        "results": to_jsonable(out["results"]),
        "checks": to_jsonable(list(out["checks"])),
        "figures": [str(f) for f in out["figures"]],
        "elapsed_s": round(elapsed, 3),
    }
    text = json.dumps(record, indent=2, allow_nan=False)
    (out_dir / "results.json").write_text(text + "\n", encoding="utf-8")
    return record


# ---------------------------------------------------------------------------- reproduce


def default_configs_dir() -> pathlib.Path:
    """``./configs`` when it sits next to ``./experiments``; else the repository's ``configs``."""
    here = pathlib.Path.cwd()
    if (here / "configs").is_dir() and (here / "experiments").is_dir():
        return here / "configs"
    return pathlib.Path(__file__).resolve().parent.parent / "configs"


def format_value(x) -> str:
    """A computed or expected value as the report and ``bargainjax run`` print it."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, list):
        return "[" + ", ".join(format_value(v) for v in x) + "]"
    return str(x)


def _cell(x) -> str:
    return format_value(x).replace("|", "\\|").replace("\n", " ")


def write_report(out_dir: pathlib.Path, records: list, failures: dict, elapsed: float) -> str:
    """Write ``out_dir/report.md`` from the experiments' records; return its text."""
    import jax

    from bargainjax import __version__

    checks = [(r["experiment"], c) for r in records for c in r["checks"]]
    matched = sum(bool(c["match"]) for _, c in checks)
    summary = f"{len(checks)} checks, {matched} match"
    lines = [
        "# bargainjax: reproduction report",
        "",
        f"Generated by `bargainjax reproduce` on "
        f"{datetime.datetime.now().isoformat(timespec='seconds')} "
        f"(bargainjax {__version__}, jax {jax.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} {jax.default_backend()}); {elapsed:.1f} s in all.",
        "",
        f"**{summary}**; {len(records)} experiment(s) ran"
        + (f", **{len(failures)} failed**" if failures else "") + ".",
        "",
        "A mismatch is not necessarily an error of the library: printed numbers are rounded and "
        "some are misprints; each check's note says which.",
        "",
        "## Checks",
        "",
        "| experiment | check | computed | expected | match | source | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for exp, c in checks:
        lines.append("| " + " | ".join(_cell(v) for v in (
            exp, c["name"], c["computed"], c["expected"], "yes" if c["match"] else "**no**",
            c["source"], c["note"])) + " |")
    certs = [(r["experiment"], label, c) for r in records if isinstance(r["results"], dict)
             for label, c in _certificate_table(r["results"]).items()]
    if certs:
        lines += ["", "## Certificates", "",
                  "| experiment | solution | certificate | value | tol | status |",
                  "|---|---|---|---|---|---|"]
        for exp, label, c in certs:
            lines.append("| " + " | ".join(_cell(v) for v in (
                exp, label, c.get("name", ""), c.get("value"), c.get("tol"),
                c.get("status", ""))) + " |")
    if failures:
        lines += ["", "## Failed experiments", ""]
        for name, msg in failures.items():
            lines.append(f"- `{name}`: {msg}")
    lines += ["", "## Experiments"]
    for r in records:
        cfg = r["config"]
        lines += ["", f"### {cfg.get('title', r['experiment'])} (`{r['experiment']}`)", ""]
        if cfg.get("source"):
            lines.append(f"Source: {cfg['source']}")
            lines.append("")
        lines.append(f"{r['elapsed_s']:.1f} s; full results in "
                     f"[{r['name']}/results.json]({r['name']}/results.json).")
        for fig in r["figures"]:
            lines += ["", f"![{fig}]({r['name']}/{fig})"]
    text = "\n".join(lines) + "\n"
    (out_dir / "report.md").write_text(text, encoding="utf-8")
    return text


def reproduce(out_dir="out", configs_dir=None, *, progress: bool = True) -> tuple[int, str]:
    """Run every ``configs/*.toml`` into ``out_dir/<name>/`` and write ``out_dir/report.md``.

    Returns ``(exit_code, summary_line)``: 0 when every experiment ran (whatever its checks
    say), 1 when one raised or there was nothing to run.
    """
    from tqdm import tqdm

    configs_dir = pathlib.Path(configs_dir) if configs_dir else default_configs_dir()
    configs = sorted(configs_dir.glob("*.toml"))
    if not configs:
        raise ValueError(f"no experiment configs (*.toml) in {configs_dir}")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records, failures = [], {}
    start = time.perf_counter()
    bar = tqdm(configs, desc="experiments", unit="exp", disable=not progress, file=sys.stderr)
    for cfg_path in bar:
        name = cfg_path.stem
        bar.set_postfix_str(name)
        try:
            rec = run_experiment(cfg_path, out_dir / name)
        except Exception as err:  # noqa: BLE001 - reported, the others still run
            failures[name] = f"{type(err).__name__}: {' '.join(str(err).split())}"
            (out_dir / name).mkdir(parents=True, exist_ok=True)
            (out_dir / name / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
            continue
        rec["name"] = name
        records.append(rec)
    bar.close()
    write_report(out_dir, records, failures, time.perf_counter() - start)
    n = sum(len(r["checks"]) for r in records)
    m = sum(bool(c["match"]) for r in records for c in r["checks"])
    summary = f"{n} checks, {m} match; {len(records)} experiment(s) ran, {len(failures)} failed"
    return (1 if failures else 0), summary


# --------------------------------------------------------------------- from a script


def config_path(experiment_file) -> pathlib.Path:
    """The config of an experiment file: ``<file's folder>/../configs/<file's stem>.toml``."""
    path = pathlib.Path(experiment_file).resolve()
    return path.parent.parent / "configs" / f"{path.stem}.toml"


def main(experiment_file, argv=None) -> int:
    """Run an experiment file's config as ``bargainjax run`` does; return the exit status.

    For an experiment's ``if __name__ == "__main__": sys.exit(main(__file__))`` block:
    ``python experiments/NAME.py [--out DIR]`` is ``bargainjax run configs/NAME.toml
    [--out DIR]`` (default output folder ``out/NAME``).

    Args:
        experiment_file: the experiment's path (``__file__``).
        argv: further ``bargainjax run`` arguments; default ``sys.argv[1:]``.
    """
    from bargainjax.cli import main as cli_main

    argv = list(sys.argv[1:] if argv is None else argv)
    return cli_main(["run", str(config_path(experiment_file)), *argv])
