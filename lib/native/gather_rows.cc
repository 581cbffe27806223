// A training batch's rows copied out of a worker's data by index, natively: the JavaScript copy
// (one subarray view a row, then set) left ~18 KB of garbage a batch of 64, whose collections ran on
// V8's helper threads and took a worker past one core; a JavaScript element loop was 7x slower.
#include <node_api.h>
#include <cstring>
#include <string>
#include "napi_args.h"
#include "gather_rows.h"

namespace {

using namespace fused;

// args: src (Float32Array of rows × rowSize), rowSize, indices (Int32Array), out (Float32Array of at least indices × rowSize).
napi_value GatherRows(napi_env env, napi_callback_info info) {
  const std::string who = "gatherRows: ";
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  int rowSize = 0;
  if (argc != 4 || !getInt(env, a[1], &rowSize) || rowSize < 1) return fail(env, (who + "expected src, rowSize >= 1, indices, out").c_str());
  const size_t srcLength = typedLength(env, a[0], napi_float32_array);
  const size_t count = typedLength(env, a[2], napi_int32_array);
  bool ok = true;
  const float* src = typed<float, napi_float32_array>(env, a[0], 0, &ok);
  const int32_t* indices = typed<int32_t, napi_int32_array>(env, a[2], count, &ok);
  float* out = typed<float, napi_float32_array>(env, a[3], count * (size_t)rowSize, &ok);
  if (!ok) return fail(env, (who + "src and out must be Float32Arrays (out of indices × rowSize floats), indices an Int32Array").c_str());
  const size_t rows = srcLength / (size_t)rowSize;
  for (size_t k = 0; k < count; k++) {
    const int32_t i = indices[k];
    if (i < 0 || (size_t)i >= rows) {
      napi_throw_range_error(env, nullptr, (who + "row " + std::to_string(i) + " in a source of " + std::to_string(rows) + " rows").c_str());
      return nullptr;
    }
    std::memcpy(out + k * (size_t)rowSize, src + (size_t)i * (size_t)rowSize, (size_t)rowSize * sizeof(float));
  }
  return nullptr;
}

}  // namespace

namespace fused {

void registerGatherRows(napi_env env, napi_value exports) { defineFunction(env, exports, "gatherRows", GatherRows); }

}  // namespace fused
