"""Run the numbered notebooks headless, with parameters, and gather what they wrote.

``python -m analysis run`` calls :func:`run_notebooks`: each notebook in ``notebooks/`` is
executed in order by nbclient in a fresh ``python3`` kernel (``MPLBACKEND=Agg``,
``PYTHONHASHSEED=0``), its parameters are injected papermill-style (a cell tagged
``injected-parameters`` after the cell tagged ``parameters``), and the executed copy is saved
under ``report/notebooks/``. When a cell fails, the run stops with a message naming the
notebook, the cell and the error, and the partly executed copy is kept for reading. Afterwards
the notebooks' provenance fragments become ``report/manifest.json``, their tables one workbook
``tables/tables.xlsx``, and everything an HTML report (:mod:`analysis.outputs.report`).
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import time
from pathlib import Path

import nbformat

from ..paths import NOTEBOOKS_DIR, REPO_DIR


#: Every notebook runs in this kernel: the Python the package is installed in.
KERNEL_NAME = "python3"

#: Parameters every notebook takes (each notebook may add its own).
COMMON_PARAMETERS = ("waves", "wave", "output_dir", "threshold")


class NotebookFailed(RuntimeError):
    """A notebook cell raised: names the notebook, the cell and the error."""

    def __init__(self, notebook: str, cell: int, code_cell: int, first_line: str, error: str, saved: Path | None):
        self.notebook, self.cell, self.error, self.saved = notebook, cell, error, saved
        where = f"notebook {notebook}, cell {cell} (code cell {code_cell}, starting {first_line!r})"
        tail = f"\nThe partly executed notebook is at {saved}" if saved else ""
        super().__init__(f"{where} failed:\n{error}{tail}")


def list_notebooks(folder=NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``), in order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


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


def execute_notebook(path, parameters: dict, save_to, timeout: int = 900):
    """Execute one notebook with parameters; save the executed copy to ``save_to``.

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
    save_to.parent.mkdir(parents=True, exist_ok=True)
    # IPC sockets in a private folder: no TCP ports, no unencrypted-transport warning.
    with tempfile.TemporaryDirectory(prefix="wellbeing-kernel-") as sockets:
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(nb, config=config, timeout=timeout, kernel_name=KERNEL_NAME, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        _execute_cells(client, nb, path, save_to)
    nb.metadata.pop("widgets", None)
    _hide_folders(nb)
    nbformat.write(nb, save_to)
    return nb


def _hide_folders(nb) -> None:
    """Show only file names in the executed copy's injected cell: a full path can name a person's
    home folder, and the copy must not depend on where the outputs went."""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = re.sub(r"'(/[^']*/)([^'/]*)'", lambda m: repr(m.group(2) or "<folder>"), cell.source)


def _execute_cells(client, nb, path: Path, save_to: Path) -> None:
    from nbclient.exceptions import CellExecutionError

    code = 0
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                code += 1
            try:
                client.execute_cell(cell, index)
            except CellExecutionError:
                _hide_folders(nb)
                nbformat.write(nb, save_to)
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                raise NotebookFailed(path.stem, index + 1, code, first[:80], _error_text(cell.outputs), save_to) from None


def default_jobs() -> int:
    """Notebooks run side by side: one per CPU core, at most 4 (``WELLBEING_JOBS`` overrides)."""
    return int(os.environ.get("WELLBEING_JOBS") or min(4, os.cpu_count() or 1))


def run_notebooks(parameters: dict | None = None, output_dir=None, notebooks=None, *, report: bool = True,
                  echo=print, jobs: int | None = None) -> dict:
    """Run the notebooks in order, then write the manifest, the workbook and the HTML report.

    Parameters
    ----------
    parameters : dict, optional
        Values for the notebooks' parameters (``waves``, ``wave``, ``threshold`` ...);
        ``output_dir`` is always set from the argument below.
    output_dir : str or Path, optional
        Where ``figures/``, ``tables/``, ``provenance/`` and ``report/`` go (default the
        repository folder).
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
    """
    from .report import write_outputs

    out = Path(output_dir) if output_dir else REPO_DIR
    params = dict(parameters or {})
    params["output_dir"] = str(out.resolve())
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
    executed_dir = out / "report" / "notebooks"
    # Kernels inherit the environment: set once, before any starts (not per thread).
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["PYTHONHASHSEED"] = "0"
    start = time.perf_counter()
    total = len(chosen)

    def one(i: int, path: Path) -> Path:
        t0 = time.perf_counter()
        echo(f"[{i}/{total}] {path.stem} ...")
        nb_out = executed_dir / path.name
        execute_notebook(path, params, nb_out)
        echo(f"[{i}/{total}] {path.stem} done in {time.perf_counter() - t0:.1f} s")
        return nb_out

    jobs = max(1, min(int(jobs or default_jobs()), total))
    if jobs == 1:
        executed = [one(i, path) for i, path in enumerate(chosen, 1)]
    else:
        # Each notebook has its own kernel process, so notebooks run side by side; the first
        # failure (in notebook order) is raised once the running ones have finished.
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(one, i, path): i for i, path in enumerate(chosen, 1)}
            failed = None
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                if future.exception() is not None and failed is None:
                    failed = future.exception()
                    for other in futures:
                        other.cancel()  # notebooks not started yet are not started
            if failed is not None:
                raise failed
            executed = [f.result() for f in sorted(futures, key=futures.get)]
    result = {"notebooks": executed}
    if report:
        result.update(write_outputs(out, [p.stem for p in chosen], echo=echo))
    echo(f"all {len(chosen)} notebooks ran in {time.perf_counter() - start:.0f} s; outputs in {out}")
    return result
