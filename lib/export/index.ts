// A trained model used outside training: its preprocessing.json, and a static browser demo.
export { PREPROCESSING_JSON, PREPROCESSING_FORMAT, parsePreprocessing, readPreprocessing, writePreprocessing } from "./preprocessing";
export type { Preprocessing, WindowSettings } from "./preprocessing";
export { writeBrowserDemo, savedInputShape, TFJS_BROWSER_BUNDLE } from "./browser-demo";
export type { BrowserDemo, BrowserDemoOptions } from "./browser-demo";
export { demoPageHtml } from "./demo-page";
export { pageWindows } from "./page-windows";
export { runBrowserDemo, serveFolder, dumpDom, parseDemoDom } from "./run-demo";
export type { DemoResult } from "./run-demo";
