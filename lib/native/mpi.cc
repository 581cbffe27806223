// Node-API binding of the few Open MPI calls the cluster trainer needs (npm has no MPI binding).
// MPI is process-global; the addon may be loaded by several threads of one rank (N-API addons load
// per thread), and MPI_THREAD_SERIALIZED lets any one of them call at a time: the JS side keeps
// that promise (workers call only in synchronous mode, the main thread only in the other modes).
// Buffers are typed arrays owned by JS; nothing is copied except in the weighted allreduce.
#include <node_api.h>
#include <mpi.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

napi_value throwMpi(napi_env env, const char* what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  std::string msg = std::string(what) + " failed: " + std::string(text, len);
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

bool requireInit(napi_env env) {
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  if (!inited || finalized) {
    napi_throw_error(env, nullptr, finalized ? "MPI is finalized" : "MPI is not initialised: call init() first (in the process's main thread)");
    return false;
  }
  return true;
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t want) {
  std::vector<napi_value> argv(want);
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
  argv.resize(argc);
  return argv;
}

bool getInt(napi_env env, napi_value v, const char* name, int* out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    std::string msg = std::string(name) + " must be an integer";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

// Any typed array: its bytes (point-to-point and broadcast move bytes).
bool getBytes(napi_env env, napi_value v, const char* name, void** data, size_t* bytes, napi_typedarray_type* type = nullptr) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) {
    std::string msg = std::string(name) + " must be a typed array";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  napi_typedarray_type t;
  size_t length = 0, offset = 0;
  napi_value ab;
  napi_get_typedarray_info(env, v, &t, &length, data, &ab, &offset);
  size_t el = 1;
  switch (t) {
    case napi_int16_array: case napi_uint16_array: el = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: el = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: el = 8; break;
    default: el = 1;
  }
  *bytes = length * el;
  if (type) *type = t;
  if (*bytes > (size_t)INT32_MAX) {
    napi_throw_range_error(env, nullptr, "typed array larger than 2 GiB: MPI counts are int");
    return false;
  }
  return true;
}

napi_value num(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

napi_value statusObject(napi_env env, const MPI_Status& st) {
  int bytes = 0;
  MPI_Get_count(&st, MPI_BYTE, &bytes);
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "source", num(env, st.MPI_SOURCE));
  napi_set_named_property(env, o, "tag", num(env, st.MPI_TAG));
  napi_set_named_property(env, o, "bytes", num(env, bytes));
  return o;
}

int anySource(int s) { return s < 0 ? MPI_ANY_SOURCE : s; }
int anyTag(int t) { return t < 0 ? MPI_ANY_TAG : t; }

// init(): MPI_Init_thread(SERIALIZED) once per process; returns the thread level provided.
napi_value Init(napi_env env, napi_callback_info) {
  int inited = 0;
  MPI_Initialized(&inited);
  int provided = 0;
  if (inited) {
    MPI_Query_thread(&provided);
  } else {
    int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Init_thread", rc);
    // Errors come back as codes (thrown as JS errors) instead of aborting the job from inside a call.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    napi_throw_error(env, nullptr, "this MPI library does not provide MPI_THREAD_SERIALIZED");
    return nullptr;
  }
  return num(env, provided);
}

napi_value Initialized(napi_env env, napi_callback_info) {
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  napi_value v;
  napi_get_boolean(env, inited && !finalized, &v);
  return v;
}

napi_value Rank(napi_env env, napi_callback_info) {
  if (!requireInit(env)) return nullptr;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return num(env, r);
}

napi_value Size(napi_env env, napi_callback_info) {
  if (!requireInit(env)) return nullptr;
  int s = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return num(env, s);
}

napi_value ProcessorName(napi_env env, napi_callback_info) {
  if (!requireInit(env)) return nullptr;
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  napi_value v;
  napi_create_string_utf8(env, name, len, &v);
  return v;
}

napi_value Version(napi_env env, napi_callback_info) {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0')) len--;
  napi_value v;
  napi_create_string_utf8(env, text, len, &v);
  return v;
}

// A Float32Array argument: its data and length in floats; throws (returns false) otherwise.
bool getFloats(napi_env env, napi_value v, float** data, size_t* n) {
  void* d;
  size_t bytes;
  napi_typedarray_type t;
  if (!getBytes(env, v, "values", &d, &bytes, &t)) return false;
  if (t != napi_float32_array) { napi_throw_type_error(env, nullptr, "values must be a Float32Array"); return false; }
  *data = static_cast<float*>(d);
  *n = bytes / 4;
  return true;
}

// allreduceWeighted(values: Float32Array, weight): values := Σ_r values_r·weight_r / Σ_r weight_r, in
// place, on every rank; returns Σ weight. Sums in float64; reduce to rank 0 then broadcast, so
// every rank ends with bit-identical values (an allreduce may sum in a different order per rank).
// With a total weight of 0 the values are left as they are.
napi_value AllreduceWeighted(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  if (a.size() < 2) { napi_throw_type_error(env, nullptr, "allreduceWeighted(values, weight)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  float* v;
  size_t n;
  if (!getFloats(env, a[0], &v, &n)) return nullptr;
  double weight = 0;
  if (napi_get_value_double(env, a[1], &weight) != napi_ok || !(weight >= 0)) {
    napi_throw_type_error(env, nullptr, "weight must be a number >= 0");
    return nullptr;
  }
  std::vector<double> buf(n + 1), sum(n + 1);
  for (size_t i = 0; i < n; i++) buf[i] = (double)v[i] * weight;
  buf[n] = weight;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int rc = MPI_Reduce(buf.data(), sum.data(), (int)(n + 1), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Reduce", rc);
  rc = MPI_Bcast(sum.data(), (int)(n + 1), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Bcast", rc);
  const double total = sum[n];
  if (total > 0) for (size_t i = 0; i < n; i++) v[i] = (float)(sum[i] / total);
  return num(env, total);
}

// bcast(array, root): root's bytes into every rank's array (same byte length everywhere).
napi_value Bcast(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  if (a.size() < 2) { napi_throw_type_error(env, nullptr, "bcast(array, root)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  void* data;
  size_t bytes;
  int root;
  if (!getBytes(env, a[0], "array", &data, &bytes) || !getInt(env, a[1], "root", &root)) return nullptr;
  int rc = MPI_Bcast(data, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Bcast", rc);
  return nullptr;
}

// send(array, dest, tag): blocking standard-mode send of the array's bytes.
napi_value Send(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 3);
  if (a.size() < 3) { napi_throw_type_error(env, nullptr, "send(array, dest, tag)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  void* data;
  size_t bytes;
  int dest, tag;
  if (!getBytes(env, a[0], "array", &data, &bytes) || !getInt(env, a[1], "dest", &dest) || !getInt(env, a[2], "tag", &tag)) return nullptr;
  int rc = MPI_Send(data, (int)bytes, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Send", rc);
  return nullptr;
}

// recv(array, source, tag) → {source, tag, bytes}: blocking; source/tag -1 mean any.
napi_value Recv(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 3);
  if (a.size() < 3) { napi_throw_type_error(env, nullptr, "recv(array, source, tag)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  void* data;
  size_t bytes;
  int source, tag;
  if (!getBytes(env, a[0], "array", &data, &bytes) || !getInt(env, a[1], "source", &source) || !getInt(env, a[2], "tag", &tag)) return nullptr;
  MPI_Status st;
  int rc = MPI_Recv(data, (int)bytes, MPI_BYTE, anySource(source), anyTag(tag), MPI_COMM_WORLD, &st);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Recv", rc);
  return statusObject(env, st);
}

// iprobe(source, tag) → {source, tag, bytes} | null: is a matching message waiting? Never blocks.
napi_value Iprobe(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  if (a.size() < 2) { napi_throw_type_error(env, nullptr, "iprobe(source, tag)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  int source, tag;
  if (!getInt(env, a[0], "source", &source) || !getInt(env, a[1], "tag", &tag)) return nullptr;
  int flag = 0;
  MPI_Status st;
  int rc = MPI_Iprobe(anySource(source), anyTag(tag), MPI_COMM_WORLD, &flag, &st);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Iprobe", rc);
  if (!flag) {
    napi_value v;
    napi_get_null(env, &v);
    return v;
  }
  return statusObject(env, st);
}

// probe(source, tag) → {source, tag, bytes}: blocks until a matching message is waiting.
napi_value Probe(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 2);
  if (a.size() < 2) { napi_throw_type_error(env, nullptr, "probe(source, tag)"); return nullptr; }
  if (!requireInit(env)) return nullptr;
  int source, tag;
  if (!getInt(env, a[0], "source", &source) || !getInt(env, a[1], "tag", &tag)) return nullptr;
  MPI_Status st;
  int rc = MPI_Probe(anySource(source), anyTag(tag), MPI_COMM_WORLD, &st);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Probe", rc);
  return statusObject(env, st);
}

napi_value Barrier(napi_env env, napi_callback_info) {
  if (!requireInit(env)) return nullptr;
  int rc = MPI_Barrier(MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Barrier", rc);
  return nullptr;
}

napi_value Wtime(napi_env env, napi_callback_info) { return num(env, MPI_Wtime()); }

// abort(code): end every rank of the job now (mpirun reports it and exits non-zero).
napi_value Abort(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 1);
  int code = 1;
  if (!a.empty()) getInt(env, a[0], "code", &code);
  if (!requireInit(env)) return nullptr;
  MPI_Abort(MPI_COMM_WORLD, code);
  return nullptr;
}

napi_value Finalize(napi_env env, napi_callback_info) {
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  if (inited && !finalized) {
    int rc = MPI_Finalize();
    if (rc != MPI_SUCCESS) return throwMpi(env, "MPI_Finalize", rc);
  }
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  const struct { const char* name; napi_callback fn; } fns[] = {
      {"init", Init}, {"initialized", Initialized}, {"rank", Rank}, {"size", Size},
      {"processorName", ProcessorName}, {"version", Version}, {"allreduceWeighted", AllreduceWeighted},
      {"bcast", Bcast}, {"send", Send}, {"recv", Recv}, {"iprobe", Iprobe}, {"probe", Probe},
      {"barrier", Barrier}, {"wtime", Wtime}, {"abort", Abort}, {"finalize", Finalize},
  };
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}
