// The recurrent kernel's per-step products (h·R forward, dz·Rᵀ backward: a few dozen rows against a
// weight matrix used at every step) on an AVX-512 micro-kernel over the weights packed once a call.
// A BLAS repacks the weights on every step: at batch 64 OpenBLAS spent as long packing R as
// multiplying (docs/kernel-blas.md). Built only where the compiler targets AVX-512 (-march=native).
#pragma once
#include <cstddef>
#include <cstring>
#include <vector>
#include "gemm.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#define FALL_HAVE_PACKED 1
#else
#define FALL_HAVE_PACKED 0
#endif

namespace gemm {

constexpr int PANEL = 32;  // columns a panel: two zmm registers a row

// The packed path runs in mode AUTO where the build has it and the inner dimension k is at least 64;
// TILED and BLAS force their own path. At k = 32 (the default LSTM(32)'s h·R, 64×32×128) OpenBLAS
// led, 83–120 against 71–76 GFLOP/s; from k = 64 the packed tile led at every shape tried.
constexpr int PACKED_MIN_K = 64;
inline bool usePacked(int k) { return FALL_HAVE_PACKED && k >= PACKED_MIN_K && config().mode.load(std::memory_order_relaxed) == AUTO; }

// A [K, N] block of a row-major matrix (row stride ld), packed as ceil(N / 32) panels of [K][32]
// (columns past N zero), so a panel streams contiguously from cache for every block of rows.
struct Packed {
  std::vector<float> data;
  int K = 0, N = 0;
  void pack(const float* M, int ld, int k, int n) {
    K = k;
    N = n;
    const int panels = (n + PANEL - 1) / PANEL;
    data.assign((size_t)panels * K * PANEL, 0.f);
    for (int p = 0; p < panels; p++) {
      const int j0 = p * PANEL, w = n - j0 < PANEL ? n - j0 : PANEL;
      float* dst = data.data() + (size_t)p * K * PANEL;
      for (int r = 0; r < K; r++) std::memcpy(dst + (size_t)r * PANEL, M + (size_t)r * ld + j0, sizeof(float) * w);
    }
  }
};

#if FALL_HAVE_PACKED
// out[MR rows, panel] += a[MR rows, kc] · panel[kc][32], the tile in 2·MR zmm accumulators; m0/m1
// mask the panel's columns past N.
template <int MR>
inline void microTile(const float* __restrict__ a, int lda, const float* __restrict__ panel, int kc, float* __restrict__ out, int ldo,
                      __mmask16 m0, __mmask16 m1) {
  __m512 c0[MR], c1[MR];
  for (int r = 0; r < MR; r++) {
    c0[r] = _mm512_maskz_loadu_ps(m0, out + (size_t)r * ldo);
    c1[r] = _mm512_maskz_loadu_ps(m1, out + (size_t)r * ldo + 16);
  }
  for (int k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(panel + (size_t)k * PANEL), b1 = _mm512_loadu_ps(panel + (size_t)k * PANEL + 16);
    for (int r = 0; r < MR; r++) {
      const __m512 s = _mm512_set1_ps(a[(size_t)r * lda + k]);
      c0[r] = _mm512_fmadd_ps(s, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(s, b1, c1[r]);
    }
  }
  for (int r = 0; r < MR; r++) {
    _mm512_mask_storeu_ps(out + (size_t)r * ldo, m0, c0[r]);
    _mm512_mask_storeu_ps(out + (size_t)r * ldo + 16, m1, c1[r]);
  }
}
#endif

// out[:rows, :N] += a[:rows, :kc] · P[k0 : k0 + kc, :N] (a row stride lda, out ldo).
inline void packedAcc(const float* a, int lda, const Packed& P, int k0, int kc, float* out, int ldo, int rows) {
  counters()[2].fetch_add((uint64_t)rows * kc * P.N, std::memory_order_relaxed);
#if FALL_HAVE_PACKED
  const int panels = (P.N + PANEL - 1) / PANEL;
  for (int p = 0; p < panels; p++) {
    const int w = P.N - p * PANEL < PANEL ? P.N - p * PANEL : PANEL;
    const __mmask16 m0 = w >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << w) - 1);
    const __mmask16 m1 = w >= 32 ? (__mmask16)0xFFFF : w <= 16 ? (__mmask16)0 : (__mmask16)((1u << (w - 16)) - 1);
    const float* panel = P.data.data() + ((size_t)p * P.K + k0) * PANEL;
    float* o = out + (size_t)p * PANEL;
    int r = 0;
    for (; r + 12 <= rows; r += 12) microTile<12>(a + (size_t)r * lda, lda, panel, kc, o + (size_t)r * ldo, ldo, m0, m1);
    for (; r + 4 <= rows; r += 4) microTile<4>(a + (size_t)r * lda, lda, panel, kc, o + (size_t)r * ldo, ldo, m0, m1);
    for (; r < rows; r++) microTile<1>(a + (size_t)r * lda, lda, panel, kc, o + (size_t)r * ldo, ldo, m0, m1);
  }
#else
  (void)a; (void)lda; (void)k0; (void)out; (void)ldo;
#endif
}

}  // namespace gemm
