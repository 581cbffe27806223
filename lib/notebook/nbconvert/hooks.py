# nbclient hooks (nbclient >= 0.6) for `jupyter nbconvert --execute`, loaded with
# --config=<this file> by lib/cli/run-notebooks.ts (see lib/notebook/jupyter.ts, executeArgs):
#  - on_cell_executed: record the kernel's execute_reply status in the cell's metadata, which is
#    authoritative (tslab reports errors only as stderr text; nbconvert's log shows "<Error>:").
#  - on_cell_error: mark the cell, and remember that the notebook failed.
#  - on_cell_start: after a failure, tag every later code cell "skip-execution" (nbclient's
#    skip_cells_with_tag default) so nothing more runs, yet the notebook is still written.
#  - on_cell_execute: write the running cell to $FD_NB_PROGRESS (to name the cell on a timeout or
#    a dead kernel, when nbconvert writes no notebook) and report slow cells on stderr.
# `c` is the traitlets config object nbconvert provides to config files.
import json, os, sys, time

_state = {"failed": False, "t0": None, "index": None}
_KEY = "fall_detection"


def _progress(obj):
    path = os.environ.get("FD_NB_PROGRESS")
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def _on_cell_start(cell, cell_index):
    if _state["failed"] and cell.cell_type == "code" and cell.source.strip():
        tags = cell.metadata.setdefault("tags", [])
        if "skip-execution" not in tags:
            tags.append("skip-execution")
        cell.metadata.setdefault(_KEY, {})["skipped_after_error"] = True


def _on_cell_execute(cell, cell_index):
    _state["t0"] = time.monotonic()
    _state["index"] = cell_index
    _progress({"cell_index": cell_index, "source": cell.source, "started": time.time()})


def _on_cell_executed(cell, cell_index, execute_reply):
    content = (execute_reply or {}).get("content", {})
    cell.metadata.setdefault(_KEY, {})["status"] = content.get("status")
    if _state["t0"] is not None:
        dt = time.monotonic() - _state["t0"]
        if dt >= float(os.environ.get("FD_NB_SLOW_CELL_S", "10")):
            first = (cell.source.strip().splitlines() or [""])[0][:80]
            print("fd-progress: cell %d took %.1f s: %s" % (cell_index + 1, dt, first), file=sys.stderr, flush=True)


def _on_cell_error(cell, cell_index, execute_reply):
    _state["failed"] = True
    content = (execute_reply or {}).get("content", {})
    meta = cell.metadata.setdefault(_KEY, {})
    meta["error"] = True
    meta["status"] = content.get("status")
    meta["ename"] = content.get("ename")
    meta["evalue"] = content.get("evalue")


c.ExecutePreprocessor.on_cell_start = _on_cell_start
c.ExecutePreprocessor.on_cell_execute = _on_cell_execute
c.ExecutePreprocessor.on_cell_executed = _on_cell_executed
c.ExecutePreprocessor.on_cell_error = _on_cell_error
