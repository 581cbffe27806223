// Mode gradients' average of the micro-batch slots in native code: see slot_average.cc.
#pragma once
#include <node_api.h>

namespace fused {

// Adds averageSlots to the addon's exports.
void registerSlotAverage(napi_env env, napi_value exports);

}  // namespace fused
