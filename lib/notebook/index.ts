// Notebook helpers. Display functions (showPlot, showTable, ...) need a tslab kernel and load
// tslab lazily; everything else (HTML pages, the HTML check, .ipynb handling) is plain Node.
export * from "./html-page";
export * from "./display";
export * from "./html-check";
export * from "./ipynb";
export * from "./jupyter";
export * from "./plot-outputs";
