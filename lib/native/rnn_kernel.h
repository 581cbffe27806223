// The fused kernel's LSTM/GRU math, shared by the per-layer calls (fused_rnn.cc) and the whole
// training step (train_step.cc). Exactly tfjs-layers' LSTMCell/GRUCell (GRU with reset_after = false).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>
#include "gemm.h"
#include "gemm_packed.h"

namespace fused {

enum Kind { LSTM = 0, GRU = 1 };
enum Act { TANH = 0, RELU = 1, SIGMOID = 2, HARD_SIGMOID = 3, LINEAR = 4 };

// min(max(x, lo), hi) as compares: std::fmin/fmax are libm calls under -O3 (NaN rules), which kept the
// gate loops from vectorising. A NaN stays NaN here (fmin/fmax would have turned it into lo).
inline float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

// exp without libm calls, so loops over it vectorise: Cephes' expf (range reduction by ln 2,
// degree-5 polynomial), relative error ~1e-7 over the clamped range.
inline float fastExp(float x) {
  x = clampf(x, -87.f, 88.f);
  const float n = std::floor(x * 1.44269504f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

template <int A>
inline float act(float z) {
  if constexpr (A == TANH) {
    const float e = fastExp(-2.f * std::fabs(z));
    return std::copysign((1.f - e) / (1.f + e), z);
  } else if constexpr (A == RELU) {
    return z > 0.f ? z : 0.f;
  } else if constexpr (A == SIGMOID) {
    return 1.f / (1.f + fastExp(-z));
  } else if constexpr (A == HARD_SIGMOID) {
    return clampf(0.2f * z + 0.5f, 0.f, 1.f);
  } else {
    return z;
  }
}

// Derivative from the pre-activation z and the output y, matching tfjs's gradients
// (clipByValue passes the gradient where min <= x <= max; relu's where x > 0).
template <int A>
inline float dact(float z, float y) {
  if constexpr (A == TANH) {
    return 1.f - y * y;
  } else if constexpr (A == RELU) {
    return z > 0.f ? 1.f : 0.f;
  } else if constexpr (A == SIGMOID) {
    return y * (1.f - y);
  } else if constexpr (A == HARD_SIGMOID) {
    const float v = 0.2f * z + 0.5f;
    return (v >= 0.f && v <= 1.f) ? 0.2f : 0.f;
  } else {
    return 1.f;
  }
}

// M^T of a [r, c] matrix into out [c, r], in 16 × 16 blocks (a plain loop's strided stores took a third
// of the backward pass of a 256-unit layer).
inline void transpose(const float* M, float* out, int r, int c) {
  constexpr int BS = 16;
  for (int i0 = 0; i0 < r; i0 += BS)
    for (int j0 = 0; j0 < c; j0 += BS) {
      const int i1 = i0 + BS < r ? i0 + BS : r, j1 = j0 + BS < c ? j0 + BS : c;
      for (int j = j0; j < j1; j++)
        for (int i = i0; i < i1; i++) out[(size_t)j * r + i] = M[(size_t)i * c + j];
    }
}

// A per-thread buffer of n floats, reused from call to call (the large ones would otherwise be
// mapped and faulted in afresh every batch); `slot` keeps the buffers of one call apart.
inline float* scratch(int slot, size_t n) {
  thread_local std::vector<float> bufs[6];
  if (bufs[slot].size() < n) bufs[slot].resize(n);
  return bufs[slot].data();
}

struct Dims { int B, T, F, U, G; };  // G = gates × U (4U LSTM, 3U GRU)

// One batch row's LSTM gates and states at one step. A function of its own, as lstmGateGrads: GCC
// vectorises loops over restrict parameters, not over restrict locals in the step loop.
template <int ACT, int REC>
inline void lstmGates(int U, const float* __restrict__ zb, float* __restrict__ yb, const float* __restrict__ cpb,
                      float* __restrict__ cb, float* __restrict__ hb) {
  for (int j = 0; j < U; j++) {
    const float i = act<REC>(zb[j]), f = act<REC>(zb[U + j]), g = act<ACT>(zb[2 * U + j]), o = act<REC>(zb[3 * U + j]);
    yb[j] = i; yb[U + j] = f; yb[2 * U + j] = g; yb[3 * U + j] = o;
    const float cv = f * cpb[j] + i * g;
    cb[j] = cv;
    hb[j] = o * act<ACT>(cv);
  }
}

// One batch row's GRU update and reset gates, and r*h for the candidate's product.
template <int REC>
inline void gruGates(int U, const float* __restrict__ zb, float* __restrict__ yb, const float* __restrict__ hb,
                     float* __restrict__ rhb) {
  for (int j = 0; j < 2 * U; j++) yb[j] = act<REC>(zb[j]);
  for (int j = 0; j < U; j++) rhb[j] = yb[U + j] * hb[j];
}

// One batch row's GRU candidate and new state.
template <int ACT>
inline void gruCandidate(int U, const float* __restrict__ zb, float* __restrict__ yb, const float* __restrict__ hpb,
                         float* __restrict__ hb) {
  for (int j = 0; j < U; j++) {
    const float hh = act<ACT>(zb[2 * U + j]);
    yb[2 * U + j] = hh;
    const float zg = yb[j];
    hb[j] = zg * hpb[j] + (1.f - zg) * hh;
  }
}

// x [B,T,F]; W [F,G]; R [U,G]; bias [G].
// Outputs: h [B,T,U]; c [T,B,U] (LSTM cell state, GRU unused); pre/post [T,B,G] gate
// pre-activations and activations (for the GRU the candidate's pre-activation includes (r*h)·R_h).
template <int ACT, int REC>
void forward(int kind, const Dims& d, const float* x, const float* W, const float* R, const float* bias,
             float* h, float* c, float* pre, float* post) {
  const int B = d.B, T = d.T, F = d.F, U = d.U, G = d.G;
  std::vector<float> hPrev((size_t)B * U, 0.f), cPrev((size_t)B * U, 0.f), rh((size_t)B * U);
  // Input side of every step in one product, straight into pre [T, B, G] = bias + x · W, with x
  // reordered to [T, B, F] (F is narrow: cheaper than moving the G-wide result).
  float* xT = scratch(0, (size_t)T * B * F);
  for (int t = 0; t < T; t++)
    for (int b = 0; b < B; b++) std::memcpy(xT + ((size_t)t * B + b) * F, x + ((size_t)b * T + t) * F, sizeof(float) * F);
  for (size_t r = 0; r < (size_t)T * B; r++) std::memcpy(pre + r * G, bias, sizeof(float) * G);
  gemmAcc(xT, W, pre, T * B, F, G, F, G, G);
  // R packed once for the T per-step products (LSTM: all gates; GRU: z and r, then the candidate's).
  const bool packed = gemm::usePacked(U);
  thread_local gemm::Packed Rp, Rh;
  if (packed && kind == LSTM) Rp.pack(R, G, U, G);
  if (packed && kind != LSTM) {
    Rp.pack(R, G, U, 2 * U);
    Rh.pack(R + 2 * U, G, U, U);
  }
  for (int t = 0; t < T; t++) {
    float* z = pre + (size_t)t * B * G;
    float* y = post + (size_t)t * B * G;
    if (kind == LSTM) {
      if (packed) gemm::packedAcc(hPrev.data(), U, Rp, 0, U, z, G, B);
      else gemmAcc(hPrev.data(), R, z, B, U, G, U, G, G);
      float* ct = c + (size_t)t * B * U;
      for (int b = 0; b < B; b++)
        lstmGates<ACT, REC>(U, z + (size_t)b * G, y + (size_t)b * G, cPrev.data() + (size_t)b * U, ct + (size_t)b * U,
                            h + ((size_t)b * T + t) * U);
      std::memcpy(cPrev.data(), ct, sizeof(float) * B * U);
    } else {
      // z and r from x·W + h·R[:, :2U]; candidate from x·W_h + (r*h)·R[:, 2U:].
      if (packed) gemm::packedAcc(hPrev.data(), U, Rp, 0, U, z, G, B);
      else gemmAcc(hPrev.data(), R, z, B, U, 2 * U, U, G, G);
      for (int b = 0; b < B; b++)
        gruGates<REC>(U, z + (size_t)b * G, y + (size_t)b * G, hPrev.data() + (size_t)b * U, rh.data() + (size_t)b * U);
      if (packed) gemm::packedAcc(rh.data(), U, Rh, 0, U, z + 2 * U, G, B);
      else gemmAcc(rh.data(), R + 2 * U, z + 2 * U, B, U, U, U, G, G);
      for (int b = 0; b < B; b++)
        gruCandidate<ACT>(U, z + (size_t)b * G, y + (size_t)b * G, hPrev.data() + (size_t)b * U, h + ((size_t)b * T + t) * U);
    }
    for (int b = 0; b < B; b++) std::memcpy(hPrev.data() + (size_t)b * U, h + ((size_t)b * T + t) * U, sizeof(float) * U);
  }
}

// One batch row's LSTM gate gradients at one step; dc carries the cell gradient to t - 1. A function of
// its own: GCC vectorises the loop over restrict parameters, not over restrict locals in the step loop.
template <int ACT, int REC>
inline void lstmGateGrads(int U, const float* __restrict__ zb, const float* __restrict__ yb, float* __restrict__ dzb,
                          const float* __restrict__ dhb, const float* __restrict__ carry, float* __restrict__ dcb,
                          const float* __restrict__ cb, const float* __restrict__ cpb) {
  for (int j = 0; j < U; j++) {
    const float dht = dhb[j] + carry[j];
    const float cv = cb[j];
    const float ac = act<ACT>(cv);
    const float i = yb[j], f = yb[U + j], g = yb[2 * U + j], o = yb[3 * U + j];
    const float dc = dht * o * dact<ACT>(cv, ac) + dcb[j];
    dzb[j] = dc * g * dact<REC>(zb[j], i);
    dzb[U + j] = dc * cpb[j] * dact<REC>(zb[U + j], f);
    dzb[2 * U + j] = dc * i * dact<ACT>(zb[2 * U + j], g);
    dzb[3 * U + j] = dht * ac * dact<REC>(zb[3 * U + j], o);
    dcb[j] = dc * f;
  }
}

// One batch row's GRU update-gate and candidate gradients at one step (dh_{t-1}'s direct part into ob,
// r*h kept for dR); a function of its own so the loop vectorises, as lstmGateGrads.
template <int ACT, int REC>
inline void gruCandidateGrads(int U, const float* __restrict__ zb, const float* __restrict__ yb, float* __restrict__ dzb,
                              const float* __restrict__ dhb, const float* __restrict__ carry, const float* __restrict__ hb,
                              float* __restrict__ ob, float* __restrict__ rhb) {
  for (int j = 0; j < U; j++) {
    const float zg = yb[j], hh = yb[2 * U + j];
    const float dht = dhb[j] + carry[j];
    dzb[2 * U + j] = dht * (1.f - zg) * dact<ACT>(zb[2 * U + j], hh);
    dzb[j] = dht * (hb[j] - hh) * dact<REC>(zb[j], zg);
    ob[j] = dht * zg;
    rhb[j] = yb[U + j] * hb[j];
  }
}

// One batch row's GRU reset-gate gradient from d(r*h), and r's share of dh_{t-1}.
template <int REC>
inline void gruResetGrads(int U, const float* __restrict__ zb, const float* __restrict__ yb, float* __restrict__ dzb,
                          const float* __restrict__ drhb, const float* __restrict__ hb, float* __restrict__ ob) {
  for (int j = 0; j < U; j++) {
    dzb[U + j] = drhb[j] * hb[j] * dact<REC>(zb[U + j], yb[U + j]);
    ob[j] += drhb[j] * yb[U + j];
  }
}

// dh [B,T,U] is the loss gradient for every output step (zeros where the layer returns only the
// last). Accumulates nothing: dW, dR, dbias (and dx when not null) are overwritten.
template <int ACT, int REC>
void backward(int kind, const Dims& d, const float* x, const float* W, const float* R, const float* h,
              const float* c, const float* pre, const float* post, const float* dh, float* dx, float* dW, float* dR, float* dbias) {
  const int B = d.B, T = d.T, F = d.F, U = d.U, G = d.G;
  std::memset(dW, 0, sizeof(float) * F * G);
  std::memset(dR, 0, sizeof(float) * U * G);
  std::memset(dbias, 0, sizeof(float) * G);
  if (dx) std::memset(dx, 0, sizeof(float) * B * T * F);
  std::vector<float> WT((size_t)G * F), RT((size_t)G * U);
  transpose(W, WT.data(), F, G);
  transpose(R, RT.data(), U, G);
  // Rᵀ packed once for the T per-step products dz·Rᵀ (GRU: two row ranges of it).
  const bool packed = gemm::usePacked(kind == LSTM ? G : U);  // the GRU's products go over U and 2U rows of Rᵀ
  thread_local gemm::Packed RTp;
  if (packed) RTp.pack(RT.data(), U, G, U);
  std::vector<float> dhNext((size_t)B * U, 0.f), dcNext((size_t)B * U, 0.f), zeros((size_t)B * U, 0.f);
  std::vector<float> drh((size_t)B * U), dhOut((size_t)B * U);
  // Every step's dz, h_{t-1} and (GRU) r*h, [T, B, ·]: the weight gradients are then three large
  // products over all T*B rows after the loop instead of small ones per step.
  float* dzAll = scratch(1, (size_t)T * B * G);
  float* hPrevAll = scratch(2, (size_t)T * B * U);
  float* rhAll = kind == GRU ? scratch(3, (size_t)T * B * U) : nullptr;
  for (int t = T - 1; t >= 0; t--) {
    const float* z = pre + (size_t)t * B * G;
    const float* y = post + (size_t)t * B * G;
    float* dz = dzAll + (size_t)t * B * G;
    float* hPrevT = hPrevAll + (size_t)t * B * U;
    // h_{t-1} per batch row (zeros at t = 0).
    for (int b = 0; b < B; b++) {
      if (t == 0) std::memset(hPrevT + (size_t)b * U, 0, sizeof(float) * U);
      else std::memcpy(hPrevT + (size_t)b * U, h + ((size_t)b * T + t - 1) * U, sizeof(float) * U);
    }
    const float* hPrev = hPrevT;
    if (kind == LSTM) {
      const float* ct = c + (size_t)t * B * U;
      const float* cPrev = t > 0 ? c + (size_t)(t - 1) * B * U : zeros.data();
      for (int b = 0; b < B; b++) {
        const float* __restrict__ zb = z + (size_t)b * G;
        const float* __restrict__ yb = y + (size_t)b * G;
        float* __restrict__ dzb = dz + (size_t)b * G;
        const float* __restrict__ dhb = dh + ((size_t)b * T + t) * U;
        const float* __restrict__ carry = dhNext.data() + (size_t)b * U;
        float* __restrict__ dcb = dcNext.data() + (size_t)b * U;
        const float* __restrict__ cb = ct + (size_t)b * U;
        const float* __restrict__ cpb = cPrev + (size_t)b * U;
        lstmGateGrads<ACT, REC>(U, zb, yb, dzb, dhb, carry, dcb, cb, cpb);
      }
      // dh_{t-1} = dz · R^T (dR after the loop).
      std::fill(dhNext.begin(), dhNext.end(), 0.f);
      if (packed) gemm::packedAcc(dz, G, RTp, 0, G, dhNext.data(), U, B);
      else gemmAcc(dz, RT.data(), dhNext.data(), B, G, U, G, U, U);
    } else {
      // Candidate first: its gradient flows into r through (r*h)·R_h. dhOut collects dh_{t-1}.
      for (int b = 0; b < B; b++)
        gruCandidateGrads<ACT, REC>(U, z + (size_t)b * G, y + (size_t)b * G, dz + (size_t)b * G, dh + ((size_t)b * T + t) * U,
                                    dhNext.data() + (size_t)b * U, hPrev + (size_t)b * U, dhOut.data() + (size_t)b * U,
                                    rhAll + ((size_t)t * B + b) * U);
      // d(r*h) = dz_h · R_h^T (rows 2U..3U of RT); dR_h after the loop.
      std::fill(drh.begin(), drh.end(), 0.f);
      if (packed) gemm::packedAcc(dz + 2 * U, G, RTp, 2 * U, U, drh.data(), U, B);
      else gemmAcc(dz + 2 * U, RT.data() + (size_t)2 * U * U, drh.data(), B, U, U, G, U, U);
      for (int b = 0; b < B; b++)
        gruResetGrads<REC>(U, z + (size_t)b * G, y + (size_t)b * G, dz + (size_t)b * G, drh.data() + (size_t)b * U,
                           hPrev + (size_t)b * U, dhOut.data() + (size_t)b * U);
      // dh_{t-1} += [dz_z, dz_r] · R_zr^T (dR_zr after the loop).
      if (packed) gemm::packedAcc(dz, G, RTp, 0, 2 * U, dhOut.data(), U, B);
      else gemmAcc(dz, RT.data(), dhOut.data(), B, 2 * U, U, G, U, U);
      dhNext.swap(dhOut);
    }
  }
  const int rows = T * B;
  // dR += h_{t-1}^T · dz over all steps (GRU: the candidate's columns from (r*h) instead).
  if (kind == LSTM) {
    gemmTAcc(hPrevAll, dzAll, dR, rows, U, G, U, G, G);
  } else {
    gemmTAcc(hPrevAll, dzAll, dR, rows, U, 2 * U, U, G, G);
    gemmTAcc(rhAll, dzAll + 2 * U, dR + 2 * U, rows, U, U, U, G, G);
  }
  // Input side: dW = x^T · dz with x reordered to [T, B, F]; dbias = Σ dz; dx = dz · W^T.
  float* xT = scratch(4, (size_t)rows * F);
  for (int t = 0; t < T; t++)
    for (int b = 0; b < B; b++) std::memcpy(xT + ((size_t)t * B + b) * F, x + ((size_t)b * T + t) * F, sizeof(float) * F);
  gemmTAcc(xT, dzAll, dW, rows, F, G, F, G, G);
  for (int r = 0; r < rows; r++) {
    const float* dzr = dzAll + (size_t)r * G;
    for (int j = 0; j < G; j++) dbias[j] += dzr[j];
  }
  if (dx) {
    float* dxT = xT;  // x's reordering is no longer needed: dx in [T, B, F], then back to [B, T, F]
    std::memset(dxT, 0, sizeof(float) * rows * F);
    gemmAcc(dzAll, WT.data(), dxT, rows, G, F, G, F, F);
    for (int t = 0; t < T; t++)
      for (int b = 0; b < B; b++) std::memcpy(dx + ((size_t)b * T + t) * F, dxT + ((size_t)t * B + b) * F, sizeof(float) * F);
  }
}


// Calls fn with both activation codes as compile-time constants; false for an unknown code.
template <typename Fn, int A>
bool dispatchRec(int rec, Fn& fn) {
  using AC = std::integral_constant<int, A>;
  switch (rec) {
    case TANH: fn(AC{}, std::integral_constant<int, TANH>{}); return true;
    case RELU: fn(AC{}, std::integral_constant<int, RELU>{}); return true;
    case SIGMOID: fn(AC{}, std::integral_constant<int, SIGMOID>{}); return true;
    case HARD_SIGMOID: fn(AC{}, std::integral_constant<int, HARD_SIGMOID>{}); return true;
    case LINEAR: fn(AC{}, std::integral_constant<int, LINEAR>{}); return true;
    default: return false;
  }
}

template <typename Fn>
bool dispatch(int actA, int rec, Fn fn) {
  switch (actA) {
    case TANH: return dispatchRec<Fn, TANH>(rec, fn);
    case RELU: return dispatchRec<Fn, RELU>(rec, fn);
    case SIGMOID: return dispatchRec<Fn, SIGMOID>(rec, fn);
    case HARD_SIGMOID: return dispatchRec<Fn, HARD_SIGMOID>(rec, fn);
    case LINEAR: return dispatchRec<Fn, LINEAR>(rec, fn);
    default: return false;
  }
}

}  // namespace fused
