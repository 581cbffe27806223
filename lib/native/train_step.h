// The whole training step of a fused model in native code: see train_step.cc.
#pragma once
#include <node_api.h>

namespace fused {

// Adds lossAndGradients and adam to the addon's exports.
void registerTrainStep(napi_env env, napi_value exports);

}  // namespace fused
