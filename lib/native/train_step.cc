// The whole training step of a fused model in two native calls a batch: lossAndGradients (an optional
// Embedding front, LSTM/GRU layers, Dropout with masks drawn by the caller, Dense layers, the sigmoid output's binary
// cross-entropy with positive rows weighted, every weight's gradient) and adam (the update in place).
// The math is tfjs's own (test/model/native-*.test.ts check it against the tfjs step and
// trainOnBatch); lib/model/native-step.ts drives it, and the JS side owns every buffer it sees.
#include <node_api.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include "napi_args.h"
#include "rnn_kernel.h"
#include "train_step.h"

namespace fused {
namespace {

// One layer in the layout Int32Array: LAYOUT_INTS ints [type, kind, act, recAct, units, returnSequences];
// an Embedding puts its vocabulary size in `kind` and its output width in `units`.
enum LayerType { RNN_LAYER = 0, DROPOUT_LAYER = 1, DENSE_LAYER = 2, EMBEDDING_LAYER = 3 };
constexpr int LAYOUT_INTS = 6;

struct Layer {
  int type, kind, actA, recA, units;
  bool returnSequences;
  bool seqIn, seqOut;     // input / output [B, T, width] (else [B, width])
  int inWidth, outWidth;  // last-axis sizes
  size_t wOffset;         // first weight in the flat vector (kernel, then recurrent, then bias)
};

// A per-thread buffer of n floats for slot i, reused from call to call (apart from rnn_kernel.h's).
float* pool(size_t i, size_t n) {
  thread_local std::vector<std::vector<float>> bufs;
  if (bufs.size() <= i) bufs.resize(i + 1);
  if (bufs[i].size() < n) bufs[i].resize(n);
  return bufs[i].data();
}

// Slots of one layer's buffers in the pool: output, then caches (h, c, pre, post / dense z), grads.
constexpr size_t SLOTS_PER_LAYER = 8;
enum Slot { S_OUT = 0, S_H = 1, S_C = 2, S_PRE = 3, S_POST = 4, S_DIN = 5, S_DH = 6, S_KT = 7 };
inline float* slot(size_t layer, Slot s, size_t n) { return pool(layer * SLOTS_PER_LAYER + s, n); }

template <int A>
void actLoop(const float* z, float* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = act<A>(z[i]);
}
template <int A>
void dactLoop(const float* z, const float* y, const float* dy, float* dz, size_t n) {
  for (size_t i = 0; i < n; i++) dz[i] = dy[i] * dact<A>(z[i], y[i]);
}
void applyAct(int code, const float* z, float* y, size_t n) {
  switch (code) {
    case TANH: actLoop<TANH>(z, y, n); break;
    case RELU: actLoop<RELU>(z, y, n); break;
    case SIGMOID: actLoop<SIGMOID>(z, y, n); break;
    case HARD_SIGMOID: actLoop<HARD_SIGMOID>(z, y, n); break;
    default: actLoop<LINEAR>(z, y, n); break;
  }
}
void applyDact(int code, const float* z, const float* y, const float* dy, float* dz, size_t n) {
  switch (code) {
    case TANH: dactLoop<TANH>(z, y, dy, dz, n); break;
    case RELU: dactLoop<RELU>(z, y, dy, dz, n); break;
    case SIGMOID: dactLoop<SIGMOID>(z, y, dy, dz, n); break;
    case HARD_SIGMOID: dactLoop<HARD_SIGMOID>(z, y, dy, dz, n); break;
    default: dactLoop<LINEAR>(z, y, dy, dz, n); break;
  }
}

// The layers with their shapes and weight offsets, or an error sentence; weightCount and masks out.
std::string plan(const int* layout, int layers, int F, std::vector<Layer>* out, size_t* weightCount, int* dropouts) {
  bool seq = true;
  int width = F;
  size_t offset = 0;
  *dropouts = 0;
  for (int l = 0; l < layers; l++) {
    const int* p = layout + (size_t)l * LAYOUT_INTS;
    Layer L{p[0], p[1], p[2], p[3], p[4], p[5] != 0, seq, seq, width, width, offset};
    const std::string at = "layer " + std::to_string(l) + ": ";
    if (L.actA < TANH || L.actA > LINEAR || L.recA < TANH || L.recA > LINEAR) return at + "unknown activation code";
    if (L.type == RNN_LAYER) {
      if (!seq) return at + "a recurrent layer needs a sequence input";
      if ((L.kind != LSTM && L.kind != GRU) || L.units <= 0) return at + "kind must be 0 (LSTM) or 1 (GRU) with units > 0";
      const size_t G = (size_t)(L.kind == LSTM ? 4 : 3) * L.units;
      offset += (size_t)width * G + (size_t)L.units * G + G;
      seq = L.returnSequences;
      width = L.units;
    } else if (L.type == EMBEDDING_LAYER) {
      if (l != 0 || width != 1) return at + "an Embedding must be the first layer, over [B, T] ids (F = 1)";
      if (L.kind <= 0 || L.units <= 0) return at + "an Embedding needs a vocabulary (kind) and a width (units) > 0";
      offset += (size_t)L.kind * L.units;
      width = L.units;
    } else if (L.type == DROPOUT_LAYER) {
      (*dropouts)++;
    } else if (L.type == DENSE_LAYER) {
      if (seq) return at + "a Dense layer needs a [B, width] input (after a recurrent layer without returnSequences)";
      if (L.units <= 0) return at + "units must be > 0";
      offset += (size_t)width * L.units + L.units;
      width = L.units;
    } else {
      return at + "type must be 0 (recurrent), 1 (Dropout), 2 (Dense) or 3 (Embedding)";
    }
    L.seqOut = seq;
    L.outWidth = width;
    out->push_back(L);
  }
  if (out->empty() || out->back().type != DENSE_LAYER || out->back().units != 1 || out->back().actA != SIGMOID)
    return "the last layer must be Dense(1, sigmoid)";
  *weightCount = offset;
  return "";
}

// Forward and backward of the whole model; the gradient of the mean loss into grads (overwritten).
void lossAndGradients(const std::vector<Layer>& layers, int B, int T, float positiveWeight, const float* x, const float* y,
                      const std::vector<float*>& masks, const float* w, float* grads, double* result) {
  const size_t n = layers.size();
  std::vector<const float*> ins(n), outs(n);
  const float* in = x;
  size_t mask = 0;
  for (size_t l = 0; l < n; l++) {
    const Layer& L = layers[l];
    const size_t rowsIn = (size_t)B * (L.seqIn ? T : 1), rowsOut = (size_t)B * (L.seqOut ? T : 1);
    float* out = slot(l, S_OUT, rowsOut * L.outWidth);
    ins[l] = in;
    if (L.type == RNN_LAYER) {
      const int U = L.units, G = (L.kind == LSTM ? 4 : 3) * U;
      const Dims d{B, T, L.inWidth, U, G};
      const float* W = w + L.wOffset;
      const float* R = W + (size_t)L.inWidth * G;
      const float* bias = R + (size_t)U * G;
      float* h = slot(l, S_H, (size_t)B * T * U);
      float* c = slot(l, S_C, L.kind == LSTM ? (size_t)B * T * U : 1);
      float* pre = slot(l, S_PRE, (size_t)B * T * G);
      float* post = slot(l, S_POST, (size_t)B * T * G);
      dispatch(L.actA, L.recA, [&](auto a, auto r) { forward<decltype(a)::value, decltype(r)::value>(L.kind, d, in, W, R, bias, h, c, pre, post); });
      if (L.returnSequences) std::memcpy(out, h, sizeof(float) * B * T * U);
      else for (int b = 0; b < B; b++) std::memcpy(out + (size_t)b * U, h + ((size_t)b * T + T - 1) * U, sizeof(float) * U);
    } else if (L.type == EMBEDDING_LAYER) {
      const size_t D = L.units;
      for (size_t r = 0; r < rowsIn; r++) std::memcpy(out + r * D, w + L.wOffset + (size_t)in[r] * D, sizeof(float) * D);
    } else if (L.type == DROPOUT_LAYER) {
      const float* m = masks[mask++];
      for (size_t i = 0; i < rowsIn * L.inWidth; i++) out[i] = in[i] * m[i];
    } else {
      const float* K = w + L.wOffset;
      const float* bias = K + (size_t)L.inWidth * L.units;
      float* z = slot(l, S_PRE, (size_t)B * L.units);
      for (int b = 0; b < B; b++) std::memcpy(z + (size_t)b * L.units, bias, sizeof(float) * L.units);
      gemmAcc(in, K, z, B, L.inWidth, L.units, L.inWidth, L.units, L.units);
      applyAct(L.actA, z, out, (size_t)B * L.units);
    }
    outs[l] = out;
    in = out;
  }

  // Binary cross-entropy of p clipped to [eps, 1 - eps] as tfjs's (clipByValue passes no gradient outside).
  const float eps = 1e-7f, hi = 1.f - eps;
  const float* p = outs[n - 1];
  float* dOut = slot(n, S_OUT, (size_t)B);
  double lossSum = 0;
  int correct = 0;
  for (int b = 0; b < B; b++) {
    const float pv = p[b], yv = y[b];
    const float pc = std::fmin(std::fmax(pv, eps), hi);
    lossSum -= positiveWeight * yv * std::log((double)pc) + (1.0 - yv) * std::log(1.0 - (double)pc);
    const bool clipped = pv < eps || pv > hi;
    dOut[b] = clipped ? 0.f : (-positiveWeight * yv / pc + (1.f - yv) / (1.f - pc)) / (float)B;
    correct += (yv == (pv > 0.5f ? 1.f : 0.f)) ? 1 : 0;
  }
  result[0] = lossSum / B;
  result[1] = (float)correct / (float)B;  // float32, as tfjs's mean gives it

  mask = masks.size();
  const float* dy = dOut;
  for (size_t l = n; l-- > 0;) {
    const Layer& L = layers[l];
    const size_t rowsIn = (size_t)B * (L.seqIn ? T : 1);
    float* dIn = l > 0 ? slot(l, S_DIN, rowsIn * L.inWidth) : nullptr;
    if (L.type == RNN_LAYER) {
      const int U = L.units, G = (L.kind == LSTM ? 4 : 3) * U;
      const Dims d{B, T, L.inWidth, U, G};
      const float* W = w + L.wOffset;
      const float* R = W + (size_t)L.inWidth * G;
      float* dW = grads + L.wOffset;
      float* dR = dW + (size_t)L.inWidth * G;
      float* db = dR + (size_t)U * G;
      const float* dh = dy;
      if (!L.returnSequences) {
        float* spread = slot(l, S_DH, (size_t)B * T * U);
        std::memset(spread, 0, sizeof(float) * B * T * U);
        for (int b = 0; b < B; b++) std::memcpy(spread + ((size_t)b * T + T - 1) * U, dy + (size_t)b * U, sizeof(float) * U);
        dh = spread;
      }
      const float *h = slot(l, S_H, 0), *c = slot(l, S_C, 0), *pre = slot(l, S_PRE, 0), *post = slot(l, S_POST, 0);
      dispatch(L.actA, L.recA, [&](auto a, auto r) { backward<decltype(a)::value, decltype(r)::value>(L.kind, d, ins[l], W, R, h, c, pre, post, dh, dIn, dW, dR, db); });
    } else if (L.type == EMBEDDING_LAYER) {
      // tfjs's gather gradient (unsortedSegmentSum) is dense: rows no id touched get 0, and Adam still moves them
      const size_t D = L.units;
      float* dE = grads + L.wOffset;
      std::memset(dE, 0, sizeof(float) * L.kind * D);
      for (size_t r = 0; r < rowsIn; r++) {
        float* row = dE + (size_t)ins[l][r] * D;
        const float* g = dy + r * D;
        for (size_t j = 0; j < D; j++) row[j] += g[j];
      }
    } else if (L.type == DROPOUT_LAYER) {
      const float* m = masks[--mask];
      if (dIn) for (size_t i = 0; i < rowsIn * L.inWidth; i++) dIn[i] = dy[i] * m[i];
    } else {
      const int I = L.inWidth, U = L.units;
      const float* K = w + L.wOffset;
      float* dK = grads + L.wOffset;
      float* db = dK + (size_t)I * U;
      float* dz = slot(l, S_POST, (size_t)B * U);
      applyDact(L.actA, slot(l, S_PRE, 0), outs[l], dy, dz, (size_t)B * U);
      std::memset(dK, 0, sizeof(float) * I * U);
      gemmTAcc(ins[l], dz, dK, B, I, U, I, U, U);
      std::memset(db, 0, sizeof(float) * U);
      for (int b = 0; b < B; b++)
        for (int j = 0; j < U; j++) db[j] += dz[(size_t)b * U + j];
      if (dIn) {
        float* KT = slot(l, S_KT, (size_t)U * I);
        transpose(K, KT, I, U);
        std::memset(dIn, 0, sizeof(float) * B * I);
        gemmAcc(dz, KT, dIn, B, U, I, U, I, I);
      }
    }
    dy = dIn;
  }
}

// ---- N-API glue ----

// The first id of x [B, T] that is not an integer in [0, vocab), said in a sentence; "" if none.
std::string badId(const float* x, int B, int T, int vocab) {
  for (size_t i = 0; i < (size_t)B * T; i++) {
    const float id = x[i];
    if (id >= 0.f && id < (float)vocab && id == std::floor(id)) continue;
    char v[32];
    if (std::isnan(id)) std::snprintf(v, sizeof v, "NaN");
    else std::snprintf(v, sizeof v, "%g", (double)id);
    return "Embedding input id " + std::string(v) + " (row " + std::to_string(i / T) + ", step " + std::to_string(i % T) +
           ") is not an integer in [0, " + std::to_string(vocab) + ")";
  }
  return "";
}

// The elements of a typed array of type TT, or 0 if v is not one.

// args: layout Int32Array, B, T, F, positiveWeight, x [B,T,F], y [B], masks (array of Float32Array,
// one per Dropout layer, its input's size), weights (flat, model.trainableWeights order), grads (same
// size, overwritten), result Float64Array [loss, accuracy].
napi_value LossAndGradients(napi_env env, napi_callback_info info) {
  const std::string who = "trainStep.lossAndGradients: ";
  size_t argc = 11;
  napi_value a[11];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 11) return fail(env, (who + "expected 11 arguments").c_str());
  int B, T, F;
  double pw;
  if (!getInt(env, a[1], &B) || !getInt(env, a[2], &T) || !getInt(env, a[3], &F) || napi_get_value_double(env, a[4], &pw) != napi_ok || B <= 0 || T <= 0 || F <= 0 || !(pw > 0))
    return fail(env, (who + "B, T, F must be positive integers and positiveWeight > 0").c_str());
  bool ok = true;
  const size_t layoutLen = typedLength(env, a[0], napi_int32_array);
  const int* layout = typed<int, napi_int32_array>(env, a[0], layoutLen, &ok);
  if (!ok || layoutLen == 0 || layoutLen % LAYOUT_INTS != 0) return fail(env, (who + "layout must be an Int32Array of 6 ints a layer").c_str());
  std::vector<Layer> layers;
  size_t weightCount = 0;
  int dropouts = 0;
  const std::string problem = plan(layout, (int)(layoutLen / LAYOUT_INTS), F, &layers, &weightCount, &dropouts);
  if (!problem.empty()) return fail(env, (who + problem).c_str());
  bool isArray = false;
  napi_is_array(env, a[7], &isArray);
  uint32_t maskCount = 0;
  if (isArray) napi_get_array_length(env, a[7], &maskCount);
  if (!isArray || (int)maskCount != dropouts) return fail(env, (who + "masks must be an array of one Float32Array per Dropout layer").c_str());
  std::vector<float*> masks;
  for (const Layer& L : layers) {
    if (L.type != DROPOUT_LAYER) continue;
    napi_value m;
    napi_get_element(env, a[7], (uint32_t)masks.size(), &m);
    masks.push_back(typed<float, napi_float32_array>(env, m, (size_t)B * (L.seqIn ? T : 1) * L.inWidth, &ok));
  }
  const float* x = typed<float, napi_float32_array>(env, a[5], (size_t)B * T * F, &ok);
  const float* y = typed<float, napi_float32_array>(env, a[6], (size_t)B, &ok);
  const float* w = typed<float, napi_float32_array>(env, a[8], weightCount, &ok);
  float* g = typed<float, napi_float32_array>(env, a[9], weightCount, &ok);
  double* result = typed<double, napi_float64_array>(env, a[10], 2, &ok);
  if (!ok) return fail(env, (who + "x, y, masks, weights and grads must be Float32Arrays (result a Float64Array) of the right length").c_str());
  if (layers[0].type == EMBEDDING_LAYER) {
    const std::string bad = badId(x, B, T, layers[0].kind);
    if (!bad.empty()) {
      napi_throw_range_error(env, nullptr, (who + bad).c_str());
      return nullptr;
    }
  }
  lossAndGradients(layers, B, T, (float)pw, x, y, masks, w, g, result);
  return nullptr;
}

// args: weights, grads, m, v (Float32Arrays of one length), accBetas Float32Array [beta1^t, beta2^t],
// lr, beta1, beta2, epsilon. tfjs's AdamOptimizer.applyGradients step for step, in float32.
napi_value Adam(napi_env env, napi_callback_info info) {
  const std::string who = "trainStep.adam: ";
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 9) return fail(env, (who + "expected 9 arguments").c_str());
  double lr, b1, b2, epsD;
  if (napi_get_value_double(env, a[5], &lr) != napi_ok || napi_get_value_double(env, a[6], &b1) != napi_ok ||
      napi_get_value_double(env, a[7], &b2) != napi_ok || napi_get_value_double(env, a[8], &epsD) != napi_ok)
    return fail(env, (who + "lr, beta1, beta2 and epsilon must be numbers").c_str());
  bool ok = true;
  const size_t n = typedLength(env, a[0], napi_float32_array);
  float* w = typed<float, napi_float32_array>(env, a[0], n, &ok);
  const float* g = typed<float, napi_float32_array>(env, a[1], n, &ok);
  float* m = typed<float, napi_float32_array>(env, a[2], n, &ok);
  float* v = typed<float, napi_float32_array>(env, a[3], n, &ok);
  float* acc = typed<float, napi_float32_array>(env, a[4], 2, &ok);
  if (!ok) return fail(env, (who + "weights, grads, m, v must be Float32Arrays of one length, accBetas a Float32Array of 2").c_str());
  const float beta1 = (float)b1, beta2 = (float)b2, oneMinusB1 = (float)(1 - b1), oneMinusB2 = (float)(1 - b2);
  const float c1 = 1.f - acc[0], c2 = 1.f - acc[1], eps = (float)epsD, negLr = (float)-lr;
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * oneMinusB1;
    const float vi = v[i] * beta2 + gi * gi * oneMinusB2;
    m[i] = mi;
    v[i] = vi;
    w[i] = (mi / c1) / (std::sqrt(vi / c2) + eps) * negLr + w[i];
  }
  acc[0] *= beta1;
  acc[1] *= beta2;
  return nullptr;
}

}  // namespace

void registerTrainStep(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"lossAndGradients", nullptr, LossAndGradients, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, props);
}

}  // namespace fused
