// A seeded orthogonal matrix as Keras's Orthogonal initializer makes it (QR of a Gaussian matrix,
// signs fixed so R's diagonal is positive), computed with modified Gram-Schmidt in plain JS:
// tfjs's own orthogonal initializer took 3.5 s for one 256×1024 recurrent kernel here (its QR
// runs as tensor ops), so the original preset spent 11 s building in every thread.
import { createRng, gaussian } from "../random";

/** rows × cols, row-major; rows are orthonormal when rows <= cols, columns otherwise (times gain). */
export function orthogonalMatrix(rows: number, cols: number, seed: number, gain = 1): Float32Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new RangeError(`orthogonalMatrix: bad shape ${rows}×${cols}`);
  const long = Math.max(rows, cols);
  const short = Math.min(rows, cols);
  const rng = createRng(seed);
  // short vectors of length long, Gaussian, then orthonormalised in order
  const v = Array.from({ length: short }, () => Float64Array.from({ length: long }, () => gaussian(rng)));
  for (let j = 0; j < short; j++) {
    const q = v[j];
    // two passes of projection removal keep the columns orthogonal to float precision
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const p = v[i];
        let dot = 0;
        for (let k = 0; k < long; k++) dot += p[k] * q[k];
        for (let k = 0; k < long; k++) q[k] -= dot * p[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < long; k++) norm += q[k] * q[k];
    norm = Math.sqrt(norm);
    if (norm < 1e-12) throw new Error("orthogonalMatrix: degenerate random draw");
    for (let k = 0; k < long; k++) q[k] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows <= cols: the orthonormal vectors are the rows; otherwise they are the columns
      out[r * cols + c] = gain * (rows <= cols ? v[r][c] : v[c][r]);
    }
  }
  return out;
}
