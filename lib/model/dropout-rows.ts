// Dropout whose mask is drawn for a whole global batch and cut to one worker's rows, so N workers
// splitting a batch apply exactly the mask one worker would (tf.dropout's own arithmetic).
import * as tf from "@tensorflow/tfjs";
import { fillDropoutMultiplier } from "./uniform-random";

/** Which rows of the global batch this call holds: [offset, offset + x.shape[0]) of `total`. */
export interface RowSlice {
  offset: number;
  total: number;
}

/**
 * x · floor(u + keep) / keep with u = randomUniform([total, ...], seed) rows offset.. — for
 * offset 0 and total = rows it equals tf.dropout(x, rate, undefined, seed) bit for bit.
 */
export function dropoutRows(x: tf.Tensor, rate: number, seed: number, rows: RowSlice): tf.Tensor {
  const n = x.shape[0];
  if (!(rows.offset >= 0 && rows.offset + n <= rows.total)) {
    throw new RangeError(`dropoutRows: rows ${rows.offset}..${rows.offset + n} outside a batch of ${rows.total}`);
  }
  if (rate === 0) return x.clone();
  return tf.tidy(() => {
    const keep = 1 - rate;
    const u = tf.randomUniform([rows.total, ...x.shape.slice(1)], 0, 1, "float32", seed);
    const mine = rows.offset === 0 && n === rows.total ? u : tf.slice(u, rows.offset, n);
    const multiplier = tf.div(tf.floor(tf.add(mine, keep)), keep);
    return tf.mul(x, multiplier);
  });
}

/**
 * The multiplier dropoutRows applies (floor(u + keep) / keep, u from the global batch's draw) for
 * `shape` = [rows, ...] at rows.offset, as a Float32Array for the native step; ones at rate 0 or 1.
 * Drawn in plain JS (uniform-random.ts), float32 arithmetic as tfjs's ops: no tensor a batch.
 * An undefined seed draws a fresh mask, as tf.dropout does. `out`, when given, receives the mask.
 */
export function dropoutMask(rate: number, seed: number | undefined, shape: number[], rows: RowSlice, out?: Float32Array): Float32Array {
  const n = shape[0];
  if (!(rows.offset >= 0 && rows.offset + n <= rows.total)) {
    throw new RangeError(`dropoutMask: rows ${rows.offset}..${rows.offset + n} outside a batch of ${rows.total}`);
  }
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
  if (out && out.length !== n * rowSize) throw new RangeError(`dropoutMask: buffer of ${out.length} floats for ${n * rowSize}`);
  const mask = out ?? new Float32Array(n * rowSize);
  // tfjs's Dropout layer leaves its input alone unless 0 < rate < 1.
  if (!(rate > 0 && rate < 1)) return mask.fill(1);
  // The rows before ours are drawn and dropped: the generator is sequential.
  fillDropoutMultiplier(seed ?? Math.random(), rows.offset * rowSize, Math.fround(1 - rate), mask);
  return mask;
}
