/*
 * CRC-32C (Castagnoli) for RecordBatch v2, as a Node-API addon.
 *
 * Why native and three-way: the leader checks the CRC of every produced batch in series with the
 * write, so its speed is a fixed share of every append. The SSE4.2 crc32 instruction has a latency of
 * three cycles and a throughput of one, so one dependency chain (what a plain loop does) runs at a
 * third of the instruction's speed. Here each chunk of 3 * STRIPE bytes is checksummed as three
 * independent chains in one loop, and the three partial CRCs are joined with precomputed
 * "append STRIPE zero bytes" operators (CRC is linear over GF(2)), as Intel's and Linux's
 * crc32c-pcl do. Without SSE4.2 (or on a non-x86 CPU) `hardware` is false and the caller keeps its
 * portable CRC.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SAMSA_X86 1
#include <nmmintrin.h>
#endif

#define STRIPE 512

static int hardware = 0;

#ifdef SAMSA_X86
/* shift[s][k][b]: the raw CRC register after (b << 8k) is followed by (s + 1) * STRIPE zero bytes. */
static uint32_t shift[2][4][256];

__attribute__((target("sse4.2"))) static uint32_t raw_zeros(uint32_t crc, size_t n) {
  uint64_t c = crc;
  for (size_t i = 0; i < n; i += 8) c = _mm_crc32_u64(c, 0);
  return (uint32_t)c;
}

static inline uint32_t shifted(int s, uint32_t crc) {
  return shift[s][0][crc & 0xff] ^ shift[s][1][(crc >> 8) & 0xff] ^ shift[s][2][(crc >> 16) & 0xff] ^ shift[s][3][crc >> 24];
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

__attribute__((target("sse4.2"))) static uint32_t raw_crc(uint32_t crc, const uint8_t *p, size_t len) {
  while (len >= 3 * STRIPE) {
    uint64_t c0 = crc, c1 = 0, c2 = 0;
    for (const uint8_t *end = p + STRIPE; p < end; p += 8) {
      c0 = _mm_crc32_u64(c0, load64(p));
      c1 = _mm_crc32_u64(c1, load64(p + STRIPE));
      c2 = _mm_crc32_u64(c2, load64(p + 2 * STRIPE));
    }
    /* raw(c, A B C) = zeros(raw(c, A), 2 STRIPE) ^ zeros(raw(0, B), STRIPE) ^ raw(0, C) */
    crc = shifted(1, (uint32_t)c0) ^ shifted(0, (uint32_t)c1) ^ (uint32_t)c2;
    p += 2 * STRIPE;
    len -= 3 * STRIPE;
  }
  uint64_t c = crc;
  for (; len >= 8; p += 8, len -= 8) c = _mm_crc32_u64(c, load64(p));
  uint32_t c32 = (uint32_t)c;
  for (; len > 0; p++, len--) c32 = _mm_crc32_u8(c32, *p);
  return c32;
}

static void init_tables(void) {
  for (int s = 0; s < 2; s++)
    for (int k = 0; k < 4; k++)
      for (uint32_t b = 0; b < 256; b++) shift[s][k][b] = raw_zeros(b << (8 * k), (size_t)(s + 1) * STRIPE);
}
#endif

/* calculate(bytes: Uint8Array, initialCrc?: number): number — crc32c(a ++ b) === calculate(b, calculate(a)). */
static napi_value calculate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "calculate(bytes[, initialCrc]): bytes is required");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  bool is_typedarray = false;
  napi_is_typedarray(env, argv[0], &is_typedarray);
  if (!is_typedarray || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "calculate(bytes[, initialCrc]): bytes must be a Uint8Array");
    return NULL;
  }
  uint32_t initial = 0;
  if (argc >= 2) {
    napi_valuetype vt;
    napi_typeof(env, argv[1], &vt);
    if (vt == napi_number) napi_get_value_uint32(env, argv[1], &initial);
  }
  uint32_t crc = ~initial;
#ifdef SAMSA_X86
  if (hardware) crc = raw_crc(crc, (const uint8_t *)data, length);
#endif
  napi_value result;
  napi_create_uint32(env, ~crc, &result);
  return result;
}

/*
 * calculateAsync(bytes: Uint8Array, callback: (err, crc) => void): the same checksum (initial CRC 0)
 * computed on the libuv thread pool, so a large batch is checked on another core while the event
 * loop goes on (e.g. writes the previous append). The caller must not change `bytes` meanwhile.
 */
typedef struct {
  napi_async_work work;
  napi_ref bytes_ref;
  napi_ref callback_ref;
  const uint8_t *data;
  size_t length;
  uint32_t crc;
} async_crc;

static void async_crc_execute(napi_env env, void *p) {
  (void)env;
  async_crc *a = (async_crc *)p;
  uint32_t crc = ~0u;
#ifdef SAMSA_X86
  if (hardware) crc = raw_crc(crc, a->data, a->length);
#endif
  a->crc = ~crc;
}

static void async_crc_complete(napi_env env, napi_status status, void *p) {
  async_crc *a = (async_crc *)p;
  napi_value callback, recv, argv[2];
  napi_get_reference_value(env, a->callback_ref, &callback);
  napi_get_undefined(env, &recv);
  if (status == napi_ok) {
    napi_get_null(env, &argv[0]);
    napi_create_uint32(env, a->crc, &argv[1]);
  } else {
    napi_value message;
    napi_create_string_utf8(env, "calculateAsync: the checksum was not computed", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &argv[0]);
    napi_get_undefined(env, &argv[1]);
  }
  napi_delete_reference(env, a->bytes_ref);
  napi_delete_reference(env, a->callback_ref);
  napi_delete_async_work(env, a->work);
  free(a);
  if (callback != NULL) napi_call_function(env, recv, callback, 2, argv, NULL);
}

static napi_value calculate_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  napi_typedarray_type type;
  size_t length;
  void *data;
  bool is_typedarray = false;
  napi_valuetype cb_type = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &cb_type);
  if (argc >= 1) napi_is_typedarray(env, argv[0], &is_typedarray);
  if (argc < 2 || cb_type != napi_function || !is_typedarray || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "calculateAsync(bytes, callback): bytes must be a Uint8Array and callback a function");
    return NULL;
  }
  async_crc *a = (async_crc *)calloc(1, sizeof(async_crc));
  if (a == NULL) {
    napi_throw_error(env, NULL, "calculateAsync: out of memory");
    return NULL;
  }
  a->data = (const uint8_t *)data;
  a->length = length;
  napi_value name;
  napi_create_string_utf8(env, "samsa_crc32c", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[0], 1, &a->bytes_ref) != napi_ok || napi_create_reference(env, argv[1], 1, &a->callback_ref) != napi_ok ||
      napi_create_async_work(env, NULL, name, async_crc_execute, async_crc_complete, a, &a->work) != napi_ok || napi_queue_async_work(env, a->work) != napi_ok) {
    napi_throw_error(env, NULL, "calculateAsync: could not queue the work");
    return NULL;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
#ifdef SAMSA_X86
  __builtin_cpu_init();
  hardware = __builtin_cpu_supports("sse4.2");
  if (hardware) init_tables();
#endif
  napi_value fn, hw;
  napi_create_function(env, "calculate", NAPI_AUTO_LENGTH, calculate, NULL, &fn);
  napi_set_named_property(env, exports, "calculate", fn);
  napi_create_function(env, "calculateAsync", NAPI_AUTO_LENGTH, calculate_async, NULL, &fn);
  napi_set_named_property(env, exports, "calculateAsync", fn);
  napi_get_boolean(env, hardware != 0, &hw);
  napi_set_named_property(env, exports, "hardware", hw);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
