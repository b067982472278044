"""Run the numbered notebooks headless, with parameters, and gather what they wrote.

``python -m analysis run`` calls :func:`run_notebooks`: each notebook in ``notebooks/`` is
executed in order by nbclient in a fresh ``python3`` kernel (``MPLBACKEND=Agg``,
``PYTHONHASHSEED=0``), its parameters are injected papermill-style (a cell tagged
``injected-parameters`` after the cell tagged ``parameters``), and the executed copy is saved
under ``report/notebooks/``. Afterwards the notebooks' provenance fragments become
``report/manifest.json``, their tables one workbook ``tables/tables.xlsx``, and everything an
HTML report (:mod:`analysis.outputs.report`).

A run writes into a temporary folder inside the output folder (``<out>/.run-<pid>-<random>``) and
replaces the previous ``figures/``, ``tables/``, ``provenance/`` and ``report/`` only once the whole
run is complete (:func:`replace_outputs`), so the output folder never holds a report whose
manifest does not match its files. ``README*`` files in those folders are not outputs and stay.

- When a cell fails, the run stops with a message naming the notebook, the cell and the error;
  the partly executed copy is kept in the temporary folder for reading, and the previous
  outputs are left as they were.
- Ctrl-C (SIGINT) stops the running notebooks (their kernels are shut down) and the queued ones,
  removes the temporary folder, leaves the previous outputs as they were and raises
  :class:`RunInterrupted`.
"""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from ..arguments import checked
from ..errors import fail
from ..paths import NOTEBOOKS_DIR, REPO_DIR


#: Every notebook runs in this kernel: the Python the package is installed in.
KERNEL_NAME = "python3"

#: Parameters every notebook takes (each notebook may add its own).
COMMON_PARAMETERS = ("waves", "wave", "output_dir", "threshold")

#: The folders a run writes; each is replaced whole when a run is complete.
OUTPUT_FOLDERS = ("figures", "tables", "provenance", "report")

#: Files in those folders that are not outputs (the repository tracks them): carried over.
KEPT_FILES = ("README*", ".git*")

#: Seconds a stopped kernel gets to exit after SIGTERM before it is killed.
KERNEL_GRACE = 2.0


class NotebookFailed(RuntimeError):
    """A notebook cell raised: names the notebook, the cell and the error."""

    def __init__(self, notebook: str, cell: int, code_cell: int, first_line: str, error: str, saved: Path | None):
        self.notebook, self.cell, self.error, self.saved = notebook, cell, error, saved
        where = f"notebook {notebook}, cell {cell} (code cell {code_cell}, starting {first_line!r})"
        tail = f"\nThe partly executed notebook is at {saved}" if saved else ""
        super().__init__(f"{where} failed:\n{error}{tail}")


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run: its kernels were shut down, its temporary folder removed, and the
    output folder left as it was. ``str()`` says so in one line."""

    def __init__(self, out):
        self.out = Path(out)
        if (self.out / "report" / "manifest.json").is_file():
            text = f"no report was written; the previous report in {self.out} is unchanged"
        else:
            text = f"no report was written; {self.out} is unchanged"
        super().__init__(text)


class ReplaceFailed(OSError):
    """Moving a finished run's folders into place failed, and so did putting the previous ones
    back: the message says where they are."""


class _Stopped(Exception):
    """A notebook that a Ctrl-C stopped before or while it ran."""


def list_notebooks(folder=NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``), in order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


#: Parameters naming an input other than the survey waves, and how to give it on the command line.
#: A notebook with such a parameter runs on your waves only when the input is given: otherwise it
#: would analyse the bundled synthetic one beside real waves.
OWN_INPUTS = {"poll": "a member poll (--poll)", "teams": "team health-check returns (--teams)"}


def _with_their_inputs(chosen: list[Path], params: dict, echo) -> list[Path]:
    """The notebooks that can run: on the bundled synthetic waves all of them; on waves of your
    own, a notebook that analyses another input (:data:`OWN_INPUTS`) only when it is given."""
    if params.get("waves") is None:
        return chosen
    kept = []
    for path in chosen:
        missing = [name for name in parameter_names(nbformat.read(path, as_version=4))
                   if name in OWN_INPUTS and params.get(name) is None]
        if missing:
            echo(f"skipped {path.stem}: it needs {' and '.join(OWN_INPUTS[m] for m in missing)}, not given")
        else:
            kept.append(path)
    return kept


def parameter_names(nb) -> list[str]:
    """Names assigned in the notebook's cell tagged ``parameters``."""
    cell = _parameters_cell(nb)
    if cell is None:
        return []
    names = []
    for node in ast.parse(nb.cells[cell].source).body:
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _parameters_cell(nb) -> int | None:
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def inject_parameters(nb, parameters: dict):
    """Insert a cell tagged ``injected-parameters`` after the ``parameters`` cell.

    Only the names the notebook declares in its parameters cell are set; values must be Python
    literals (written with ``repr``). Returns the notebook (changed in place).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("threshold = 10\\nwave = None")])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> print(inject_parameters(nb, {"threshold": 5, "other": 1}).cells[1].source)
    # Parameters injected by the runner
    threshold = 5
    """
    at = _parameters_cell(nb)
    if at is None:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    declared = parameter_names(nb)
    lines = ["# Parameters injected by the runner"]
    lines += [f"{k} = {v!r}" for k, v in parameters.items() if k in declared]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    cell.id = "injected-parameters"
    nb.cells.insert(at + 1, cell)
    return nb


def _error_text(outputs) -> str:
    for out in outputs:
        if out.get("output_type") == "error":
            return f"{out['ename']}: {out['evalue']}"
    return "the cell raised an error"


def execute_notebook(path, parameters: dict, save_to, timeout: int = 900, *, shown_output_dir=None,
                     kernels: _Kernels | None = None):
    """Execute one notebook with parameters; save the executed copy to ``save_to``.

    Parameters
    ----------
    shown_output_dir : str or Path, optional
        The output folder to name in the executed copy instead of ``parameters["output_dir"]``
        (a run writes into a temporary folder first); only its name is shown.
    kernels : optional
        Where the kernel is registered while it runs, so that Ctrl-C can stop it.

    Raises
    ------
    NotebookFailed
        When a cell raises (the partly executed copy is saved first).
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    path, save_to = Path(path), Path(save_to)
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, parameters)
    aliases = {}
    if shown_output_dir is not None and parameters.get("output_dir"):
        aliases[str(parameters["output_dir"])] = str(shown_output_dir)
    save_to.parent.mkdir(parents=True, exist_ok=True)
    # IPC sockets in a private folder: no TCP ports, no unencrypted-transport warning.
    with tempfile.TemporaryDirectory(prefix="wellbeing-kernel-") as sockets:
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(nb, config=config, timeout=timeout, kernel_name=KERNEL_NAME, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        _execute_cells(client, nb, path, save_to, aliases, kernels)
    nb.metadata.pop("widgets", None)
    _hide_folders(nb, aliases)
    nbformat.write(nb, save_to)
    return nb


def _hide_folders(nb, aliases: dict | None = None) -> None:
    """Show only file names in the executed copy's injected cell: a full path can name a person's
    home folder, and the copy must not depend on where the outputs went (``aliases`` maps the
    temporary folder a run wrote to onto the output folder it stands for)."""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for used, shown in (aliases or {}).items():
                cell.source = cell.source.replace(repr(used), repr(shown))
            cell.source = re.sub(r"'(/[^']*/)([^'/]*)'", lambda m: repr(m.group(2) or "<folder>"), cell.source)


def _execute_cells(client, nb, path: Path, save_to: Path, aliases: dict, kernels) -> None:
    from nbclient.exceptions import CellExecutionError

    code = 0
    with client.setup_kernel():
        if kernels is not None:
            kernels.add(client)  # raises _Stopped after a Ctrl-C; leaving the block shuts the kernel down
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    code += 1
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError:
                    if kernels is not None and kernels.stopping:
                        raise _Stopped(path.stem) from None
                    _hide_folders(nb, aliases)
                    nbformat.write(nb, save_to)
                    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                    raise NotebookFailed(path.stem, index + 1, code, first[:80], _error_text(cell.outputs),
                                         save_to) from None
                except Exception:
                    if kernels is not None and kernels.stopping:  # the kernel was shut down under it
                        raise _Stopped(path.stem) from None
                    raise
        finally:
            if kernels is not None:
                kernels.discard(client)


class _Kernels:
    """The kernels of one run, so that the main thread can shut them down on Ctrl-C while the
    worker threads wait on them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients: set = set()
        self.stopping = False

    def add(self, client) -> None:
        with self._lock:
            if self.stopping:
                raise _Stopped("stopped before it ran")
            self._clients.add(client)

    def discard(self, client) -> None:
        with self._lock:
            self._clients.discard(client)

    def check(self) -> None:
        if self.stopping:
            raise _Stopped("stopped before it ran")

    def stop(self, grace: float = KERNEL_GRACE) -> None:
        """Refuse new kernels; end the running ones: SIGTERM to each kernel's process group, then
        SIGKILL to those still there after ``grace`` seconds. The worker threads then see a dead
        kernel, and nbclient cleans up its connection files as it leaves."""
        with self._lock:
            self.stopping = True
            clients = list(self._clients)
        processes = [p for p in (_kernel_process(c) for c in clients) if p is not None]
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(p.poll() is None for p in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        for process in processes:
            if process.poll() is None:
                _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))


def _kernel_process(client):
    """The kernel's :class:`subprocess.Popen`, where jupyter_client's local provisioner has one."""
    km = getattr(client, "km", None)
    provisioner = getattr(km, "provisioner", None) if km is not None else None
    return getattr(provisioner, "process", None)


def _signal_group(process, signum) -> None:
    # jupyter_client starts each kernel in a session of its own (so a Ctrl-C in the terminal
    # never reaches it): signal its whole group, which holds whatever the kernel started too.
    try:
        if os.name == "posix" and os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signum)
        elif signum == signal.SIGTERM:
            process.terminate()
        else:
            process.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


@contextlib.contextmanager
def _ctrl_c_ignored():
    """Ignore Ctrl-C for a moment: while cleaning up after one (a second must not leave kernels
    or a temporary folder behind) and while swapping folders (a matter of milliseconds)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _rename(source: Path, target: Path) -> None:
    """One rename (a separate function so that tests can make it fail)."""
    os.rename(source, target)


def replace_outputs(staging, out, folders=OUTPUT_FOLDERS) -> None:
    """Move a finished run's output folders from ``staging`` into ``out``, replacing the previous ones.

    Each of ``folders`` in ``out`` is replaced whole, by renames (``staging`` is inside ``out``,
    on the same file system): files matching :data:`KEPT_FILES` (the tracked ``README.md``) are
    copied into the new folder first, a folder the run did not write becomes an empty one, and
    ``report/`` goes last in, after the files it describes. If a rename fails, the folders
    already moved are put back, so ``out`` holds the previous outputs, and the error is raised.
    On success ``staging`` is removed, with the previous outputs in it.

    Parameters
    ----------
    staging : str or Path
        The run's temporary folder: ``figures/``, ``tables/``, ``provenance/``, ``report/``.
    out : str or Path
        The output folder.

    Raises
    ------
    ReplaceFailed
        When putting the previous folders back failed too: the message says where they are.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = Path(d)
    ...     (out / "tables").mkdir()
    ...     _ = (out / "tables" / "README.md").write_text("kept"), (out / "tables" / "old.csv").write_text("old")
    ...     staging = out / ".run-demo"
    ...     (staging / "tables").mkdir(parents=True)
    ...     _ = (staging / "tables" / "new.csv").write_text("new")
    ...     replace_outputs(staging, out)
    ...     sorted(p.name for p in (out / "tables").iterdir()), staging.exists()
    (['README.md', 'new.csv'], False)
    """
    staging, out = Path(staging), Path(out)
    previous = staging / ".previous"
    previous.mkdir(exist_ok=True)
    for name in folders:
        new, old = staging / name, out / name
        new.mkdir(exist_ok=True)
        if old.is_dir():
            for kept in sorted(old.iterdir()):
                if kept.is_file() and any(fnmatch.fnmatch(kept.name, pat) for pat in KEPT_FILES) \
                        and not (new / kept.name).exists():
                    shutil.copy2(kept, new / kept.name)
    # report/ first out and last in: during the swap the folder holds no report rather than a
    # report over files it does not describe.
    order = sorted(folders, key=lambda name: name != "report")
    aside: list[str] = []
    placed: list[str] = []
    try:
        for name in order:
            if (out / name).exists() or (out / name).is_symlink():
                _rename(out / name, previous / name)
                aside.append(name)
        for name in reversed(order):
            _rename(staging / name, out / name)
            placed.append(name)
    except BaseException as exc:
        try:
            for name in reversed(placed):
                _rename(out / name, staging / name)
            for name in reversed(aside):
                _rename(previous / name, out / name)
        except BaseException as again:
            raise ReplaceFailed(f"replacing the outputs in {out} failed ({exc}), and so did putting the previous "
                                f"ones back ({again}): they are in {previous}") from exc
        raise
    shutil.rmtree(staging, ignore_errors=True)


def default_jobs() -> int:
    """Notebooks run side by side: one per CPU core, at most 4 (``WELLBEING_JOBS`` overrides)."""
    return int(os.environ.get("WELLBEING_JOBS") or min(4, os.cpu_count() or 1))


def _check_output_folder(out: Path) -> None:
    """Refuse, before any notebook runs, an output folder that is a file or cannot be written."""
    problem = None
    if out.exists() and not out.is_dir():
        problem = f"the output folder {out} is a file"
    else:
        parent = next((p for p in [out, *out.parents] if p.exists()), None)
        if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
            problem = f"the output folder {out} cannot be written ({parent} is read-only)"
    if problem:
        fail("bad output folder", problem, "give --out a folder you can write to (it is made if missing)",
             source="the run", outcome="no notebook was run")


@checked(parameters="mapping")
def run_notebooks(parameters: dict | None = None, output_dir=None, notebooks=None, *, report: bool = True,
                  echo=print, jobs: int | None = None) -> dict:
    """Run the notebooks in order, then write the manifest, the workbook and the HTML report.

    Everything is written into a temporary folder inside ``output_dir`` first, and moves into
    place only when the whole run is complete (:func:`replace_outputs`).

    Parameters
    ----------
    parameters : dict, optional
        Values for the notebooks' parameters (``waves``, ``wave``, ``threshold`` ...);
        ``output_dir`` is always set from the argument below.
    output_dir : str or Path, optional
        Where ``figures/``, ``tables/``, ``provenance/`` and ``report/`` go (default the
        repository folder). They are replaced whole: after a run they hold this run's outputs
        only (and their ``README*`` files).
    notebooks : list of str, optional
        Names or numbers to run (default all).
    report : bool
        Build the manifest, workbook and HTML report afterwards.
    echo : callable
        Progress lines.
    jobs : int, optional
        Notebooks run at the same time (default :func:`default_jobs`); each has its own kernel,
        and the outputs do not depend on the order they finish in.

    Returns
    -------
    dict
        ``notebooks`` (executed paths), ``manifest``, ``workbook``, ``report`` (paths).

    Raises
    ------
    NotebookFailed
        A cell raised: the message names the notebook, the cell, the error and the temporary
        folder that keeps this run's outputs so far; the previous outputs are unchanged.
    RunInterrupted
        Ctrl-C: kernels shut down, temporary folder removed, previous outputs unchanged.
    """
    from .report import write_outputs

    out = Path(output_dir) if output_dir else REPO_DIR
    _check_output_folder(out)
    params = dict(parameters or {})
    for key, value in params.items():  # files named relative to where the run started, not notebooks/
        if isinstance(value, (str, Path)) and key != "output_dir" and Path(value).suffix and Path(value).exists():
            params[key] = str(Path(value).resolve())
    chosen = list_notebooks()
    if notebooks:
        wanted = {str(n) for n in notebooks}
        chosen = [p for p in chosen if p.stem in wanted or p.stem.split("_")[0] in wanted
                  or p.stem.split("_")[0].lstrip("0") in wanted]
        if not chosen:
            raise ValueError(f"no notebook matches {sorted(wanted)}; the notebooks are "
                             f"{[p.stem for p in list_notebooks()]}")
    chosen = _with_their_inputs(chosen, params, echo)
    # Kernels inherit the environment: set once, before any starts (not per thread).
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["PYTHONHASHSEED"] = "0"
    start = time.perf_counter()
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".run-{os.getpid()}-", dir=out))
    params["output_dir"] = str(staging)
    keep = False
    try:
        executed = _run_all(chosen, params, staging, out, echo, jobs)
        if report:
            written = write_outputs(staging, [p.stem for p in chosen], echo=echo_briefing(echo))
        with _ctrl_c_ignored():
            replace_outputs(staging, out)
    except NotebookFailed as exc:
        keep = True
        exc.args = (f"{exc}\nThis run's outputs so far are in {staging} (delete the folder when done); "
                    f"the previous outputs in {out} are unchanged.",)
        raise
    except ReplaceFailed:
        keep = True
        raise
    except KeyboardInterrupt:
        raise RunInterrupted(out) from None
    finally:
        if not keep:
            with _ctrl_c_ignored():
                shutil.rmtree(staging, ignore_errors=True)
                if created and not any(out.iterdir()):
                    out.rmdir()
    result = {"notebooks": [out / p.relative_to(staging) for p in executed]}
    if report:
        result.update({"manifest": out / "report" / "manifest.json", "workbook": out / "tables" / "tables.xlsx",
                       "report": out / "report" / "index.html",
                       "briefing": out / written["briefing"].relative_to(staging)})
        echo(f"wrote {result['manifest']}, {result['workbook']}, {result['report']} and {result['briefing']}")
    echo(f"all {len(chosen)} notebooks ran in {time.perf_counter() - start:.0f} s; outputs in {out}")
    return result


def echo_briefing(echo):
    """``echo`` for :func:`write_outputs` inside a run: only what concerns the reader (that the
    briefing could not be printed, and why), not the staging folder's paths."""
    return lambda text, *args: echo(text) if str(text).startswith("briefing:") else None


def _run_all(chosen: list[Path], params: dict, staging: Path, out: Path, echo, jobs: int | None) -> list[Path]:
    """Execute the notebooks, ``jobs`` at a time, in worker threads: the main thread only waits,
    so that a Ctrl-C reaches it and it can shut the kernels down."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    executed_dir = staging / "report" / "notebooks"
    total = len(chosen)
    kernels = _Kernels()

    failed = threading.Event()  # after a failure, queued notebooks do not start

    def one(i: int, path: Path) -> Path:
        kernels.check()
        if failed.is_set():
            raise _Stopped(path.stem)
        t0 = time.perf_counter()
        echo(f"[{i}/{total}] {path.stem} ...")
        nb_out = executed_dir / path.name
        try:
            execute_notebook(path, params, nb_out, shown_output_dir=out, kernels=kernels)
        except BaseException:
            failed.set()
            raise
        echo(f"[{i}/{total}] {path.stem} done in {time.perf_counter() - t0:.1f} s")
        return nb_out

    jobs = max(1, min(int(jobs or default_jobs()), total))
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook")
    futures: dict = {}
    try:
        futures.update({pool.submit(one, i, path): i for i, path in enumerate(chosen, 1)})
        # Each notebook has its own kernel process, so notebooks run side by side; the first
        # failure is raised once the running ones have finished, and queued ones never start.
        pending, first = set(futures), None
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.get):
                error = None if future.cancelled() else future.exception()
                if error is not None and not isinstance(error, _Stopped) and first is None:
                    first = error
                    for other in pending:
                        other.cancel()
        if first is not None:
            raise first
        return [f.result() for f in sorted(futures, key=futures.get)]
    except KeyboardInterrupt:
        with _ctrl_c_ignored():
            for future in futures:
                future.cancel()
            kernels.stop()
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
