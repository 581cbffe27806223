// One frame of a streaming detector in native code: see stream_step.cc.
#pragma once
#include <node_api.h>

namespace fused {

// Adds streamCreate and streamStep to the addon's exports.
void registerStreamStep(napi_env env, napi_value exports);

}  // namespace fused
