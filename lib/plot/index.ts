// Plotly figures as plain, JSON-serialisable data.
export * from "./figures";
export * from "./sequence";
export * from "./alarms";
