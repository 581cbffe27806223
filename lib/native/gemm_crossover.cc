// Times the fused kernel's two product shapes (out += a·B, C += aᵀ·d) on the tiled loops and on the
// linked BLAS, for the sizes the recurrent layers use: how docs/kernel-blas.md picked gemm.h's minMacs.
// Build and run (one BLAS at a time), e.g.:
//   g++ -O3 -march=native -std=c++17 -DFALL_BLAS_OPENBLAS -I/usr/include/x86_64-linux-gnu/openblas-pthread \
//     lib/native/gemm_crossover.cc -o /tmp/xover -lopenblas && /tmp/xover
#include <chrono>
#include <cstdio>
#include <vector>
#include "gemm.h"

static double secondsPer(int mode, bool transposed, int rows, int k, int cols) {
  gemm::config().mode.store(mode);
  std::vector<float> a((size_t)rows * k, 0.01f), b((size_t)(transposed ? rows : k) * cols, 0.02f), o((size_t)(transposed ? k : rows) * cols, 0.f);
  auto once = [&] {
    if (transposed) gemmTAcc(a.data(), b.data(), o.data(), rows, k, cols, k, cols, cols);
    else gemmAcc(a.data(), b.data(), o.data(), rows, k, cols, k, cols, cols);
  };
  once();
  const double macs = (double)rows * k * cols;
  const int reps = macs > 5e7 ? 3 : (int)(2e8 / macs) + 1;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; r++) once();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

int main() {
  gemm::pinBlasToOneThread();
  std::printf("%-4s %6s %6s %6s %12s %12s %12s\n", "op", "rows", "k", "cols", "macs", "tiled GF/s", "blas GF/s");
  const int shapes[][3] = {{16, 32, 128}, {64, 32, 128}, {16, 64, 256}, {64, 64, 256}, {16, 128, 512}, {64, 128, 512}, {16, 256, 1024},
                           {64, 256, 1024}, {64, 1024, 256}, {16, 1024, 256}, {512, 16, 128}, {2048, 16, 128}, {512, 50, 1024}, {2048, 256, 1024}, {2048, 1024, 256}};
  for (bool tr : {false, true}) {
    for (auto& s : shapes) {
      const double macs = (double)s[0] * s[1] * s[2];
      const double tt = secondsPer(gemm::TILED, tr, s[0], s[1], s[2]);
      const double tb = FALL_HAVE_BLAS ? secondsPer(gemm::BLAS, tr, s[0], s[1], s[2]) : 0;
      std::printf("%-4s %6d %6d %6d %12.0f %12.1f %12.1f\n", tr ? "aT.d" : "a.B", s[0], s[1], s[2], macs, 2 * macs / tt / 1e9, tb > 0 ? 2 * macs / tb / 1e9 : 0.0);
    }
  }
  return 0;
}
