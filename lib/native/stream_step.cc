// One frame of a streaming detector in one native call: a time step of every LSTM/GRU layer from its
// carried state, then the Dense layers (Dropout is the identity at inference). The math is
// rnn_kernel.h's (exactly tfjs-layers' cells, GRU with reset_after = false) at B = T = 1. The weights
// are copied once into the handle streamCreate returns; the state stays in the caller's Float32Array.
#include <node_api.h>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>
#include "napi_args.h"
#include "rnn_kernel.h"
#include "stream_step.h"

namespace {

using namespace fused;

enum OpKind { OP_LSTM = 0, OP_GRU = 1, OP_DENSE = 2 };
constexpr int PLAN_INTS = 5;  // per op: kind, in, units, activation, recurrent activation

struct Op {
  int kind, in, units, actA, recA;
  size_t w, r, b;  // offsets into Net::weights: kernel [in, G], recurrent [units, G], bias [G]
  size_t state;    // offset into the state array: h [units], then c [units] for an LSTM
};

struct Net {
  std::vector<Op> ops;
  std::vector<float> weights;
  size_t stateLength = 0;
  int input = 0;
  std::vector<float> z, a, b;  // scratch: pre-activations [G], two ping-pong layer outputs
};

// Tags the external so streamStep refuses any other object (an MPI handle, say).
const napi_type_tag NET_TAG = {0x6a1f3c0e52d94b17ULL, 0x9e2b7d4410c8f365ULL};

float apply(int code, float v) {
  switch (code) {
    case TANH: return act<TANH>(v);
    case RELU: return act<RELU>(v);
    case SIGMOID: return act<SIGMOID>(v);
    case HARD_SIGMOID: return act<HARD_SIGMOID>(v);
    default: return v;
  }
}

// z[0:n) += v[0:k) · M[:, 0:n), M row-major with row length ld.
inline void accumulate(const float* __restrict__ v, const float* __restrict__ M, float* __restrict__ z, int k, int n, int ld) {
  for (int i = 0; i < k; i++) {
    const float vi = v[i];
    const float* row = M + (size_t)i * ld;
    for (int j = 0; j < n; j++) z[j] += vi * row[j];
  }
}

// One frame: x [input] → the last op's outputs in *out (width ops.back().units).
const float* step(Net& net, const float* x, float* state) {
  const float* cur = x;
  float* spare = net.a.data();
  float* z = net.z.data();
  for (const Op& op : net.ops) {
    const float* W = net.weights.data() + op.w;
    const float* bias = net.weights.data() + op.b;
    const int U = op.units;
    if (op.kind == OP_DENSE) {
      std::memcpy(spare, bias, sizeof(float) * U);
      accumulate(cur, W, spare, op.in, U, U);
      for (int j = 0; j < U; j++) spare[j] = apply(op.actA, spare[j]);
      cur = spare;
      spare = spare == net.a.data() ? net.b.data() : net.a.data();
      continue;
    }
    const float* R = net.weights.data() + op.r;
    float* h = state + op.state;
    const int G = (op.kind == OP_LSTM ? 4 : 3) * U;
    std::memcpy(z, bias, sizeof(float) * G);
    accumulate(cur, W, z, op.in, G, G);
    if (op.kind == OP_LSTM) {
      float* c = h + U;
      accumulate(h, R, z, U, G, G);
      for (int j = 0; j < U; j++) {
        const float i = apply(op.recA, z[j]), f = apply(op.recA, z[U + j]), g = apply(op.actA, z[2 * U + j]), o = apply(op.recA, z[3 * U + j]);
        c[j] = f * c[j] + i * g;
        h[j] = o * apply(op.actA, c[j]);
      }
    } else {
      // Update and reset gates from x·W + h·R[:, :2U]; the candidate from x·W_h + (r*h)·R[:, 2U:].
      accumulate(h, R, z, U, 2 * U, G);
      float* rh = spare;
      for (int j = 0; j < 2 * U; j++) z[j] = apply(op.recA, z[j]);
      for (int j = 0; j < U; j++) rh[j] = z[U + j] * h[j];
      accumulate(rh, R + 2 * U, z + 2 * U, U, U, G);
      for (int j = 0; j < U; j++) h[j] = z[j] * h[j] + (1.f - z[j]) * apply(op.actA, z[2 * U + j]);
    }
    cur = h;  // the layer's output is its new state; the next op reads it from there
  }
  return cur;
}

void finalize(napi_env, void* data, void*) { delete static_cast<Net*>(data); }

// A one-line TypeError naming the call; returns null for the caller to return.
napi_value error(napi_env env, const std::string& msg) { return fail(env, ("streamCreate: " + msg).c_str()); }

// The data and length of a typed array of the wanted type; false for anything else.
bool typedArray(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) return false;
  napi_typedarray_type tt;
  napi_value buf;
  size_t offset;
  napi_get_typedarray_info(env, v, &tt, length, data, &buf, &offset);
  return tt == want;
}

// args: plan Int32Array [input, then per op kind, in, units, act, recAct], weights Float32Array
// (per op: kernel, recurrent kernel (RNN only), bias, each row-major as tfjs holds them).
napi_value StreamCreate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 2) return error(env, "expected 2 arguments (plan, weights)");
  void *planData, *weightData;
  size_t planLength, weightLength;
  if (!typedArray(env, a[0], napi_int32_array, &planData, &planLength)) return error(env, "plan must be an Int32Array");
  if (planLength < 1 + PLAN_INTS || (planLength - 1) % PLAN_INTS != 0) return error(env, "plan must hold the input width and 5 integers per layer");
  if (!typedArray(env, a[1], napi_float32_array, &weightData, &weightLength)) return error(env, "weights must be a Float32Array");
  const int32_t* plan = static_cast<const int32_t*>(planData);
  const float* weights = static_cast<const float*>(weightData);
  auto* net = new Net();
  net->input = plan[0];
  if (net->input <= 0) {
    delete net;
    return error(env, "the input width must be positive");
  }
  size_t at = 0;
  int width = net->input, widest = width, widestG = 1;
  for (size_t p = 1; p < planLength; p += PLAN_INTS) {
    Op op{plan[p], plan[p + 1], plan[p + 2], plan[p + 3], plan[p + 4], 0, 0, 0, 0};
    const std::string where = "layer " + std::to_string(net->ops.size()) + ": ";
    std::string problem;
    if (op.kind < OP_LSTM || op.kind > OP_DENSE) problem = "kind must be 0 (LSTM), 1 (GRU) or 2 (Dense)";
    else if (op.in != width) problem = "takes " + std::to_string(op.in) + " inputs but the layer before gives " + std::to_string(width);
    else if (op.units <= 0) problem = "units must be positive";
    else if (op.actA < TANH || op.actA > LINEAR || (op.kind != OP_DENSE && (op.recA < TANH || op.recA > LINEAR))) problem = "unknown activation code";
    if (!problem.empty()) {
      delete net;
      return error(env, where + problem);
    }
    const int G = op.kind == OP_DENSE ? op.units : (op.kind == OP_LSTM ? 4 : 3) * op.units;
    op.w = at;
    at += (size_t)op.in * G;
    if (op.kind != OP_DENSE) {
      op.r = at;
      at += (size_t)op.units * G;
      op.state = net->stateLength;
      net->stateLength += (size_t)(op.kind == OP_LSTM ? 2 : 1) * op.units;
    }
    op.b = at;
    at += G;
    width = op.units;
    widest = std::max(widest, width);
    widestG = std::max(widestG, G);
    net->ops.push_back(op);
  }
  if (at != weightLength) {
    delete net;
    return error(env, "the plan needs " + std::to_string(at) + " weights, got " + std::to_string(weightLength));
  }
  net->weights.assign(weights, weights + weightLength);
  net->z.resize(widestG);
  net->a.resize(widest);
  net->b.resize(widest);
  napi_value handle;
  if (napi_create_external(env, net, finalize, nullptr, &handle) != napi_ok) {
    delete net;
    return error(env, "could not create the handle");
  }
  napi_type_tag_object(env, handle, &NET_TAG);
  return handle;
}

// args: handle (from streamCreate), x Float32Array [input], state Float32Array [stateLength]
// (zeros = a fresh stream; updated in place). Returns the last layer's first output.
napi_value StreamStep(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 3) return fail(env, "streamStep: expected 3 arguments (handle, x, state)");
  bool tagged = false;
  napi_valuetype type;
  napi_typeof(env, a[0], &type);
  if (type == napi_external) napi_check_object_type_tag(env, a[0], &NET_TAG, &tagged);
  if (!tagged) return fail(env, "streamStep: the handle must come from streamCreate");
  void* data;
  napi_get_value_external(env, a[0], &data);
  Net& net = *static_cast<Net*>(data);
  bool ok = true;
  const float* x = getF32(env, a[1], net.input, false, &ok);
  if (!ok) return fail(env, ("streamStep: x must be a Float32Array of at least " + std::to_string(net.input) + " floats").c_str());
  float* state = getF32(env, a[2], net.stateLength, false, &ok);
  if (!ok) return fail(env, ("streamStep: state must be a Float32Array of at least " + std::to_string(net.stateLength) + " floats").c_str());
  napi_value out;
  napi_create_double(env, step(net, x, state)[0], &out);
  return out;
}

}  // namespace

namespace fused {

void registerStreamStep(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"streamCreate", nullptr, StreamCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"streamStep", nullptr, StreamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, props);
}

}  // namespace fused
