// N-API argument readers shared by the addon's entry points: ints and typed arrays.
#pragma once
#include <node_api.h>
#include <cstddef>

namespace fused {

inline bool getInt(napi_env env, napi_value v, int* out) { return napi_get_value_int32(env, v, out) == napi_ok; }

inline float* getF32(napi_env env, napi_value v, size_t want, bool optional, bool* ok) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (optional && (type == napi_null || type == napi_undefined)) return nullptr;
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) { *ok = false; return nullptr; }
  napi_typedarray_type tt;
  size_t length;
  void* data;
  napi_value buf;
  size_t offset;
  napi_get_typedarray_info(env, v, &tt, &length, &data, &buf, &offset);
  if (tt != napi_float32_array || length < want) { *ok = false; return nullptr; }
  return static_cast<float*>(data);
}

inline size_t typedLength(napi_env env, napi_value v, napi_typedarray_type want) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) return 0;
  napi_typedarray_type tt;
  size_t length;
  void* data;
  napi_value buf;
  size_t offset;
  napi_get_typedarray_info(env, v, &tt, &length, &data, &buf, &offset);
  return tt == want ? length : 0;
}

// The data of a typed array of type TT with at least `want` elements; *ok = false otherwise.
template <typename T, napi_typedarray_type TT>
inline T* typed(napi_env env, napi_value v, size_t want, bool* ok) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) { *ok = false; return nullptr; }
  napi_typedarray_type tt;
  size_t length;
  void* data;
  napi_value buf;
  size_t offset;
  napi_get_typedarray_info(env, v, &tt, &length, &data, &buf, &offset);
  if (tt != TT || length < want) { *ok = false; return nullptr; }
  return static_cast<T*>(data);
}

inline napi_value fail(napi_env env, const char* msg) {
  napi_throw_type_error(env, nullptr, msg);
  return nullptr;
}

}  // namespace fused
