/* N-API plumbing shared by cleartap's two addons (cleartap.c: eBPF; packet.c: AF_PACKET): errors with a
 * stable code and the errno, the first-argument handle, and optional numeric settings. */
#ifndef CT_NAPI_SUPPORT_H
#define CT_NAPI_SUPPORT_H
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Returns NULL from the calling napi function, with a pending exception, when a call fails. */
#define NAPI_OK(call)                                                                              \
	do {                                                                                       \
		if ((call) != napi_ok) {                                                           \
			napi_throw_error(env, "CT_ERR_NATIVE", #call " failed");                  \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)

/* Throws an Error with `code`, "what: strerror(err)" plus `detail` when not empty, and an `errno` property. */
static inline napi_value ct_throw(napi_env env, const char *code, const char *what, int err, const char *detail)
{
	char msg[16384 + 512];
	err = err < 0 ? -err : err;
	snprintf(msg, sizeof(msg), "%s: %s%s", what, strerror(err), detail ? detail : "");
	napi_value e_code, e_msg, error, e_errno;
	napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &e_code);
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &e_msg);
	napi_create_error(env, e_code, e_msg, &error);
	napi_create_int32(env, err, &e_errno);
	napi_set_named_property(env, error, "errno", e_errno);
	napi_throw(env, error);
	return NULL;
}

/* Reads a call's n arguments, the first of which must be an addon handle (an external); NULL with a
 * pending TypeError otherwise. */
static inline void *ct_handle_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *what)
{
	size_t argc = n;
	void *h = NULL;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n ||
	    napi_get_value_external(env, argv[0], &h) != napi_ok || !h) {
		napi_throw_type_error(env, "CT_ERR_NATIVE", what);
		return NULL;
	}
	return h;
}

/* obj[name] as a u32, or dflt when absent. */
static inline uint32_t ct_get_u32(napi_env env, napi_value obj, const char *name, uint32_t dflt)
{
	bool has = false;
	napi_value v;
	uint32_t out = dflt;
	if (napi_has_named_property(env, obj, name, &has) == napi_ok && has &&
	    napi_get_named_property(env, obj, name, &v) == napi_ok)
		napi_get_value_uint32(env, v, &out);
	return out;
}
#endif
