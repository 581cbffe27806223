// The weighted average of mode gradients' micro-batch slots, the arithmetic of
// lib/distributed/weights.ts weightedAverage term for term (fraction count/total in double, a float64
// running sum in slot order, one rounding to float32), so either gives the same bits; native because
// V8 runs that loop at 2-5 ns an element and it sits on the barrier's serial path every batch.
#include <node_api.h>
#include <algorithm>
#include <string>
#include <vector>
#include "napi_args.h"
#include "slot_average.h"

namespace {

using namespace fused;

constexpr size_t BLOCK = 512;  // float64 running sums on the stack, a block of the weights at a time

// No fused multiply-add: JavaScript rounds the product before the sum, and so must this.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
void average(const float* slots, size_t size, const std::vector<size_t>& used, const std::vector<double>& fractions, float* out) {
  double acc[BLOCK];
  for (size_t lo = 0; lo < size; lo += BLOCK) {
    const size_t n = std::min(BLOCK, size - lo);
    for (size_t j = 0; j < n; j++) acc[j] = 0.0;
    for (size_t u = 0; u < used.size(); u++) {
      const float* v = slots + used[u] * size + lo;
      const double f = fractions[u];
      for (size_t j = 0; j < n; j++) acc[j] += f * (double)v[j];
    }
    for (size_t j = 0; j < n; j++) out[lo + j] = (float)acc[j];
  }
}
#pragma GCC pop_options

// args: slots (Float32Array of slotCount × size), size, counts (Float64Array of slotCount), out (Float32Array of size).
napi_value AverageSlots(napi_env env, napi_callback_info info) {
  const std::string who = "averageSlots: ";
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  int size = 0;
  if (argc != 4 || !getInt(env, a[1], &size) || size < 1) return fail(env, (who + "expected slots, size >= 1, counts, out").c_str());
  const size_t slotCount = typedLength(env, a[2], napi_float64_array);
  bool ok = slotCount > 0;
  const double* counts = typed<double, napi_float64_array>(env, a[2], slotCount, &ok);
  const float* slots = typed<float, napi_float32_array>(env, a[0], slotCount * (size_t)size, &ok);
  float* out = typed<float, napi_float32_array>(env, a[3], (size_t)size, &ok);
  if (!ok) return fail(env, (who + "slots and out must be Float32Arrays of slotCount × size and size floats, counts a Float64Array").c_str());
  std::vector<size_t> used;
  double total = 0;
  for (size_t i = 0; i < slotCount; i++) {
    if (!(counts[i] >= 0)) return fail(env, (who + "bad sample count " + std::to_string(counts[i])).c_str());
    if (counts[i] > 0) {
      used.push_back(i);
      total += counts[i];
    }
  }
  if (used.empty()) {
    napi_throw_range_error(env, nullptr, (who + "every sample count is zero").c_str());
    return nullptr;
  }
  std::vector<double> fractions;
  for (size_t i : used) fractions.push_back(counts[i] / total);
  average(slots, (size_t)size, used, fractions, out);
  return nullptr;
}

}  // namespace

namespace fused {

void registerSlotAverage(napi_env env, napi_value exports) { defineFunction(env, exports, "averageSlots", AverageSlots); }

}  // namespace fused
