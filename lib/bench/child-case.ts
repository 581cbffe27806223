// A bench case run in its own process: its one result goes to the parent over IPC (or to stdout when
// run by hand), and a failure becomes { ok: false, reason } with the error's first line.
export type CaseMessage<T> = ({ ok: true } & T) | { ok: false; reason: string };

export function runChildCase<T extends object>(measure: () => Promise<T>): void {
  measure()
    .then(
      (result): CaseMessage<T> => ({ ok: true, ...result }),
      (err: unknown): CaseMessage<T> => ({ ok: false, reason: err instanceof Error ? err.message.split("\n")[0] : String(err) }),
    )
    .then((msg) => {
      if (process.send) process.send(msg, () => process.exit(0));
      else {
        console.log(JSON.stringify(msg));
        process.exit(0);
      }
    });
}
