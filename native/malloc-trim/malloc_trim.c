/*
 * trim(): a promise of glibc's malloc_trim(0), run on a thread of libuv's pool so the event loop
 * goes on meanwhile. malloc_trim gives the system back the pages of freed memory that malloc keeps
 * in its arenas (not only at the top of each heap); the promise answers whether any were released.
 * Elsewhere than glibc it does nothing and answers false.
 */
#include <node_api.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int released;
} TrimWork;

static void Execute(napi_env env, void *data) {
  (void)env;
  TrimWork *w = data;
#ifdef __GLIBC__
  w->released = malloc_trim(0);
#else
  w->released = 0;
#endif
}

static void Complete(napi_env env, napi_status status, void *data) {
  TrimWork *w = data;
  napi_value result;
  napi_get_boolean(env, status == napi_ok && w->released != 0, &result);
  napi_resolve_deferred(env, w->deferred, result);
  napi_delete_async_work(env, w->work);
  free(w);
}

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value promise, name;
  TrimWork *w = calloc(1, sizeof(TrimWork));
  if (w == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_create_promise(env, &w->deferred, &promise);
  napi_create_string_utf8(env, "malloc_trim", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, Execute, Complete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn);
  napi_set_named_property(env, exports, "trim", fn);
  return exports;
}
