/* Shared plumbing for the command-line front ends (see toolio.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "toolio.h"
#include "difvm/dof.h"
#include "difvm/link.h"
#include "difvm/object.h"

/* Appends a file-level diagnostic (no position). */
static void push(struct dif_errors *errs, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void push(struct dif_errors *errs, int code, const char *fmt, ...)
{
	if (!errs)
		return;
	if (errs->count >= DIF_ERRORS_MAX) {
		errs->dropped++;
		return;
	}
	struct dif_error *e = &errs->list[errs->count++];
	memset(e, 0, sizeof(*e));
	e->code = code;
	e->pc = DIF_NO_PC;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static uint64_t max_input = TOOLIO_MAX_INPUT_DEFAULT;
static uint64_t max_module; /* 0: the library default */

/* Reads the whole file (or stdin for "-"), at most max_input bytes; NULL
 * with errs filled on failure. */
static char *slurp(const char *path, size_t *len, struct dif_errors *errs,
                   int *rc)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *shown = is_stdin ? "<stdin>" : path; /* as messages show it */
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		push(errs, DIF_E_IO, "%s: cannot open: %s", shown,
		                strerror(errno));
		*rc = DIF_E_IO;
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > max_input) {
			push(errs, DIF_E_IO, "%s: input is larger than %llu bytes "
			     "(raise with --max-input)", shown,
			     (unsigned long long)max_input);
			free(buf);
			buf = NULL;
			*rc = DIF_E_IO; /* a read failure: every tool exits 2 */
			break;
		}
		if (n < cap) {
			if (ferror(f)) {
				push(errs, DIF_E_IO, "%s: read error: %s",
				                shown, strerror(errno));
				free(buf);
				buf = NULL;
				*rc = DIF_E_IO;
			}
			break;
		}
		size_t ncap = cap * 2;
		if (ncap > max_input + 1)
			ncap = (size_t)max_input + 1; /* one byte past: detects "more" */
		char *nb = realloc(buf, ncap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap = ncap;
	}
	if (!is_stdin)
		fclose(f);
	if (!buf) {
		if (*rc == 0) {
			push(errs, DIF_E_NOMEM, "%s: out of memory", shown);
			*rc = DIF_E_NOMEM;
		}
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int toolio_load(const char *path, enum dif_profile profile,
                struct dif_module **out, struct dif_errors *errs)
{
	return toolio_load_as(path, &profile, 1, out, errs);
}

int toolio_load_as(const char *path, enum dif_profile *pprofile, int fixed,
                   struct dif_module **out, struct dif_errors *errs)
{
	return toolio_load_kind(path, pprofile, fixed, NULL, out, errs);
}

int toolio_load_kind(const char *path, enum dif_profile *pprofile, int fixed,
                     int *is_object, struct dif_module **out,
                     struct dif_errors *errs)
{
	if (!path || !out || !pprofile)
		return DIF_E_INVAL;
	if (is_object)
		*is_object = 0;
	enum dif_profile profile = *pprofile;
	*out = NULL;
	size_t len = 0;
	int rc = 0;
	char *buf = slurp(path, &len, errs, &rc);
	if (!buf)
		return rc;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (dif_dof_detect(buf, len)) {
		/* DOF records no profile: -p applies, else DOF built on SunOS
		 * (its UTSNAME section) is read as illumos, other DOF as
		 * FreeBSD */
		struct dif_dof *dof = NULL;
		DIF_OPTS(dif_dof_opts, dopts, .profile = profile,
		         .max_module = max_module);
		rc = dif_dof_read(buf, len, &dopts, &dof, errs);
		if (rc == 0) {
			struct dif_dof_header h;
			dif_dof_get_header(dof, &h);
			if (!fixed && strcmp(h.sysname, "SunOS") == 0)
				*pprofile = DIF_PROFILE_ILLUMOS;
			*out = dif_dof_take_module(dof);
		}
		dif_dof_free(dof);
	} else if (dif_hypertrace_detect(buf, len)) {
		DIF_OPTS(dif_hypertrace_opts, ho, .max_module = max_module);
		rc = dif_hypertrace_read_opts(buf, len, &ho, out, errs);
	} else if (len >= 4 && memcmp(buf, "\177ELF", 4) == 0) {
		enum dif_profile rec;
		if (!fixed && dif_obj_profile(buf, len, &rec) == 0)
			*pprofile = profile = rec;
		if (is_object)
			*is_object = 1;
		DIF_OPTS(dif_obj_opts, oo, .profile = profile,
		         .max_module = max_module);
		rc = dif_obj_read(buf, len, &oo, out, errs);
	} else if (memchr(buf, '\0', len)) {
		/* binary data is no listing: say so instead of skipping it as
		 * text outside programs */
		push(errs, DIF_E_SYNTAX,
		     "%s: not a listing: NUL byte at offset %zu (and not a difvm "
		     "object, DOF or a HyperTrace program)",
		     name, (size_t)((char *)memchr(buf, '\0', len) - buf));
		rc = DIF_E_SYNTAX;
	} else {
		DIF_OPTS(dif_asm_opts, ao, .profile = profile, .filename = name,
		         .max_module = max_module);
		rc = dif_asm(buf, len, &ao, out, errs);
		if (rc == 0 && dif_module_count(*out) == 0) {
			/* text outside programs is skipped (docs/assembly.md), so
			 * a file with no program at all would pass unnoticed */
			push(errs, DIF_E_SYNTAX,
			     "%s: no program found (no .difo directive, DIFO header "
			     "or instruction)", name);
			dif_module_free(*out);
			*out = NULL;
			rc = DIF_E_SYNTAX;
		}
	}
	free(buf);
	return rc;
}

int toolio_load_dof(const char *path, enum dif_profile profile,
                    struct dif_dof **out, struct dif_errors *errs)
{
	if (!path || !out)
		return DIF_E_INVAL;
	*out = NULL;
	size_t len = 0;
	int rc = 0;
	char *buf = slurp(path, &len, errs, &rc);
	if (!buf)
		return rc;
	if (!dif_dof_detect(buf, len)) {
		push(errs, DIF_E_OBJ_FORMAT,
		     "not DOF (neither a DOF blob nor an ELF file with a "
		     ".SUNW_dof section)");
		free(buf);
		return DIF_E_OBJ_FORMAT;
	}
	DIF_OPTS(dif_dof_opts, dopts, .profile = profile,
		         .max_module = max_module);
	rc = dif_dof_read(buf, len, &dopts, out, errs);
	free(buf);
	return rc;
}

static int write_bytes(const char *path, void *bytes, size_t len,
                       struct dif_errors *errs);

int toolio_write_object(const char *path, const struct dif_module *mod,
                        enum dif_profile profile, struct dif_errors *errs)
{
	void *bytes = NULL;
	size_t len = 0;
	DIF_OPTS(dif_obj_opts, oo, .profile = profile);
	int rc = dif_obj_write(mod, &oo, &bytes, &len, errs);
	if (rc)
		return rc;
	return write_bytes(path, bytes, len, errs);
}

int toolio_write_dof(const char *path, const struct dif_module *mod,
                     enum dif_profile profile, struct dif_errors *errs)
{
	void *bytes = NULL;
	size_t len = 0;
	DIF_OPTS(dif_dof_opts, dopts, .profile = profile);
	int rc = dif_dof_write(mod, &dopts, &bytes, &len, errs);
	if (rc)
		return rc;
	return write_bytes(path, bytes, len, errs);
}

/* Writes and frees bytes. */
static int write_bytes(const char *path, void *bytes, size_t len,
                       struct dif_errors *errs)
{
	int is_stdout = strcmp(path, "-") == 0;
	FILE *f = is_stdout ? stdout : fopen(path, "wb");
	if (!f) {
		push(errs, DIF_E_IO, "%s: cannot create: %s", path,
		                strerror(errno));
		free(bytes);
		return DIF_E_IO;
	}
	size_t w = fwrite(bytes, 1, len, f);
	int bad = w != len;
	bad |= is_stdout ? fflush(f) != 0 : fclose(f) != 0;
	free(bytes);
	if (bad) {
		push(errs, DIF_E_IO, "%s: write error: %s", path,
		                strerror(errno));
		return DIF_E_IO;
	}
	return 0;
}

void toolio_print_errors(FILE *out, const char *file,
                         const struct dif_errors *errs)
{
	if (!errs)
		return;
	if (!file || strcmp(file, "-") == 0)
		file = "<stdin>";
	for (uint32_t i = 0; i < errs->count && i < DIF_ERRORS_MAX; i++) {
		const struct dif_error *e = &errs->list[i];
		toolio_put_escaped(out, file);
		if (e->line) {
			fprintf(out, ":%u:%u: error: ", e->line, e->col);
			toolio_put_escaped(out, e->msg);
		} else if (e->pc != DIF_NO_PC) {
			fputc(':', out);
			toolio_put_escaped(out, e->object[0] ? e->object : "difo");
			fprintf(out, ":%u: error: %s: ", e->pc, dif_err_name(e->code));
			toolio_put_escaped(out, e->insn);
			fputs("  (", out);
			toolio_put_escaped(out, e->msg);
			fputc(')', out);
		} else {
			/* I/O messages name the file themselves */
			const char *m = e->msg;
			size_t fl = strlen(file);
			if (strncmp(m, file, fl) == 0 && strncmp(m + fl, ": ", 2) == 0)
				m += fl + 2;
			fputs(": error: ", out);
			toolio_put_escaped(out, m);
		}
		fputc('\n', out);
	}
	if (errs->dropped)
		fprintf(out, "... %u more errors\n", errs->dropped);
}

int toolio_xdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int toolio_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !out)
		return -1;
	int neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		int x = toolio_xdigit((unsigned char)*s);
		if (x < 0 || (unsigned)x >= base)
			return -1;
		unsigned d = (unsigned)x;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	/* A negative value must fit in int64_t. */
	if (neg && v > (uint64_t)INT64_MAX + 1u)
		return -1;
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

int toolio_opt_profile(const char *tool, const char *arg,
                       enum dif_profile *out)
{
	if (dif_profile_parse(arg, out) == 0)
		return 0;
	fprintf(stderr, "%s: unknown profile '%s' (freebsd or illumos)\n", tool,
	        arg);
	return -1;
}

int toolio_opt_ids(const char *tool, const char *arg,
                   enum dif_varid_style *out)
{
	if (strcmp(arg, "hex") == 0)
		*out = DIF_VARID_HEX;
	else if (strcmp(arg, "dec") == 0)
		*out = DIF_VARID_DEC;
	else {
		fprintf(stderr, "%s: --ids takes hex or dec\n", tool);
		return -1;
	}
	return 0;
}

void toolio_put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (*p == '\\')
			fputs("\\\\", f);
		else
			fputc(*p, f);
	}
}

int toolio_opt_limit(const char *tool, int ch, const char *arg)
{
	if (ch != TOOLIO_O_MAX_INPUT && ch != TOOLIO_O_MAX_MODULE)
		return 0;
	uint64_t v;
	if (toolio_parse_u64(arg, &v) || v == 0 || v > ((uint64_t)SIZE_MAX >> 1)) {
		fprintf(stderr, "%s: bad --%s '", tool,
		        ch == TOOLIO_O_MAX_INPUT ? "max-input" : "max-module");
		toolio_put_escaped(stderr, arg);
		fputs("' (want a byte count > 0)\n", stderr);
		return -1;
	}
	if (ch == TOOLIO_O_MAX_INPUT)
		max_input = v;
	else
		max_module = v;
	return 1;
}

int toolio_load_status(int rc, int bad)
{
	return rc == DIF_E_IO || rc == DIF_E_NOTFOUND || rc == DIF_E_NOMEM ||
	               rc == DIF_E_INVAL
	           ? 2
	           : bad;
}

int toolio_finish(const char *tool, int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", tool,
		        strerror(errno ? errno : EIO));
		return 2;
	}
	return status;
}
