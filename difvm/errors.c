/* Error codes, their names, and the bounded diagnostic list. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const err_names[DIF_NERR] = {
#define DIF_ERR_NAME_(name, id, text) id,
	DIF_ERRLIST(DIF_ERR_NAME_)
#undef DIF_ERR_NAME_
};

static const char *const err_texts[DIF_NERR] = {
#define DIF_ERR_TEXT_(name, id, text) text,
	DIF_ERRLIST(DIF_ERR_TEXT_)
#undef DIF_ERR_TEXT_
};

const char *dif_err_name(int code)
{
	return code >= 0 && code < DIF_NERR ? err_names[code] : "unknown";
}

const char *dif_err_text(int code)
{
	return code >= 0 && code < DIF_NERR ? err_texts[code] : "unknown error";
}

void dif_errors_clear(struct dif_errors *errs)
{
	if (errs) {
		errs->count = 0;
		errs->dropped = 0;
	}
}

static struct dif_error *err_slot(struct dif_errors *errs)
{
	if (!errs)
		return NULL;
	if (errs->count >= DIF_ERRORS_MAX) {
		errs->dropped++;
		return NULL;
	}
	struct dif_error *e = &errs->list[errs->count++];
	memset(e, 0, sizeof(*e));
	e->pc = DIF_NO_PC;
	return e;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void dif_errors_add(struct dif_errors *errs, int code, uint32_t pc,
                    const char *object, const char *insn, const char *fmt, ...)
{
	struct dif_error *e = err_slot(errs);
	if (!e)
		return;
	e->code = code;
	e->pc = pc;
	copy_str(e->object, sizeof(e->object), object);
	copy_str(e->insn, sizeof(e->insn), insn);
	if (!fmt) {
		copy_str(e->msg, sizeof(e->msg), dif_err_text(code));
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void dif_errf_at(struct dif_errors *errs, int code, uint32_t line,
                 uint32_t col, const char *object, const char *fmt, ...)
{
	struct dif_error *e = err_slot(errs);
	if (!e)
		return;
	e->code = code;
	e->line = line;
	e->col = col;
	copy_str(e->object, sizeof(e->object), object);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}
