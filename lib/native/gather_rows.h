// A batch's rows gathered by index in native code: see gather_rows.cc.
#pragma once
#include <node_api.h>

namespace fused {

// Adds gatherRows to the addon's exports.
void registerGatherRows(napi_env env, napi_value exports);

}  // namespace fused
