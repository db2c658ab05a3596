/* libFuzzer harness for the CBOR case and outcome decoders and the
 * runtime protocol server: any bytes decode or fail with a message; a
 * decoded case encodes and decodes back to an equal case; a stream of
 * frames served by `difrun --conformance`'s server never crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testgen/tg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_case(void *ud, const struct dc_case *c, struct dc_outcome *o,
                    struct tg_err *e)
{
	(void)ud;
	return tg_difvm_run(c, o, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tg_err e = { "" };
	struct dc_case c;
	if (tg_cbor_case_decode(data, size, &c, &e) == 0) {
		uint8_t *buf;
		size_t len;
		if (tg_cbor_case_encode(&c, &buf, &len))
			abort();
		struct dc_case d;
		if (tg_cbor_case_decode(buf, len, &d, &e) || !tg_case_equal(&c, &d))
			abort();
		tg_case_free(&d);
		free(buf);
		tg_case_free(&c);
	} else if (!e.msg[0]) {
		abort();
	}
	struct dc_outcome *o = malloc(sizeof(*o));
	if (!o)
		return 0;
	tg_cbor_outcome_decode(data, size, o, &e);
	char t[64];
	tg_cbor_text_field(data, size, "error", t, sizeof(t));
	free(o);

	/* The protocol server on the bytes as a frame stream (small frames
	 * only, so one input stays fast). */
	FILE *in = fmemopen((void *)data, size ? size : 1, "rb");
	char *obuf = NULL;
	size_t olen = 0;
	FILE *out = open_memstream(&obuf, &olen);
	if (in && out && size)
		tg_serve_max(in, out, "fuzz", run_case, NULL, 1 << 16);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	free(obuf);
	return 0;
}
