// The fused kernel's matrix products: our small register-tiled loops, or a Debian BLAS (OpenBLAS or
// BLIS through cblas, pinned to one thread) for the large ones. build-native.ts defines FALL_BLAS_OPENBLAS
// or FALL_BLAS_BLIS when it links one; without either only the tiled loops exist.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#if defined(FALL_BLAS_OPENBLAS) || defined(FALL_BLAS_BLIS)
#define FALL_HAVE_BLAS 1
#include <cblas.h>
#if defined(FALL_BLAS_BLIS)
extern "C" void bli_thread_set_num_threads(long n);  // from blis.h, declared here so cblas.h alone suffices
extern "C" const char* bli_info_get_version_str(void);
#endif
#else
#define FALL_HAVE_BLAS 0
#endif

namespace gemm {

// AUTO: the BLAS for products of at least minMacs multiply-adds, the tiled loops below that.
enum Mode { AUTO = 0, TILED = 1, BLAS = 2 };

// Crossovers measured on this machine (docs/kernel-blas.md): OpenBLAS's AVX-512 kernels beat the tiled
// loops at every size the kernel uses (down to 16x8x24), so it takes them all; Debian's BLIS runs its
// generic kernels on this CPU and wins only from ~2^24 multiply-adds (the 256-unit layers).
constexpr long long defaultMinFlops() {
#if defined(FALL_BLAS_BLIS)
  return 1LL << 24;
#else
  return 0;
#endif
}

struct Config {
  std::atomic<int> mode{AUTO};
  std::atomic<long long> minMacs{defaultMinFlops()};
};
inline Config& config() {
  static Config c;
  return c;
}

// Multiply-adds done by each path since the addon loaded, over all threads: what a run reports.
inline std::atomic<uint64_t>* counters() {
  static std::atomic<uint64_t> c[3] = {{0}, {0}, {0}};  // [0] tiled, [1] BLAS, [2] packed (gemm_packed.h)
  return c;
}

inline const char* blasName() {
#if defined(FALL_BLAS_OPENBLAS)
  return "openblas";
#elif defined(FALL_BLAS_BLIS)
  return "blis";
#else
  return nullptr;
#endif
}

// Pins the BLAS to one thread: each worker thread is already one core's worth of work.
inline void pinBlasToOneThread() {
#if defined(FALL_BLAS_OPENBLAS)
  openblas_set_num_threads(1);
#elif defined(FALL_BLAS_BLIS)
  bli_thread_set_num_threads(1);
#endif
}

inline bool useBlas(long long macs) {
  if (!FALL_HAVE_BLAS) return false;
  const int m = config().mode.load(std::memory_order_relaxed);
  if (m == TILED) return false;
  if (m == BLAS) return true;
  return macs >= config().minMacs.load(std::memory_order_relaxed);
}

inline void count(bool blas, long long macs) { counters()[blas ? 1 : 0].fetch_add((uint64_t)macs, std::memory_order_relaxed); }

// out[n, j0:j0+TW] += a[n, :] · B[:, j0:j0+TW], the tile kept in registers across the k loop.
template <int TW>
inline void rowTile(const float* __restrict__ ar, const float* __restrict__ B, float* __restrict__ o, int k, int ldb) {
  float acc[TW];
  for (int j = 0; j < TW; j++) acc[j] = o[j];
  for (int p = 0; p < k; p++) {
    const float s = ar[p];
    const float* br = B + (size_t)p * ldb;
    for (int j = 0; j < TW; j++) acc[j] += s * br[j];
  }
  for (int j = 0; j < TW; j++) o[j] = acc[j];
}

// C[p, j0:j0+TW] += Σ_n a[n, p] · d[n, j0:j0+TW].
template <int TW>
inline void colTile(const float* __restrict__ a, const float* __restrict__ d, float* __restrict__ c, int rows, int lda, int ldd) {
  float acc[TW];
  for (int j = 0; j < TW; j++) acc[j] = c[j];
  for (int n = 0; n < rows; n++) {
    const float s = a[(size_t)n * lda];
    const float* dr = d + (size_t)n * ldd;
    for (int j = 0; j < TW; j++) acc[j] += s * dr[j];
  }
  for (int j = 0; j < TW; j++) c[j] = acc[j];
}

inline void tiledAcc(const float* a, const float* B, float* out, int rows, int k, int cols, int lda, int ldb, int ldo) {
  for (int n = 0; n < rows; n++) {
    const float* ar = a + (size_t)n * lda;
    float* o = out + (size_t)n * ldo;
    int j = 0;
    for (; j + 64 <= cols; j += 64) rowTile<64>(ar, B + j, o + j, k, ldb);
    for (; j + 32 <= cols; j += 32) rowTile<32>(ar, B + j, o + j, k, ldb);
    for (; j + 16 <= cols; j += 16) rowTile<16>(ar, B + j, o + j, k, ldb);
    for (; j < cols; j++) rowTile<1>(ar, B + j, o + j, k, ldb);
  }
}

// Rows in blocks of 64, so the block of d read k times stays in cache when rows is B·T (thousands).
inline void tiledTAcc(const float* a, const float* d, float* C, int rows, int k, int cols, int lda, int ldd, int ldc) {
  for (int r0 = 0; r0 < rows; r0 += 64) {
    const int n = rows - r0 < 64 ? rows - r0 : 64;
    const float* ab = a + (size_t)r0 * lda;
    const float* db = d + (size_t)r0 * ldd;
    for (int p = 0; p < k; p++) {
      float* c = C + (size_t)p * ldc;
      int j = 0;
      for (; j + 64 <= cols; j += 64) colTile<64>(ab + p, db + j, c + j, n, lda, ldd);
      for (; j + 32 <= cols; j += 32) colTile<32>(ab + p, db + j, c + j, n, lda, ldd);
      for (; j + 16 <= cols; j += 16) colTile<16>(ab + p, db + j, c + j, n, lda, ldd);
      for (; j < cols; j++) colTile<1>(ab + p, db + j, c + j, n, lda, ldd);
    }
  }
}

}  // namespace gemm

// out[:rows, :cols] += a[:rows, :k] · B[:k, :cols]; row strides lda, ldb, ldo (sub-blocks of wider matrices).
inline void gemmAcc(const float* a, const float* B, float* out, int rows, int k, int cols, int lda, int ldb, int ldo) {
  const long long macs = (long long)rows * k * cols;
  const bool blas = gemm::useBlas(macs);
  gemm::count(blas, macs);
#if FALL_HAVE_BLAS
  if (blas) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, k, 1.f, a, lda, B, ldb, 1.f, out, ldo);
    return;
  }
#endif
  gemm::tiledAcc(a, B, out, rows, k, cols, lda, ldb, ldo);
}

// C[:k, :cols] += a[:rows, :k]^T · d[:rows, :cols]; row strides lda, ldd, ldc.
inline void gemmTAcc(const float* a, const float* d, float* C, int rows, int k, int cols, int lda, int ldd, int ldc) {
  const long long macs = (long long)rows * k * cols;
  const bool blas = gemm::useBlas(macs);
  gemm::count(blas, macs);
#if FALL_HAVE_BLAS
  if (blas) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, cols, rows, 1.f, a, lda, d, ldd, 1.f, C, ldc);
    return;
  }
#endif
  gemm::tiledTAcc(a, d, C, rows, k, cols, lda, ldd, ldc);
}
