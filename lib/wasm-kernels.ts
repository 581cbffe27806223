// Fixes to the wasm backend of tfjs 4.22, registered once per thread by initBackend:
// - UnsortedSegmentSum is missing, and it is the gradient of Gather: without it an Embedding layer
//   cannot train on wasm ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). This
//   one runs in plain JS on the wasm heap, the way the cpu backend computes it.
// - BatchMatMul / _FusedMatMul with transposeA or transposeB leave XNNPACK's fast path: measured
//   here, [64×306]·[306×1024] took 1.3 ms plain, 18 ms with transposeB and 62 ms with transposeA.
//   Every backward pass multiplies by transposed weights, so the wrapper transposes the operand
//   with the (fast) Transpose kernel first and multiplies untransposed.
import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

/**
 * out[s, ...] = sum of x[i, ...] over every i with segmentIds[i] = s (segmentIds may have any
 * leading rank of x's shape; ids outside [0, numSegments) are dropped, as in TensorFlow).
 */
export function unsortedSegmentSumValues(x: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, inner: number, out: Float32Array | Int32Array): void {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) out[to + j] += x[from + j];
  }
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const wrapped = new Set<string>();

/** Re-register `kernelName` on wasm so transposed operands are transposed explicitly first. */
function untransposeMatMul(kernelName: "BatchMatMul" | "_FusedMatMul"): void {
  const original = tf.getKernel(kernelName, "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!original || !transpose || wrapped.has(kernelName)) return;
  wrapped.add(kernelName);
  const swapLast = (x: tf.TensorInfo, backend: object): tf.TensorInfo => {
    const r = x.shape.length;
    const perm = [...Array(r - 2).keys(), r - 1, r - 2];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as tf.TensorInfo;
  };
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const inputs = { ...args.inputs } as Record<string, tf.TensorInfo>;
      const made: tf.TensorInfo[] = [];
      if (transposeA) made.push((inputs.a = swapLast(inputs.a, args.backend)));
      if (transposeB) made.push((inputs.b = swapLast(inputs.b, args.backend)));
      try {
        return original.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as never);
      } finally {
        for (const t of made) (args.backend as unknown as { disposeData(id: object): void }).disposeData(t.dataId);
      }
    },
  });
}

/** Set to 1 to keep tfjs's own transposed matMul (the bench measures both in one run). */
export const STOCK_MATMUL_ENV = "FALL_WASM_STOCK_MATMUL";

/** Register the missing and faster kernels on wasm; safe to call more than once. */
export function registerMissingWasmKernels(): void {
  if (process.env[STOCK_MATMUL_ENV] !== "1") {
    untransposeMatMul("BatchMatMul");
    untransposeMatMul("_FusedMatMul");
  }
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const b = backend as unknown as WasmBackendLike;
      const n = segmentIds.shape.reduce((a, d) => a * d, 1);
      const size = x.shape.reduce((a, d) => a * d, 1);
      const inner = n === 0 ? 0 : size / n;
      const out = b.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
      unsortedSegmentSumValues(b.readSync(x.dataId), b.readSync(segmentIds.dataId), numSegments, inner, b.typedArrayFromHeap(out));
      return out;
    },
  });
}
