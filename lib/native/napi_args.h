// N-API argument readers shared by the addon's entry points: ints and typed arrays.
#pragma once
#include <node_api.h>
#include <cstddef>

namespace fused {

inline bool getInt(napi_env env, napi_value v, int* out) { return napi_get_value_int32(env, v, out) == napi_ok; }

// A typed array's element type, length and data; false if `v` is not a typed array.
inline bool typedInfo(napi_env env, napi_value v, napi_typedarray_type* type, size_t* length, void** data) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) return false;
  napi_value buf;
  size_t offset;
  napi_get_typedarray_info(env, v, type, length, data, &buf, &offset);
  return true;
}

// The data of a typed array of type TT with at least `want` elements; *ok = false otherwise.
template <typename T, napi_typedarray_type TT>
inline T* typed(napi_env env, napi_value v, size_t want, bool* ok) {
  napi_typedarray_type tt;
  size_t length;
  void* data;
  if (!typedInfo(env, v, &tt, &length, &data) || tt != TT || length < want) { *ok = false; return nullptr; }
  return static_cast<T*>(data);
}

// The length of a typed array of type `want`; 0 for anything else.
inline size_t typedLength(napi_env env, napi_value v, napi_typedarray_type want) {
  napi_typedarray_type tt;
  size_t length;
  void* data;
  return typedInfo(env, v, &tt, &length, &data) && tt == want ? length : 0;
}

// A Float32Array of at least `want` floats, or null/undefined when `optional`.
inline float* getF32(napi_env env, napi_value v, size_t want, bool optional, bool* ok) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (optional && (type == napi_null || type == napi_undefined)) return nullptr;
  return typed<float, napi_float32_array>(env, v, want, ok);
}

// Adds one function to the addon's exports.
inline void defineFunction(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_property_descriptor d = {name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr};
  napi_define_properties(env, exports, 1, &d);
}

inline napi_value fail(napi_env env, const char* msg) {
  napi_throw_type_error(env, nullptr, msg);
  return nullptr;
}

}  // namespace fused
