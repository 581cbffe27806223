// One recording over time: HHmaxRatio and height with the annotation, the plot notebook 01 shows.
import { FrameDataset } from "../types";
import { fallingSegment, findSequence } from "../data/segments";
import { Figure, timeSeriesFigure } from "./figures";

export function sequenceFeatureFigure(ds: FrameDataset, id: string): Figure {
  const s = findSequence(ds, id);
  const { table } = ds;
  const F = table.featureNames.length;
  const hh = table.featureNames.indexOf("HHmaxRatio");
  const h = table.featureNames.indexOf("H");
  if (hh < 0 || h < 0) throw new Error("sequenceFeatureFigure: the table lacks HHmaxRatio or H");
  const frames: number[] = [];
  const ratio: number[] = [];
  const heightM: number[] = [];
  const labels: number[] = [];
  for (let r = s.start; r < s.start + s.length; r++) {
    frames.push(table.frame[r]);
    ratio.push(table.features[r * F + hh]);
    heightM.push(table.features[r * F + h] / 1000); // URFD heights are millimetres
    labels.push(table.label[r]);
  }
  return timeSeriesFigure({
    title: `${id} (${s.isFall ? "fall" : "daily activity"})`,
    frames,
    series: [
      { name: "HHmaxRatio", values: ratio },
      { name: "H (m)", values: heightM },
    ],
    shade: fallingSegment(ds, id),
    annotation: { name: "annotation", frames, values: labels },
  });
}
