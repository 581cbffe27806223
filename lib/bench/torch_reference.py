#!/usr/bin/python3
"""PyTorch reference for `npm run bench`: the project's default detector trained in PyTorch.

Same architecture and shapes as lib/model/rnn.ts buildRnnModel defaults:
GRU/LSTM(32) over [T=32, F=16] -> last step -> Dropout(0.3) -> Dense(1, sigmoid),
Adam(lr 1e-3), binary cross-entropy, batch 64, shuffled every epoch, on URFD-shaped synthetic
windows (feature 0 drifts over time for the positive class, as urfdShapedWindows does).

Prints one JSON object on stdout: per (kind, threads) the training throughput in windows/s over
all epochs and in steady state (first epoch excluded, as the tfjs figures), prediction throughput,
and which BLAS library the process actually loaded (from /proc/self/maps).

--model original instead builds the original preset (lib/model/original.ts) on the same shapes:
Embedding(168, 50) -> 3 x LSTM|GRU(256) (Dropout 0.5 between and after) -> last step -> Dense(1, sigmoid),
over [T=16] token ids. PyTorch's LSTM/GRU have tanh/sigmoid only, not the preset's relu/hard-sigmoid:
the products, which take the time, are the same.

Usage: /usr/bin/python3 lib/bench/torch_reference.py --kinds gru,lstm --threads 1,2 --windows 2048 --epochs 3
       /usr/bin/python3 lib/bench/torch_reference.py --model original --kinds lstm --timesteps 16 --batch-size 16
Exit 3 (with a JSON {"error": ...}) when torch cannot be imported.

Threads: before torch is imported, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are set
to the largest --threads value (Debian's torch calls OpenBLAS, whose pthread pool otherwise starts one
thread per core whatever torch.set_num_threads says), and inter-op threads to 1. Every result says the
cores the process used (CPU time / wall time, steady epochs) and the OS threads that used CPU meanwhile.
"""
import argparse
import json
import os
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kinds", default="gru,lstm")
    p.add_argument("--threads", default="1")
    p.add_argument("--windows", type=int, default=2048)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--timesteps", type=int, default=32)
    p.add_argument("--features", type=int, default=16)
    p.add_argument("--units", type=int, default=None, help="32 (detector) or 256 (original)")
    p.add_argument("--model", choices=["detector", "original"], default="detector")
    p.add_argument("--vocab", type=int, default=168)
    p.add_argument("--embedding", type=int, default=50)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--predict-windows", type=int, default=4096)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def loaded_blas():
    """Shared libraries with 'blas' or 'lapack' in their path that this process has mapped."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and ("blas" in parts[-1] or "lapack" in parts[-1]):
                    libs.add(os.path.realpath(parts[-1]))
    except OSError:
        pass
    return sorted(libs)


def openblas_core(libs):
    """The CPU kernels the mapped OpenBLAS runs (openblas_get_corename), or None."""
    import ctypes
    for lib in libs:
        if "openblas" in lib.lower():
            try:
                f = ctypes.CDLL(lib).openblas_get_corename
                f.restype = ctypes.c_char_p
                return f().decode()
            except (OSError, AttributeError):
                continue  # e.g. a libblas.so.3 of OpenBLAS's that does not export it
    return None


def blas_name(libs):
    joined = " ".join(libs).lower()
    if "openblas" in joined:
        return "openblas-openmp" if "openmp" in joined else ("openblas-pthread" if "pthread" in joined else "openblas")
    if "mkl" in joined:
        return "mkl"
    if "blis" in joined:
        return "blis"
    if "atlas" in joined:
        return "atlas"
    if "libblas" in joined:
        return "reference"
    return "unknown"


THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_thread_env(threads):
    """Set the BLAS/OpenMP pool sizes; must run before torch (and its BLAS) is loaded to take effect."""
    for name in THREAD_ENV:
        os.environ[name] = str(threads)
    return {name: os.environ[name] for name in THREAD_ENV}


def thread_ticks():
    """CPU clock ticks (user + system) of each OS thread of this process, by thread id."""
    ticks = {}
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ticks[tid] = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
            except (OSError, IndexError, ValueError):
                pass  # the thread ended between listdir and open
    except OSError:
        pass
    return ticks


def busy_threads(before, after, seconds):
    """Threads that used at least 1% of a core between two thread_ticks() snapshots, as their cores (descending)."""
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = [(after[t] - before.get(t, 0)) / hz / seconds for t in after] if seconds > 0 else []
    return sorted((round(u, 3) for u in used if u >= 0.01), reverse=True)


def main(argv):
    args = parse_args(argv)
    thread_env = pin_thread_env(max(int(t) for t in args.threads.split(",") if t))
    try:
        import torch
        from torch import nn
    except Exception as e:  # noqa: BLE001 - any import failure means "no reference"
        print(json.dumps({"error": f"cannot import torch: {e}"}))
        return 3

    torch.set_num_interop_threads(1)  # before any inter-op work; the training loop has none to give them
    original = args.model == "original"
    T, F, B = args.timesteps, args.features, args.batch_size
    U = args.units if args.units is not None else (256 if original else 32)

    class Detector(nn.Module):
        def __init__(self, kind):
            super().__init__()
            self.rnn = (nn.GRU if kind == "gru" else nn.LSTM)(F, U, batch_first=True)
            self.drop = nn.Dropout(0.3)
            self.dense = nn.Linear(U, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return torch.sigmoid(self.dense(self.drop(out[:, -1, :])))

    class Original(nn.Module):
        def __init__(self, kind):
            super().__init__()
            self.embed = nn.Embedding(args.vocab, args.embedding)
            rnn = nn.GRU if kind == "gru" else nn.LSTM
            self.rnn = rnn(args.embedding, U, num_layers=args.layers, dropout=0.5, batch_first=True)
            self.drop = nn.Dropout(0.5)
            self.dense = nn.Linear(U, 1)

        def forward(self, x):
            out, _ = self.rnn(self.embed(x))
            return torch.sigmoid(self.dense(self.drop(out[:, -1, :])))

    g = torch.Generator().manual_seed(args.seed)

    def windows(n):
        y = (torch.rand(n, generator=g) < 0.3).float()
        if original:
            return torch.randint(0, args.vocab, (n, T), generator=g), y[:, None].contiguous()
        x = torch.randn(n, T, F, generator=g)
        x[:, :, 0] += y[:, None] * (2 * torch.arange(T, dtype=torch.float32) / T)[None, :]
        return x.contiguous(), y[:, None].contiguous()

    x, y = windows(args.windows)
    xp, _ = windows(args.predict_windows)
    results = []
    for threads in [int(t) for t in args.threads.split(",") if t]:
        torch.set_num_threads(threads)
        for kind in [k for k in args.kinds.split(",") if k]:
            torch.manual_seed(args.seed)
            model = Original(kind) if original else Detector(kind)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss_fn = nn.BCELoss()
            epoch_sec = []
            epoch_cpu = []
            model.train()
            for epoch in range(args.epochs):
                if epoch == 1:
                    ticks_steady = thread_ticks()
                t0 = time.perf_counter()
                c0 = time.process_time()
                order = torch.randperm(args.windows, generator=g)
                for s in range(0, args.windows, B):
                    idx = order[s : s + B]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(x[idx]), y[idx])
                    loss.backward()
                    opt.step()
                    loss.item()  # tfjs's trainOnBatch reads the loss back every batch too
                epoch_sec.append(time.perf_counter() - t0)
                epoch_cpu.append(time.process_time() - c0)
            threads_steady = busy_threads(ticks_steady, thread_ticks(), sum(epoch_sec[1:])) if args.epochs > 1 else None
            model.eval()
            with torch.no_grad():
                model(xp[:256])  # warm-up
                t0 = time.perf_counter()
                for s in range(0, args.predict_windows, 256):
                    model(xp[s : s + 256])
                predict_sec = time.perf_counter() - t0
            total = sum(epoch_sec)
            steady = sum(epoch_sec[1:])
            results.append({
                "kind": kind,
                "threads": threads,
                "windows": args.windows,
                "epochs": args.epochs,
                "samplesPerSec": args.windows * args.epochs / total,
                "steadySamplesPerSec": args.windows * (args.epochs - 1) / steady if args.epochs > 1 else None,
                "epochSec": epoch_sec,
                # per CPU-second of this process: steadier than wall time on a shared machine
                "steadyCpuSamplesPerSec": args.windows * (args.epochs - 1) / sum(epoch_cpu[1:]) if args.epochs > 1 and sum(epoch_cpu[1:]) > 0 else None,
                # CPU seconds / wall seconds of this process in the steady epochs: 1.0 = one core busy
                "steadyCores": sum(epoch_cpu[1:]) / sum(epoch_sec[1:]) if args.epochs > 1 and sum(epoch_sec[1:]) > 0 else None,
                "steadyBusyThreads": threads_steady,
                "osThreads": len(thread_ticks()),
                "predictPerSec": args.predict_windows / predict_sec,
                "params": sum(p.numel() for p in model.parameters()),
                "model": args.model,
                "batchSize": B,
                "timesteps": T,
            })
    libs = loaded_blas()
    print(json.dumps({
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": blas_name(libs),
        "blasLibraries": libs,
        "blasCore": openblas_core(libs),
        "blasInfoBuild": next((s.split("=", 1)[1] for s in torch.__config__.show().replace(",", " ").split() if s.startswith("BLAS_INFO=")), None),
        "threadEnv": thread_env,
        "numThreads": torch.get_num_threads(),
        "numInteropThreads": torch.get_num_interop_threads(),
        "results": results,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
