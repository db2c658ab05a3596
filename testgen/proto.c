/*
 * The runtime protocol (docs/runtime-protocol.md): frames of a 4-byte
 * big-endian length and one CBOR item. The runtime speaks first (hello),
 * then answers each case frame with one outcome frame.
 */
#include <cbor.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tg.h"

int tg_frame_write(FILE *f, const uint8_t *buf, size_t len)
{
	uint8_t h[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
		         (uint8_t)(len >> 8), (uint8_t)len };
	if (len > 0xffffffffu || fwrite(h, 1, 4, f) != 4 ||
	    fwrite(buf, 1, len, f) != len)
		return -1;
	return 0;
}

int tg_frame_read(FILE *f, uint8_t **buf, size_t *len, struct tg_err *e)
{
	return tg_frame_read_max(f, TG_FRAME_MAX, buf, len, e);
}

int tg_frame_read_max(FILE *f, size_t max, uint8_t **buf, size_t *len,
                      struct tg_err *e)
{
	uint8_t h[4];
	size_t n = fread(h, 1, 4, f);
	if (n == 0 && feof(f))
		return 0;
	if (n != 4) {
		tg_errf(e, "truncated frame header");
		return -1;
	}
	size_t l = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
	           (size_t)h[2] << 8 | h[3];
	if (l == 0) {
		tg_errf(e, "bad frame length 0");
		return -1;
	}
	if (l > max) {
		tg_errf(e, "frame of %zu bytes exceeds the limit of %zu "
		        "(--max-frame)", l, max);
		return -1;
	}
	uint8_t *b = malloc(l);
	if (!b) {
		tg_errf(e, "out of memory");
		return -1;
	}
	if (fread(b, 1, l, f) != l) {
		free(b);
		tg_errf(e, "truncated frame");
		return -1;
	}
	*buf = b;
	*len = l;
	return 1;
}

static int write_map2(FILE *out, const char *k1, cbor_item_t *v1,
                      const char *k2, cbor_item_t *v2, const char *k3,
                      cbor_item_t *v3)
{
	cbor_item_t *m = cbor_new_definite_map(3);
	cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string(k1)),
	                                    cbor_move(v1) });
	if (k2)
		cbor_map_add(m, (struct cbor_pair){
			cbor_move(cbor_build_string(k2)), cbor_move(v2) });
	if (k3)
		cbor_map_add(m, (struct cbor_pair){
			cbor_move(cbor_build_string(k3)), cbor_move(v3) });
	uint8_t *buf = NULL;
	size_t cap = 0, n = cbor_serialize_alloc(m, &buf, &cap);
	cbor_decref(&m);
	int r = n ? tg_frame_write(out, buf, n) : -1;
	free(buf);
	return r;
}

int tg_serve(FILE *in, FILE *out, const char *runtime_name, tg_runner run,
             void *ud)
{
	return tg_serve_max(in, out, runtime_name, run, ud, 0);
}

int tg_serve_max(FILE *in, FILE *out, const char *runtime_name,
                 tg_runner run, void *ud, size_t max_frame)
{
	if (!max_frame)
		max_frame = TG_FRAME_MAX;
	if (write_map2(out, "protocol", cbor_build_string(TG_PROTO_NAME),
	               "version", cbor_build_uint8(TG_PROTO_VERSION), "runtime",
	               cbor_build_string(runtime_name)) ||
	    fflush(out))
		return 1;
	struct dc_outcome *o = malloc(sizeof(*o));
	if (!o)
		return 1;
	int status = 0;
	for (;;) {
		uint8_t *buf;
		size_t len;
		struct tg_err e = { "" };
		int r = tg_frame_read_max(in, max_frame, &buf, &len, &e);
		if (r == 0)
			break;
		if (r < 0) {
			fprintf(stderr, "conformance: %s\n", e.msg);
			status = 1;
			break;
		}
		struct dc_case c;
		int ok = tg_cbor_case_decode(buf, len, &c, &e) == 0;
		free(buf);
		if (ok) {
			memset(o, 0, sizeof(*o));
			ok = run(ud, &c, o, &e) == 0;
			tg_case_free(&c);
		}
		if (ok) {
			uint8_t *ob;
			size_t ol;
			if (tg_cbor_outcome_encode(o, &ob, &ol)) {
				status = 1;
				break;
			}
			r = tg_frame_write(out, ob, ol);
			free(ob);
		} else {
			r = write_map2(out, "error", cbor_build_string(e.msg),
			               NULL, NULL, NULL, NULL);
		}
		if (r || fflush(out)) {
			status = 1;
			break;
		}
	}
	free(o);
	return status;
}

/* ---- client side ----------------------------------------------------------- */

struct tg_ext {
	pid_t pid;
	FILE *to, *from;
	char name[128];
};

const char *tg_ext_name(const struct tg_ext *x)
{
	return x->name;
}

void tg_ext_close(struct tg_ext *x)
{
	if (!x)
		return;
	if (x->to)
		fclose(x->to);
	if (x->from)
		fclose(x->from);
	if (x->pid > 0) {
		int st;
		while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	free(x);
}

int tg_ext_open(const char *cmd, struct tg_ext **out, struct tg_err *e)
{
	int in[2], outp[2];
	if (pipe(in) || pipe(outp)) {
		tg_errf(e, "pipe: %s", strerror(errno));
		return -1;
	}
	/* a runtime that dies must not kill us with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	pid_t pid = fork();
	if (pid < 0) {
		tg_errf(e, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	struct tg_ext *x = calloc(1, sizeof(*x));
	if (!x) {
		close(in[1]);
		close(outp[0]);
		tg_errf(e, "out of memory");
		return -1;
	}
	x->pid = pid;
	x->to = fdopen(in[1], "w");
	x->from = fdopen(outp[0], "r");
	uint8_t *buf;
	size_t len;
	int r = tg_frame_read(x->from, &buf, &len, e);
	if (r <= 0) {
		if (r == 0)
			tg_errf(e, "%s: no hello from the runtime", cmd);
		tg_ext_close(x);
		return -1;
	}
	char proto[64] = "", ver[16] = "";
	tg_cbor_text_field(buf, len, "protocol", proto, sizeof(proto));
	tg_cbor_text_field(buf, len, "version", ver, sizeof(ver));
	if (tg_cbor_text_field(buf, len, "runtime", x->name, sizeof(x->name)) != 1)
		snprintf(x->name, sizeof(x->name), "%s", cmd);
	free(buf);
	if (strcmp(proto, TG_PROTO_NAME) != 0 ||
	    strtoul(ver, NULL, 10) != TG_PROTO_VERSION) {
		tg_errf(e, "%s: bad hello (protocol '%s' version '%s')", cmd,
		        proto, ver);
		tg_ext_close(x);
		return -1;
	}
	*out = x;
	return 0;
}

int tg_ext_run(struct tg_ext *x, const struct dc_case *c,
               struct dc_outcome *o, struct tg_err *e)
{
	uint8_t *buf;
	size_t len;
	if (tg_cbor_case_encode(c, &buf, &len)) {
		tg_errf(e, "cannot encode case");
		return -1;
	}
	int r = tg_frame_write(x->to, buf, len);
	free(buf);
	if (r || fflush(x->to)) {
		tg_errf(e, "runtime closed its input");
		return -1;
	}
	r = tg_frame_read(x->from, &buf, &len, e);
	if (r <= 0) {
		if (r == 0)
			tg_errf(e, "runtime exited");
		return -1;
	}
	/* {"error": text} instead of an outcome */
	char msg[200];
	if (tg_cbor_text_field(buf, len, "error", msg, sizeof(msg)) == 1) {
		free(buf);
		tg_errf(e, "runtime error: %s", msg);
		return -1;
	}
	r = tg_cbor_outcome_decode(buf, len, o, e);
	free(buf);
	return r;
}
