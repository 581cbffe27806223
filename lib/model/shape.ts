// A weight tensor's shape and sizes: pure, no tf (weight arithmetic in workers and the model's flat vectors share it).
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function totalSize(shapes: readonly Shape[]): number {
  return shapes.reduce((a, s) => a + sizeOf(s), 0);
}
