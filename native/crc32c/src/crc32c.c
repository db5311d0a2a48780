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
#include <stdatomic.h>
#include <stdbool.h>
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
 * start(bytes: Uint8Array): job and finish(job): number. start queues the checksum of `bytes`
 * (initial CRC 0) on the libuv thread pool and returns at once; finish returns it, synchronously:
 * - taken as it is if a pool thread has computed it;
 * - computed right here if no pool thread has started it (the pool was busy or slow to wake);
 * - waited for (spinning; at most the rest of one checksum) if a pool thread is computing it.
 * So the event loop never idles waiting for the pool: a large produce is checked on another core
 * while the loop writes the previous append, and never later than if it had been checked in line.
 * Whoever claims the job first (a compare-and-swap on `state`) computes it; the other side skips.
 * The caller must not change `bytes` until finish returns.
 */
enum { JOB_QUEUED, JOB_POOL, JOB_CALLER, JOB_DONE };

typedef struct {
  napi_async_work work;
  napi_ref bytes_ref;
  const uint8_t *data;
  size_t length;
  atomic_int state;
  uint32_t crc;
  /* Owners on the JS thread: the returned handle (until collected) and the queued work (until complete). */
  int owners;
} crc_job;

static uint32_t crc_of(const uint8_t *data, size_t length) {
  uint32_t crc = ~0u;
#ifdef SAMSA_X86
  if (hardware) crc = raw_crc(crc, data, length);
#endif
  return ~crc;
}

static void release_job(crc_job *job) {
  if (--job->owners == 0) free(job);
}

static void job_execute(napi_env env, void *p) {
  (void)env;
  crc_job *job = (crc_job *)p;
  int queued = JOB_QUEUED;
  if (!atomic_compare_exchange_strong(&job->state, &queued, JOB_POOL)) return; /* the caller took it */
  job->crc = crc_of(job->data, job->length);
  atomic_store_explicit(&job->state, JOB_DONE, memory_order_release);
}

static void job_complete(napi_env env, napi_status status, void *p) {
  (void)status; /* cancelled or not, finish() still answers: it computes what the pool did not */
  crc_job *job = (crc_job *)p;
  napi_delete_reference(env, job->bytes_ref);
  napi_delete_async_work(env, job->work);
  release_job(job);
}

static void job_collected(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release_job((crc_job *)data);
}

static napi_value crc_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  napi_typedarray_type type;
  size_t length;
  void *data;
  bool is_typedarray = false;
  if (argc >= 1) napi_is_typedarray(env, argv[0], &is_typedarray);
  if (!is_typedarray || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "start(bytes): bytes must be a Uint8Array");
    return NULL;
  }
  crc_job *job = (crc_job *)calloc(1, sizeof(crc_job));
  if (job == NULL) {
    napi_throw_error(env, NULL, "start: out of memory");
    return NULL;
  }
  job->data = (const uint8_t *)data;
  job->length = length;
  atomic_init(&job->state, JOB_QUEUED);
  napi_value name, handle;
  napi_create_string_utf8(env, "samsa_crc32c", NAPI_AUTO_LENGTH, &name);
  if (napi_create_external(env, job, job_collected, NULL, &handle) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "start: could not create the job");
    return NULL;
  }
  job->owners = 1; /* the handle; from here on its finalizer releases it */
  if (napi_create_reference(env, argv[0], 1, &job->bytes_ref) != napi_ok) {
    napi_throw_error(env, NULL, "start: could not reference the bytes");
    return NULL;
  }
  if (napi_create_async_work(env, NULL, name, job_execute, job_complete, job, &job->work) != napi_ok || napi_queue_async_work(env, job->work) != napi_ok) {
    /* Not queued: finish() computes it in line. */
    napi_delete_reference(env, job->bytes_ref);
    return handle;
  }
  job->owners++;
  return handle;
}

static napi_value crc_finish(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  napi_valuetype vt = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &vt);
  void *data = NULL;
  if (vt != napi_external || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "finish(job): job must come from start()");
    return NULL;
  }
  crc_job *job = (crc_job *)data;
  int queued = JOB_QUEUED;
  if (atomic_compare_exchange_strong(&job->state, &queued, JOB_CALLER)) {
    job->crc = crc_of(job->data, job->length);
    atomic_store_explicit(&job->state, JOB_DONE, memory_order_release);
  } else {
    while (atomic_load_explicit(&job->state, memory_order_acquire) != JOB_DONE) {
#ifdef SAMSA_X86
      _mm_pause();
#endif
    }
  }
  napi_value result;
  napi_create_uint32(env, job->crc, &result);
  return result;
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
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, crc_start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "finish", NAPI_AUTO_LENGTH, crc_finish, NULL, &fn);
  napi_set_named_property(env, exports, "finish", fn);
  napi_get_boolean(env, hardware != 0, &hw);
  napi_set_named_property(env, exports, "hardware", hw);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
