// Fused LSTM/GRU forward and backward over a whole sequence, one call per layer per batch.
// The math is exactly tfjs-layers' LSTMCell/GRUCell (GRU with reset_after = false), so the trained
// weights stay a plain tfjs model. Plain C over Float32Arrays; the JS side owns every buffer.
#include <node_api.h>
#include <initializer_list>
#include <string>
#include "napi_args.h"
#include "slot_average.h"
#include "gather_rows.h"
#include "rnn_kernel.h"
#include "train_step.h"
#include "stream_step.h"

namespace {

using namespace fused;

// ---- N-API glue: arguments are ints and Float32Arrays (null where optional). ----

// The first seven arguments of both calls: kind, act, recAct, B, T, F, U.
struct Header {
  int kind, actA, recA;
  Dims d;
};

// False (with a JS TypeError thrown) unless they are integers, a known kind and positive sizes.
bool readHeader(napi_env env, const napi_value* a, const char* who, Header* out) {
  Dims& d = out->d;
  std::string msg = std::string(who) + ": ";
  if (!getInt(env, a[0], &out->kind) || !getInt(env, a[1], &out->actA) || !getInt(env, a[2], &out->recA) || !getInt(env, a[3], &d.B) ||
      !getInt(env, a[4], &d.T) || !getInt(env, a[5], &d.F) || !getInt(env, a[6], &d.U)) {
    fail(env, (msg + "kind, activations and sizes must be integers").c_str());
    return false;
  }
  if (out->kind != LSTM && out->kind != GRU) {
    fail(env, (msg + "kind must be 0 (LSTM) or 1 (GRU)").c_str());
    return false;
  }
  if (d.B <= 0 || d.T <= 0 || d.F <= 0 || d.U <= 0) {
    fail(env, (msg + "B, T, F and U must be positive").c_str());
    return false;
  }
  d.G = (out->kind == LSTM ? 4 : 3) * d.U;
  return true;
}

// One buffer argument: its position, the floats it must hold, whether null may stand for it.
struct BufArg {
  int index;
  size_t length;
  bool optional;
  float** out;
};

// Reads every buffer argument; false (with a JS TypeError thrown) if any is wrong.
bool readBuffers(napi_env env, const napi_value* a, const char* who, std::initializer_list<BufArg> args) {
  bool ok = true;
  for (const BufArg& b : args) *b.out = getF32(env, a[b.index], b.length, b.optional, &ok);
  if (!ok) fail(env, (std::string(who) + ": every buffer must be a Float32Array of the right length").c_str());
  return ok;
}

// args: kind, act, recAct, B, T, F, U, x, W, R, bias, h, c, pre, post
napi_value Forward(napi_env env, napi_callback_info info) {
  const char* who = "fusedRnn.forward";
  size_t argc = 15;
  napi_value a[15];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 15) return fail(env, "fusedRnn.forward: expected 15 arguments");
  Header hd;
  if (!readHeader(env, a, who, &hd)) return nullptr;
  const Dims d = hd.d;
  const size_t BT = (size_t)d.B * d.T, hLen = BT * d.U, gLen = BT * d.G;
  float *x, *W, *R, *bias, *h, *c, *pre, *post;
  if (!readBuffers(env, a, who, {{7, BT * d.F, false, &x}, {8, (size_t)d.F * d.G, false, &W}, {9, (size_t)d.U * d.G, false, &R},
                                 {10, (size_t)d.G, false, &bias}, {11, hLen, false, &h}, {12, hd.kind == LSTM ? hLen : 0, false, &c},
                                 {13, gLen, false, &pre}, {14, gLen, false, &post}}))
    return nullptr;
  if (!dispatch(hd.actA, hd.recA, [&](auto actC, auto recC) { forward<decltype(actC)::value, decltype(recC)::value>(hd.kind, d, x, W, R, bias, h, c, pre, post); }))
    return fail(env, "fusedRnn.forward: unknown activation code");
  return nullptr;
}

// args: kind, act, recAct, B, T, F, U, x, W, R, h, c, pre, post, dh, dx|null, dW, dR, dbias
napi_value Backward(napi_env env, napi_callback_info info) {
  const char* who = "fusedRnn.backward";
  size_t argc = 19;
  napi_value a[19];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 19) return fail(env, "fusedRnn.backward: expected 19 arguments");
  Header hd;
  if (!readHeader(env, a, who, &hd)) return nullptr;
  const Dims d = hd.d;
  const size_t BT = (size_t)d.B * d.T, hLen = BT * d.U, gLen = BT * d.G;
  float *x, *W, *R, *h, *c, *pre, *post, *dh, *dx, *dW, *dR, *dbias;
  if (!readBuffers(env, a, who, {{7, BT * d.F, false, &x}, {8, (size_t)d.F * d.G, false, &W}, {9, (size_t)d.U * d.G, false, &R},
                                 {10, hLen, false, &h}, {11, hd.kind == LSTM ? hLen : 0, false, &c}, {12, gLen, false, &pre},
                                 {13, gLen, false, &post}, {14, hLen, false, &dh}, {15, BT * d.F, true, &dx},
                                 {16, (size_t)d.F * d.G, false, &dW}, {17, (size_t)d.U * d.G, false, &dR}, {18, (size_t)d.G, false, &dbias}}))
    return nullptr;
  if (!dispatch(hd.actA, hd.recA, [&](auto actC, auto recC) { backward<decltype(actC)::value, decltype(recC)::value>(hd.kind, d, x, W, R, h, c, pre, post, dh, dx, dW, dR, dbias); }))
    return fail(env, "fusedRnn.backward: unknown activation code");
  return nullptr;
}

// args: mode (0 auto, 1 tiled, 2 BLAS), minMacs (multiply-adds from which auto picks the BLAS).
// Process-wide (every worker thread): the tests force each path, the bench measures the crossover.
napi_value GemmConfig(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  int mode = 0;
  double minMacs = 0;
  if (argc != 2 || !getInt(env, a[0], &mode) || napi_get_value_double(env, a[1], &minMacs) != napi_ok || mode < 0 || mode > 2 || !(minMacs >= 0))
    return fail(env, "fusedRnn.gemmConfig: expected mode 0 (auto), 1 (tiled) or 2 (blas) and minMacs >= 0");
  if (mode == gemm::BLAS && !FALL_HAVE_BLAS) return fail(env, "fusedRnn.gemmConfig: this build has no BLAS (see build-status.json)");
  gemm::config().mode.store(mode);
  gemm::config().minMacs.store((long long)minMacs);
  return nullptr;
}

napi_value setProp(napi_env env, napi_value obj, const char* key, napi_value v) {
  napi_set_named_property(env, obj, key, v);
  return obj;
}

// { blas: "openblas" | "blis" | null, blasConfig, blasCore, mode, minMacs, tiledMacs, blasMacs, packedMacs, packedBuilt }: the counts
// are multiply-adds done by each path since the addon loaded, in every thread of the process.
napi_value GemmStats(napi_env env, napi_callback_info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  const char* name = gemm::blasName();
  if (name) napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  setProp(env, obj, "blas", v);
#if defined(FALL_BLAS_OPENBLAS)
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v);
  setProp(env, obj, "blasConfig", v);
  // The kernels a DYNAMIC_ARCH build picked for this CPU: they set how the products round.
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v);
  setProp(env, obj, "blasCore", v);
  napi_create_int32(env, openblas_get_num_threads(), &v);
  setProp(env, obj, "blasThreads", v);
#elif defined(FALL_BLAS_BLIS)
  napi_create_string_utf8(env, (std::string("BLIS ") + bli_info_get_version_str()).c_str(), NAPI_AUTO_LENGTH, &v);
  setProp(env, obj, "blasConfig", v);
#endif
  napi_create_int32(env, gemm::config().mode.load(), &v);
  setProp(env, obj, "mode", v);
  napi_create_double(env, (double)gemm::config().minMacs.load(), &v);
  setProp(env, obj, "minMacs", v);
  napi_create_double(env, (double)gemm::counters()[0].load(), &v);
  setProp(env, obj, "tiledMacs", v);
  napi_create_double(env, (double)gemm::counters()[1].load(), &v);
  setProp(env, obj, "blasMacs", v);
  napi_create_double(env, (double)gemm::counters()[2].load(), &v);
  setProp(env, obj, "packedMacs", v);
  napi_get_boolean(env, FALL_HAVE_PACKED != 0, &v);
  setProp(env, obj, "packedBuilt", v);
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
  gemm::pinBlasToOneThread();
  napi_property_descriptor props[] = {
      {"forward", nullptr, Forward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backward", nullptr, Backward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemmConfig", nullptr, GemmConfig, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemmStats", nullptr, GemmStats, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 4, props);
  registerTrainStep(env, exports);
  registerStreamStep(env, exports);
  registerSlotAverage(env, exports);
  registerGatherRows(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
