// Evaluated inside a Jupyter Notebook 6 page by lib/notebook/notebook-page.ts (browser code, ES5):
// defines window.__fdProbe, which records every execute_reply, runs all cells, and reports errors,
// plot outputs and the plots drawn on the page.
(function () {
  "use strict";
  var PLOT_MIME = "application/vnd.plotly.v1+json";
  var probe = { replies: [], kernelEvents: [], expected: 0, finished: 0 };

  function notebook() {
    return window.Jupyter && window.Jupyter.notebook;
  }

  function codeCells() {
    return notebook().get_cells().filter(function (c) { return c.cell_type === "code"; });
  }

  function text(value) {
    return Array.isArray(value) ? value.join("") : String(value == null ? "" : value);
  }

  /** True once the notebook is loaded and its kernel connected. */
  probe.ready = function () {
    var nb = notebook();
    return !!(nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected());
  };

  /** Hook execute replies and kernel events, turn autosave off; returns the code cells to run. */
  probe.install = function () {
    var nb = notebook();
    var CodeCell = window.IPython && window.IPython.CodeCell;
    if (!CodeCell) throw new Error("IPython.CodeCell not found: is this a Jupyter Notebook 6 page?");
    var original = CodeCell.prototype._handle_execute_reply;
    CodeCell.prototype._handle_execute_reply = function (msg) {
      var c = (msg && msg.content) || {};
      probe.replies.push({ index: nb.find_cell_index(this), status: String(c.status), ename: c.ename || null, evalue: c.evalue || null });
      return original.apply(this, arguments);
    };
    ["kernel_dead.Kernel", "kernel_restarting.Kernel", "kernel_disconnected.Kernel"].forEach(function (ev) {
      nb.events.on(ev, function () { probe.kernelEvents.push(ev); });
    });
    // A cell's outputs arrive on iopub, its reply on shell, in either order: a cell is finished
    // when its iopub "idle" came (Notebook 6 then fires finished_execute.CodeCell).
    nb.events.on("finished_execute.CodeCell", function () { probe.finished++; });
    nb.set_autosave_interval(0);
    probe.expected = codeCells().filter(function (c) { return c.get_text().trim().length > 0; }).length;
    return probe.expected;
  };

  probe.runAll = function () {
    notebook().execute_all_cells();
  };

  probe.progress = function () {
    return {
      replies: probe.replies.length,
      finished: probe.finished,
      expected: probe.expected,
      running: document.querySelectorAll(".cell.running").length,
      kernelEvents: probe.kernelEvents.slice(),
    };
  };

  function containers() {
    return Array.prototype.slice.call(document.querySelectorAll("#notebook-container .plotly-graph-div"));
  }

  function isDrawn(el) {
    return el.classList.contains("js-plotly-plot") && !!el.querySelector("svg.main-svg");
  }

  /** True when every plot container is drawn or shows its failure note. */
  probe.plotsSettled = function () {
    return containers().every(function (el) { return isDrawn(el) || !!el.querySelector(".plotly-not-loaded"); });
  };

  /** Everything the test judges, as plain data. */
  probe.collect = function () {
    var nb = notebook();
    var cells = nb.get_cells();
    var result = {
      cells: cells.length,
      replies: probe.replies.slice(),
      kernelEvents: probe.kernelEvents.slice(),
      errorOutputs: [],
      stderrByCell: {},
      plotOutputs: 0,
      plotsWithoutBundle: 0,
      invalidFigures: [],
      containers: 0,
      drawn: 0,
      failedPlots: [],
      plotlyOnPage: !!(window.Plotly && typeof window.Plotly.validate === "function"),
    };
    cells.forEach(function (cell, index) {
      if (cell.cell_type !== "code") return;
      cell.output_area.outputs.forEach(function (out) {
        if (out.output_type === "error") {
          result.errorOutputs.push({ index: index, text: out.ename + ": " + out.evalue });
        } else if (out.output_type === "stream" && out.name === "stderr") {
          result.stderrByCell[index] = (result.stderrByCell[index] || "") + text(out.text);
        } else if (out.data) {
          var fig = out.data[PLOT_MIME];
          var html = text(out.data["text/html"]);
          if (fig) {
            result.plotOutputs++;
            var problems = [];
            if (!fig || typeof fig !== "object" || !Array.isArray(fig.data)) problems.push("no data array");
            else if (!fig.layout || typeof fig.layout !== "object") problems.push("no layout object");
            else if (result.plotlyOnPage) {
              (window.Plotly.validate(fig.data, fig.layout) || []).forEach(function (e) { problems.push(e.msg); });
            }
            if (problems.length) result.invalidFigures.push({ index: index, problems: problems.slice(0, 5) });
          } else if (html.indexOf("plotly-graph-div") >= 0) {
            result.plotsWithoutBundle++;
          }
        }
      });
      var found = cell.output_area.element[0].querySelectorAll(".output_error");
      for (var i = 0; i < found.length; i++) {
        if (!result.errorOutputs.some(function (e) { return e.index === index; })) {
          result.errorOutputs.push({ index: index, text: found[i].textContent.trim().slice(0, 400) });
        }
      }
    });
    containers().forEach(function (el) {
      result.containers++;
      if (isDrawn(el)) result.drawn++;
      var note = el.querySelector(".plotly-not-loaded");
      if (note) result.failedPlots.push(note.textContent.trim().slice(0, 300));
    });
    return result;
  };

  window.__fdProbe = probe;
})();
