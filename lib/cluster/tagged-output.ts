// mpirun forwards a rank's output in chunks and, under --tag-output, starts every chunk with the
// rank's tag "[job,rank]<stdout>:" — also a chunk that continues a line, in the middle of it,
// possibly right after another rank's chunk. This joins each rank's pieces back into its lines.

/** The tag before every chunk of a rank's output. */
const TAG = /\[\d+,(\d+)\]<(stdout|stderr)>:/g;

export class TaggedLineJoiner {
  private readonly pending = new Map<string, string>();

  /** `emit` gets every whole line: a rank's (without its tag) or mpirun's own (untagged). */
  constructor(private readonly emit: (text: string, rank: number | null) => void) {}

  /** One line of mpirun's output: each piece goes to its rank's line; the newline ends the last piece's. */
  push(text: string): void {
    const tags = [...text.matchAll(TAG)];
    if (tags.length === 0) return this.emit(text, null);
    if (tags[0].index! > 0) this.emit(text.slice(0, tags[0].index), null);
    tags.forEach((m, k) => {
      const key = `${m[1]}/${m[2]}`;
      const end = k + 1 < tags.length ? tags[k + 1].index! : text.length;
      const joined = (this.pending.get(key) ?? "") + text.slice(m.index! + m[0].length, end);
      if (k + 1 < tags.length) {
        this.pending.set(key, joined);
      } else {
        this.pending.delete(key);
        this.emit(joined, Number(m[1]));
      }
    });
  }
}
