r"""Latency of interactive use: whole processes, as a person at a shell waits for them.

Run from the repository root (pygambit is the baseline, ``pip install ".[bench]"``)::

    python benchmarks/latency.py                       # every concept, 3 games, 3 repeats
    python benchmarks/latency.py --quick               # 1 repeat (a smoke run)
    python benchmarks/latency.py --concepts nbs,ksbs --games a.nfg,b.nfg --profile
    python benchmarks/latency.py --json latency.json --markdown latency.md
    python benchmarks/latency.py --from-json latency.json --markdown latency.md   # tables only

Every figure is a child process started by this script, timed with ``time.perf_counter``
around its start and exit (interpreter start-up, imports, the work, exit), with the peak
resident memory of that child alone (``os.wait4``), the median of ``--repeats`` runs:

* **import**: ``python -c "import jax"`` and ``python -c "import bargainjax"``, run
  alternately, ``3 * repeats`` times each (they are cheap and the ratio is close to 1);
  ratio bargainjax / jax (target <= 1.1).
* **baseline**: pygambit reading and solving the same ``.nfg`` file
  (``pygambit.nash.lcp_solve`` for two players, ``pygambit.nash.logit_solve`` for more:
  Gambit's n-player solvers that return one equilibrium quickly; ``gnm_solve`` did not finish
  on the 2x2x2 game in 20 s); interpreter start-up and ``import pygambit`` included.
* **solve**: ``python -m bargainjax solve GAME --concept C`` for every concept of the
  command's registry (two-player-only concepts are skipped on games with more players), on
  each game.  *Cold*: ``BARGAINJAX_CACHE=0`` (no persistent compilation cache).  *Warm*: a
  fresh ``XDG_CACHE_HOME`` per (game, concept), filled by one untimed run, then the timed
  runs.  The exit status is recorded (0 solved, 1 no certified solution, 2 error; all are
  timed alike, this is a latency benchmark).  Ratios are bargainjax / pygambit on the same
  game: targets warm <= 1.5, cold <= 3 (``coco-equilibrium`` <= 4), peak memory of a cold
  solve <= 400 MiB.
* **split**: where a target is not met (every row with ``--profile``), the command is rerun
  once in a child that registers ``jax.monitoring`` listeners and calls
  ``bargainjax.cli._main.main`` in-process.  The wall time is split into start-up (interpreter
  start and exit: the child's wall time minus what it measured itself), import
  (``import bargainjax.cli._main``, which imports JAX), tracing (``/jax/core/compile/
  jaxpr_trace_duration``: Python to jaxpr, outermost ``jit`` only), lowering
  (``/jax/core/compile/jaxpr_to_mlir_module_duration``: jaxpr to StableHLO), compilation
  (``/jax/core/compile/backend_compile_duration`` minus the cache loading inside it), cache
  loading (``/jax/compilation_cache/cache_retrieval_time_sec`` plus
  ``/bargainjax/program_cache/load_duration``: reading and deserialising a persisted
  executable, JAX's or the command's own compiled program) and the rest (running the programs, Python, printing).  Time spans of
  one kind are merged before summing, so nested events are not counted twice.
* **compile per family**: in one child, for each concept with a per-instance solver (the
  ``sweep`` builder, ``batch(n, security=True, has_weights=False, tol=None, keywords={})``),
  ``jax.jit(solver).lower(x)`` and ``.compile()`` timed separately on one game
  (``--family-game``, default the 4x4 game; the solver's input is ``{"U", "d", "w"}``), next to
  a fixed reference program compiled in the same child before and after the families:
  ``lax.fori_loop`` of 50 Newton steps for ``x = tanh(A x) + b`` on a 16x16 float64 system,
  each step one ``jnp.linalg.solve`` of ``I - diag(1 - tanh(Ax)^2) A``.  The ratio is the
  family's compile time over the reference's (the faster of its two compilations), a figure
  that moves less with the machine and its load than seconds do.

The machine's load average (``os.getloadavg``) is printed at the start and at the end; compare
only ratios from one run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GAMES = ("contrib__games__2x2.nfg", "tests__test_games__coordination_4x4_payoff.nfg",
                 "contrib__games__2x2x2.nfg")
TARGET_IMPORT = 1.1
TARGET_WARM = 1.5
TARGET_COLD = 3.0
TARGET_COLD_BY_CONCEPT = {"coco-equilibrium": 4.0}
TARGET_PEAK_MIB = 400.0
CHILD_TIMEOUT_S = 1800.0

# Run in a child: the command in-process, with jax.monitoring listeners; writes a JSON split.
_PROFILE_CHILD = r"""
import json, sys, time
t_start = time.perf_counter()
out_path, argv = sys.argv[1], sys.argv[2:]
spans, durations = {}, {}
from jax import monitoring
monitoring.register_event_time_span_listener(
    lambda event, start, end, **kw: spans.setdefault(event, []).append((start, end)))
monitoring.register_event_duration_secs_listener(
    lambda event, secs, **kw: durations.setdefault(event, []).append(secs))
import bargainjax.cli._main as cli
t_imported = time.perf_counter()
import contextlib, io
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    code = cli.main(argv)
t_done = time.perf_counter()
def union(iv):
    total, end = 0.0, None
    for a, b in sorted(iv):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total
json.dump({"import_s": t_imported - t_start, "main_s": t_done - t_imported, "code": code,
           "spans": {k: union(v) for k, v in spans.items()},
           "durations": {k: sum(v) for k, v in durations.items()}}, open(out_path, "w"))
"""

# Run in a child: lower and compile time of each solver family next to a reference program.
_FAMILY_CHILD = r"""
import json, sys, time
out_path, game_path, names = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import bargainjax as bj
from bargainjax.cli._registry import CONCEPTS

def make_reference():  # a new function object each time: no in-memory cache hit
  def reference(A, b):
    I = jnp.eye(A.shape[0], dtype=A.dtype)
    def step(_, x):
        t = jnp.tanh(A @ x)
        r = x - t - b
        J = I - (1.0 - t ** 2)[:, None] * A
        return x - jnp.linalg.solve(J, r)
    return jax.lax.fori_loop(0, 50, step, jnp.zeros_like(b))
  return reference

def timed(f, *args):
    t0 = time.perf_counter()
    lowered = jax.jit(f).lower(*args)
    t1 = time.perf_counter()
    compiled = lowered.compile()
    t2 = time.perf_counter()
    jax.block_until_ready(compiled(*args))
    return t1 - t0, t2 - t1, len(lowered.as_text())

A = 0.1 * jax.random.normal(jax.random.PRNGKey(0), (16, 16), jnp.float64)
b = jnp.ones(16, jnp.float64)
jax.block_until_ready(jax.jit(lambda v: v + 1)(b))  # backend start-up, outside every timing
out = {"reference_before": timed(make_reference(), A, b)}
game = bj.read_nfg(game_path)
U = jnp.asarray(game.payoffs, jnp.float64)
n = U.shape[0]
x = {"U": U, "d": jnp.zeros(n, jnp.float64), "w": jnp.ones(n, jnp.float64)}
fam = {}
for name in names:
    c = CONCEPTS[name]
    if c.batch is None or (c.two_players and n != 2):
        continue
    try:
        fam[name] = timed(c.batch(n, True, False, None, {}), x)
    except Exception as err:
        fam[name] = " ".join(str(err).split())[:200] or type(err).__name__
out["families"] = fam
out["reference_after"] = timed(make_reference(), A, b)
out["shape"] = list(U.shape)
json.dump(out, open(out_path, "w"))
"""


@dataclass(frozen=True)
class ProcessRun:
    """One child process: its wall time ``wall_s`` (seconds), its peak resident memory
    ``peak_mib`` (MiB), its exit status ``returncode`` and its ``stderr``, decoded."""

    wall_s: float
    peak_mib: float
    returncode: int
    stderr: str


def time_process(cmd, env=None, cwd=None, timeout=None) -> ProcessRun:
    """Run ``cmd`` (a list of arguments) as a whole process and time it.

    The wall time is ``time.perf_counter`` around the start and the exit of the child
    (interpreter start-up, imports, the work, exit: what a person at a shell waits for).  The
    peak memory is the child's own maximum resident set size from ``os.wait4`` (Linux reports
    KiB, macOS bytes).  Linux carries the parent's high-water mark into a forked child, so this
    script keeps its own memory small: it never imports JAX or bargainjax itself.  The child's
    output goes to temporary files (nothing is read while it runs).  ``timeout`` (seconds)
    kills the child and raises ``subprocess.TimeoutExpired``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        while True:
            pid, status, usage = os.wait4(proc.pid, 0 if timeout is None else os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise subprocess.TimeoutExpired(cmd, timeout)
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
        err.seek(0)
        return ProcessRun(wall, usage.ru_maxrss / scale, proc.returncode,
                          err.read().decode(errors="replace"))


def _median(xs):
    return statistics.median(xs) if xs else float("nan")


def _base_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in
                                                        env.get("PYTHONPATH", "").split(os.pathsep)
                                                        if p])
    # A user's install has its bytecode cached (pip writes it): so do the children, whatever
    # this shell says, and one untimed import of the package writes it before any timing.
    for key in ("JAX_COMPILATION_CACHE_DIR", "BARGAINJAX_CACHE", "XDG_CACHE_HOME",
                "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    subprocess.run([sys.executable, "-c", "import bargainjax.cli._main"], env=env,
                   cwd=str(REPO), check=True)
    return env


def _cold_env(base):
    return dict(base, BARGAINJAX_CACHE="0")


def _warm_env(base, cache_dir):
    return dict(base, XDG_CACHE_HOME=str(cache_dir))


def _runs(cmd, env, repeats, label):
    runs = []
    for _ in range(repeats):
        r = time_process(cmd, env=env, cwd=str(REPO), timeout=CHILD_TIMEOUT_S)
        runs.append(r)
    return {
        "label": label,
        "median_s": _median([r.wall_s for r in runs]),
        "runs_s": [round(r.wall_s, 4) for r in runs],
        "peak_mib": max(r.peak_mib for r in runs),
        "returncodes": sorted({r.returncode for r in runs}),
        "stderr_tail": runs[-1].stderr.strip().splitlines()[-1:] if runs[-1].returncode else [],
    }


class _Registry(dict):
    """``{concept: two_players}`` of the imported tree's command line, and its JAX version."""

    jax_version = ""


def _registry(env) -> _Registry:
    """The registered concepts, read in a child (this process stays free of JAX)."""
    import subprocess

    code = ("import json, jax; from bargainjax.cli._registry import CONCEPTS; "
            "print(json.dumps([jax.__version__, {k: c.two_players for k, c in CONCEPTS.items()}]))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(REPO), check=True,
                         capture_output=True, text=True).stdout
    version, concepts = json.loads(out.strip().splitlines()[-1])
    reg = _Registry(concepts)
    reg.jax_version = version
    return reg


def _num_players(path: Path) -> int:
    """Players of a Gambit ``.nfg`` file: the names in the first ``{ ... }`` of its header."""
    import shlex

    head = path.read_text(errors="replace")
    start = head.index("{")
    return len(shlex.split(head[start + 1:head.index("}", start)]))


def _games(args) -> list:
    if args.games:
        paths = [Path(p) for p in args.games.split(",") if p]
    else:
        d = Path(args.games_dir) if args.games_dir else None
        if d is None:
            env = os.environ.get("BARGAINJAX_GAMBIT_GAMES")
            if not env:
                raise SystemExit("latency.py: give --games a.nfg,b.nfg,c.nfg, or the folder of "
                                 "Gambit's example games with --games-dir or "
                                 "$BARGAINJAX_GAMBIT_GAMES")
            d = Path(env)
        paths = [d / name for name in DEFAULT_GAMES]
    for p in paths:
        if not p.is_file():
            raise SystemExit(f"latency.py: error: --games: no such file {p} (give --games or "
                             "--games-dir, or set $BARGAINJAX_GAMBIT_GAMES)")
    return paths


def _split(cmd_args, env, wall_s=None) -> dict:
    """The time split of one run of ``bargainjax`` with ``cmd_args`` (see the module docs)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "split.json"
        r = time_process([sys.executable, "-c", _PROFILE_CHILD, str(out)] + cmd_args, env=env,
                         cwd=str(REPO), timeout=CHILD_TIMEOUT_S)
        if not out.is_file():
            return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1][:200]}
        data = json.loads(out.read_text())
    spans, durs = data["spans"], data["durations"]
    jax_cache = durs.get("/jax/compilation_cache/cache_retrieval_time_sec", 0.0)
    backend = spans.get("/jax/core/compile/backend_compile_duration", 0.0)
    trace = spans.get("/jax/core/compile/jaxpr_trace_duration", 0.0)
    lower = spans.get("/jax/core/compile/jaxpr_to_mlir_module_duration", 0.0)
    compile_ = max(backend - jax_cache, 0.0)
    cache = jax_cache + durs.get("/bargainjax/program_cache/load_duration", 0.0)
    main = data["main_s"]
    return {
        "wall_s": r.wall_s, "peak_mib": r.peak_mib, "returncode": r.returncode,
        "startup_s": r.wall_s - data["import_s"] - main, "import_s": data["import_s"],
        "trace_s": trace, "lower_s": lower, "compile_s": compile_, "cache_load_s": cache,
        "rest_s": main - trace - lower - compile_ - cache,
    }


def _families(game: Path, names, env) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "families.json"
        r = time_process([sys.executable, "-c", _FAMILY_CHILD, str(out), str(game),
                          ",".join(names)], env=_cold_env(env), cwd=str(REPO),
                         timeout=CHILD_TIMEOUT_S)
        if not out.is_file():
            return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1][:300]}
        data = json.loads(out.read_text())
    ref = min(data["reference_before"][1], data["reference_after"][1])
    rows = {}
    for name, v in data["families"].items():
        if isinstance(v, str):
            rows[name] = {"error": v}
        else:
            rows[name] = {"lower_s": v[0], "compile_s": v[1], "hlo_chars": v[2],
                          "ratio": v[1] / ref}
    return {"game": game.name, "shape": data["shape"], "reference_compile_s": ref,
            "reference": data["reference_before"] + data["reference_after"],
            "families": rows}


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _fmt_split(s: dict) -> str:
    if "error" in s:
        return f"split failed: {s['error']}"
    return (f"start-up {s['startup_s']:.2f} + import {s['import_s']:.2f} + trace "
            f"{s['trace_s']:.2f} + lower {s['lower_s']:.2f} + compile {s['compile_s']:.2f} + "
            f"cache load {s['cache_load_s']:.2f} + run/other {s['rest_s']:.2f} = "
            f"{s['wall_s']:.2f} s (exit {s['returncode']}, {s['peak_mib']:.0f} MiB)")


def _md_split(s: dict) -> str:
    if "error" in s:
        return f"failed: {s['error']}"
    return (f"{s['startup_s']:.1f} + {s['import_s']:.1f} + {s['trace_s']:.1f} + "
            f"{s['lower_s']:.1f} + {s['compile_s']:.1f} + {s['cache_load_s']:.1f} + "
            f"{s['rest_s']:.1f} = {s['wall_s']:.1f}")


def markdown(summary: dict) -> str:
    """The figures of one run (the ``--json`` summary) as the Markdown tables of the
    documentation: import, one table per game, the time splits, compile per family."""
    m, out = summary["machine"], []
    yes = {True: "met", False: "**not met**"}
    out.append(f"Run of {summary['date'][:10]} ({m['platform']}, {m['cpu_count']} CPUs, "
               f"Python {m['python']}, JAX {m['jax']}), median of {summary['repeats']} "
               f"run(s), load average {m['load_average_start'][0]} at the start and "
               f"{m.get('load_average_end', ['?'])[0]} at the end.")
    imp = summary.get("import")
    if imp:
        out += ["", "| command | time | peak memory | ratio (target) |", "|---|---|---|---|",
                f"| `python -c \"import jax\"` | {imp['jax']['median_s']:.2f} s | "
                f"{imp['jax']['peak_mib']:.0f} MiB | |",
                f"| `python -c \"import bargainjax\"` | {imp['bargainjax']['median_s']:.2f} s | "
                f"{imp['bargainjax']['peak_mib']:.0f} MiB | {imp['ratio']:.2f}× jax "
                f"(≤ {summary['targets']['import']}×: {yes[imp['met']]}) |"]
    splits = []
    for g in summary.get("games", []):
        b = g["baseline"]
        out += ["", f"`{g['game']}` ({g['players']} players); pygambit "
                f"`{b['label']}` (start-up, import, read, solve): {b['median_s']:.2f} s, "
                f"{b['peak_mib']:.0f} MiB.", "",
                "| concept | cold | cold / pygambit (target) | warm | warm / pygambit (≤ 1.5×) "
                "| peak MiB cold / warm (≤ 400) | exit |", "|---|---|---|---|---|---|---|"]
        for r in g["rows"]:
            codes = sorted(set(r["cold"]["returncodes"]) | set(r["warm"]["returncodes"]))
            out.append(
                f"| {r['concept']} | {r['cold']['median_s']:.2f} s | {r['cold_ratio']:.2f}× "
                f"(≤ {r['cold_target']:g}×: {yes[r['cold_met']]}) | {r['warm']['median_s']:.2f} s "
                f"| {r['warm_ratio']:.2f}× ({yes[r['warm_met']]}) | {r['cold']['peak_mib']:.0f} / "
                f"{r['warm']['peak_mib']:.0f} ({yes[r['peak_met']]}) | "
                f"{', '.join(map(str, codes))} |")
            if "cold_split" in r or "warm_split" in r:
                splits.append(f"| {g['game'].removesuffix('.nfg')} | {r['concept']} | "
                              + " | ".join(_md_split(r[k]) if k in r else "(met)"
                                           for k in ("cold_split", "warm_split")) + " |")
    if splits:
        out += ["", "Time split of one more run (seconds): start-up + import + tracing + "
                "lowering + compilation + cache loading + run and the rest = total.", "",
                "| game | concept | cold | warm |", "|---|---|---|---|"] + splits
    fam = summary.get("families")
    if fam and "error" not in fam:
        out += ["", f"Compile time per solver family (`jit(solver).lower(x).compile()`, one "
                f"instance of `{fam['game']}`, `U` of shape {tuple(fam['shape'])}), next to "
                f"the reference program compiled in the same process: "
                f"{fam['reference_compile_s']:.2f} s.", "",
                "| family | lowering | compilation | / reference | HLO characters |",
                "|---|---|---|---|---|"]
        for name, v in fam["families"].items():
            if "error" in v:
                out.append(f"| {name} | failed: {v['error']} | | | |")
            else:
                out.append(f"| {name} | {v['lower_s']:.2f} s | {v['compile_s']:.2f} s | "
                           f"{v['ratio']:.1f}× | {v['hlo_chars']:,} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3, help="timed runs per figure (median)")
    p.add_argument("--quick", action="store_true", help="one timed run per figure (smoke run)")
    p.add_argument("--games", help="comma-separated .nfg files (default: a 2x2, a 4x4, a 2x2x2)")
    p.add_argument("--games-dir", help="folder of Gambit's example games, with the default "
                   "games' flattened names (default $BARGAINJAX_GAMBIT_GAMES)")
    p.add_argument("--concepts", help="comma-separated concepts (default: every registered one)")
    p.add_argument("--family-game", help="the .nfg file of the compile-per-family part "
                   "(default: the second game)")
    p.add_argument("--skip", default="", help="comma-separated parts to leave out: "
                   "import, solve, families")
    p.add_argument("--profile", action="store_true",
                   help="print the time split of every solve row, not only where a target fails")
    p.add_argument("--json", help="write every figure to this JSON file (rewritten as rows finish)")
    p.add_argument("--markdown", help="write the tables as Markdown to this file (the "
                   "documentation's format)")
    p.add_argument("--from-json", help="render --markdown from the JSON of an earlier run "
                   "instead of running anything")
    args = p.parse_args(argv)
    if args.from_json:
        if not args.markdown:
            raise SystemExit("latency.py: error: --from-json needs --markdown FILE")
        Path(args.markdown).write_text(markdown(json.loads(Path(args.from_json).read_text())))
        return 0
    repeats = 1 if args.quick else args.repeats
    if repeats < 1:
        raise SystemExit("latency.py: error: --repeats must be >= 1")
    skip = {s for s in args.skip.split(",") if s}
    if skip - {"import", "solve", "families"}:
        raise SystemExit(f"latency.py: error: --skip: unknown part(s) "
                         f"{sorted(skip - {'import', 'solve', 'families'})}")

    env = _base_env()
    py = sys.executable
    registry = _registry(env)
    concepts = list(registry) if not args.concepts else args.concepts.split(",")
    unknown = [c for c in concepts if c not in registry]
    if unknown:
        raise SystemExit(f"latency.py: error: --concepts: unknown {unknown}; expected some of "
                         f"{list(registry)}")
    games = _games(args)

    summary = {
        "benchmark": "latency",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "jax": registry.jax_version,
                    "load_average_start": [round(x, 2) for x in os.getloadavg()]},
        "repeats": repeats,
        "targets": {"import": TARGET_IMPORT, "warm": TARGET_WARM, "cold": TARGET_COLD,
                    "cold_by_concept": TARGET_COLD_BY_CONCEPT, "peak_mib": TARGET_PEAK_MIB},
    }

    def save():
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=1))

    m = summary["machine"]
    print(f"latency benchmark, {summary['date']}, {m['platform']}, {m['cpu_count']} CPUs, "
          f"Python {m['python']}, JAX {m['jax']}, {repeats} repeat(s), load average "
          f"{m['load_average_start']}", flush=True)

    if "import" not in skip:
        jx, bx = [], []
        for _ in range(3 * repeats):  # cheap: 3x the runs, alternately (load hits both alike)
            jx.append(time_process([py, "-c", "import jax"], env=env, cwd=str(REPO)))
            bx.append(time_process([py, "-c", "import bargainjax"], env=env, cwd=str(REPO)))
        tj, tb = _median([r.wall_s for r in jx]), _median([r.wall_s for r in bx])
        ratio = tb / tj
        summary["import"] = {
            "jax": {"median_s": tj, "runs_s": [r.wall_s for r in jx],
                    "peak_mib": max(r.peak_mib for r in jx)},
            "bargainjax": {"median_s": tb, "runs_s": [r.wall_s for r in bx],
                           "peak_mib": max(r.peak_mib for r in bx)},
            "ratio": ratio, "met": ratio <= TARGET_IMPORT}
        print("\nimport                          median s  peak MiB  ratio  target")
        print(f"python -c 'import jax'          {tj:8.2f}  {summary['import']['jax']['peak_mib']:8.0f}")
        print(f"python -c 'import bargainjax'   {tb:8.2f}  "
              f"{summary['import']['bargainjax']['peak_mib']:8.0f}  {ratio:4.2f}x  "
              f"<= {TARGET_IMPORT}x {_mark(ratio <= TARGET_IMPORT)}", flush=True)
        save()

    if "solve" not in skip:
        summary["games"] = []
        for game in games:
            n = _num_players(game)
            solver = "lcp_solve" if n == 2 else "logit_solve"
            code = (f"import pygambit; g = pygambit.read_nfg({str(game)!r}); "
                    f"pygambit.nash.{solver}(g)")
            base = _runs([py, "-c", code], env, repeats, f"pygambit.nash.{solver}")
            entry = {"game": game.name, "players": n, "baseline": base, "rows": []}
            summary["games"].append(entry)
            tp = base["median_s"]
            print(f"\n{game.name} ({n} players): pygambit read_nfg + nash.{solver} "
                  f"{tp:.2f} s, {base['peak_mib']:.0f} MiB (exit {base['returncodes']})")
            print(f"{'concept':18s} {'cold s':>7s} {'ratio':>6s} {'target':>13s}  "
                  f"{'warm s':>7s} {'ratio':>6s} {'target':>14s}  {'peak MiB cold/warm':>18s} "
                  f"{'<=400':>7s}  exit", flush=True)
            for name in concepts:
                if registry[name] and n != 2:
                    continue
                cmd_args = ["solve", str(game), "--concept", name]
                cmd = [py, "-m", "bargainjax"] + cmd_args
                cold = _runs(cmd, _cold_env(env), repeats, "cold")
                cache_dir = Path(tempfile.mkdtemp(prefix="bargainjax-latency-"))
                try:
                    fill = time_process(cmd, env=_warm_env(env, cache_dir), cwd=str(REPO),
                                        timeout=CHILD_TIMEOUT_S)
                    warm = _runs(cmd, _warm_env(env, cache_dir), repeats, "warm")
                    t_cold_target = TARGET_COLD_BY_CONCEPT.get(name, TARGET_COLD)
                    rc, rw = cold["median_s"] / tp, warm["median_s"] / tp
                    row = {"concept": name, "cold": cold, "warm": warm,
                           "fill_s": fill.wall_s, "cold_ratio": rc, "warm_ratio": rw,
                           "cold_target": t_cold_target, "cold_met": rc <= t_cold_target,
                           "warm_met": rw <= TARGET_WARM,
                           "peak_met": cold["peak_mib"] <= TARGET_PEAK_MIB}
                    codes = sorted(set(cold["returncodes"]) | set(warm["returncodes"]))
                    print(f"{name:18s} {cold['median_s']:7.2f} {rc:5.2f}x "
                          f"{'<=' + str(t_cold_target) + 'x ' + ('met' if row['cold_met'] else 'NOT'):>13s}  "
                          f"{warm['median_s']:7.2f} {rw:5.2f}x "
                          f"{'<=' + str(TARGET_WARM) + 'x ' + ('met' if row['warm_met'] else 'NOT'):>14s}  "
                          f"{cold['peak_mib']:8.0f} / {warm['peak_mib']:6.0f}  "
                          f"{'met' if row['peak_met'] else 'NOT':>7s}  "
                          f"{','.join(map(str, codes))}", flush=True)
                    for tail in cold["stderr_tail"]:
                        print(f"{'':18s} (stderr: {tail[:150]})")
                    if args.profile or not (row["cold_met"] and row["peak_met"]):
                        row["cold_split"] = _split(cmd_args, _cold_env(env))
                        print(f"{'':18s} cold split: {_fmt_split(row['cold_split'])}",
                              flush=True)
                    if args.profile or not row["warm_met"]:
                        row["warm_split"] = _split(cmd_args, _warm_env(env, cache_dir))
                        print(f"{'':18s} warm split: {_fmt_split(row['warm_split'])}",
                              flush=True)
                finally:
                    shutil.rmtree(cache_dir, ignore_errors=True)
                entry["rows"].append(row)
                save()

    if "families" not in skip:
        fgame = Path(args.family_game) if args.family_game else games[min(1, len(games) - 1)]
        fam = _families(fgame, concepts, env)
        summary["families"] = fam
        if "error" in fam:
            print(f"\ncompile per family failed: {fam['error']}")
        else:
            print(f"\ncompile per solver family (jit(solver).lower(x).compile(), one instance, "
                  f"{fam['game']}, U {tuple(fam['shape'])}); reference (50 Newton steps, 16x16 "
                  f"float64, fori_loop + linalg.solve): {fam['reference_compile_s']:.3f} s")
            print(f"{'family':18s} {'lower s':>8s} {'compile s':>10s} {'/ reference':>12s} "
                  f"{'HLO chars':>10s}")
            for name, v in fam["families"].items():
                if "error" in v:
                    print(f"{name:18s} failed: {v['error']}")
                else:
                    print(f"{name:18s} {v['lower_s']:8.2f} {v['compile_s']:10.2f} "
                          f"{v['ratio']:11.1f}x {v['hlo_chars']:10d}")
        save()

    summary["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nload average at the end: {summary['machine']['load_average_end']}")
    save()
    if args.markdown:
        Path(args.markdown).write_text(markdown(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
