/* Findings and their text and JSON renderings (see report.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "toolio.h"
#include "difvm/hash.h"

static const char *const sev_names[] = { "error", "warning", "note" };

const char *rpt_severity_name(enum rpt_severity s)
{
	return (unsigned)s < 3 ? sev_names[s] : "error";
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int rpt_file_init(struct rpt_file *f, const char *file)
{
	memset(f, 0, sizeof(*f));
	f->file = strdup(file ? file : "-");
	return f->file ? 0 : DIF_E_NOMEM;
}

void rpt_file_fini(struct rpt_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++) {
		for (size_t k = 0; k < f->difos[i].count; k++)
			free(f->difos[i].list[k].detail);
		free(f->difos[i].list);
	}
	free(f->difos);
	free(f->file);
	if (f->index)
		dif_hm_free(f->index);
	free(f->index);
	memset(f, 0, sizeof(*f));
}

struct rpt_difo *rpt_difo(struct rpt_file *f, const char *name)
{
	if (!name || !name[0])
		name = "difo";
	/* Entries are found by their stored (possibly cut) name. */
	size_t nl = strnlen(name, sizeof(f->difos[0].name) - 1);
	if (!f->index && !(f->index = calloc(1, sizeof(*f->index))))
		return NULL;
	uint64_t *hit = dif_hm_get(f->index, name, nl);
	if (hit)
		return &f->difos[*hit];
	if (f->count >= UINT32_MAX || dif_hm_put(f->index, name, nl,
	                                         (uint32_t)f->count))
		return NULL;
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct rpt_difo *n = realloc(f->difos, cap * sizeof(*n));
		if (!n)
			return NULL;
		f->difos = n;
		f->cap = cap;
	}
	struct rpt_difo *d = &f->difos[f->count++];
	memset(d, 0, sizeof(*d));
	copy_str(d->name, sizeof(d->name), name);
	return d;
}

int rpt_add(struct rpt_difo *d, enum rpt_severity sev, const char *analysis,
            const char *rule, uint32_t pc, int32_t var, const char *insn,
            const char *fmt, ...)
{
	if ((unsigned)sev > RPT_NOTE)
		sev = RPT_ERROR;
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct rpt_finding *n = realloc(d->list, cap * sizeof(*n));
		if (!n) {
			d->dropped++;
			return DIF_E_NOMEM;
		}
		d->list = n;
		d->cap = cap;
	}
	struct rpt_finding *x = &d->list[d->count++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->analysis = analysis ? analysis : "?";
	copy_str(x->rule, sizeof(x->rule), rule);
	x->pc = pc;
	x->var = var;
	copy_str(x->insn, sizeof(x->insn), insn);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	d->nsev[sev]++;
	return 0;
}

int rpt_add_detail(struct rpt_difo *d, enum rpt_severity sev,
                   const char *analysis, const char *rule, uint32_t pc,
                   const char *insn, const struct rpt_detail *det,
                   const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct rpt_detail *copy = NULL;
	if (det) {
		copy = malloc(sizeof(*copy));
		if (!copy) {
			d->dropped++;
			return DIF_E_NOMEM;
		}
		*copy = *det;
	}
	int rc = rpt_add(d, sev, analysis, rule, pc, RPT_NO_VAR, insn, "%s", msg);
	if (rc) {
		free(copy);
		return rc;
	}
	d->list[d->count - 1].detail = copy;
	return 0;
}

/* "vartab[N]" -> N, else RPT_NO_VAR. */
static int32_t var_of(const char *insn)
{
	if (strncmp(insn, "vartab[", 7) != 0)
		return RPT_NO_VAR;
	char *end;
	unsigned long n = strtoul(insn + 7, &end, 10);
	if (end == insn + 7 || *end != ']' || end[1] != '\0' || n > INT32_MAX)
		return RPT_NO_VAR;
	return (int32_t)n;
}

int rpt_add_errors(struct rpt_file *f, const char *analysis,
                   enum rpt_severity sev, const char *difo_default,
                   const struct dif_errors *errs)
{
	if (!errs)
		return 0;
	for (uint32_t i = 0; i < errs->count && i < DIF_ERRORS_MAX; i++) {
		const struct dif_error *e = &errs->list[i];
		struct rpt_difo *d = rpt_difo(f, e->object[0] ? e->object : difo_default);
		if (!d)
			return DIF_E_NOMEM;
		int32_t var = var_of(e->insn);
		int rc = rpt_add(d, sev, analysis, dif_err_name(e->code), e->pc, var,
		                 var == RPT_NO_VAR ? e->insn : "", "%s", e->msg);
		if (rc)
			return rc;
	}
	if (errs->dropped) {
		struct rpt_difo *d = rpt_difo(f, difo_default);
		if (!d)
			return DIF_E_NOMEM;
		d->dropped += errs->dropped;
	}
	return 0;
}

int rpt_accepted(const struct rpt_difo *d)
{
	return d->nsev[RPT_ERROR] == 0 && d->dropped == 0;
}

void rpt_summarize(const struct rpt_file *f, struct rpt_summary *s)
{
	s->files++;
	if (f->load_rc)
		s->load_failures++;
	for (size_t i = 0; i < f->count; i++) {
		const struct rpt_difo *d = &f->difos[i];
		s->difos++;
		if (rpt_accepted(d))
			s->accepted++;
		else
			s->rejected++;
		for (int k = 0; k < 3; k++)
			s->nsev[k] += d->nsev[k];
		s->dropped += d->dropped;
	}
}

static const char *shown_name(const char *file)
{
	return !file || strcmp(file, "-") == 0 ? "<stdin>" : file;
}

/* Prints the text fields with control bytes escaped (names and messages
 * may carry bytes of the input). */
static void put_fields(FILE *out, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		toolio_put_escaped(out, v[i]);
	fputc('\n', out);
}

#define PUT_FIELDS(out, ...)                                              \
	put_fields(out, (const char *const[]){ __VA_ARGS__ },                 \
	           sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

static void print_detail(FILE *out, const struct rpt_finding *x)
{
	const struct rpt_detail *e = x->detail;
	char pc[16];
	PUT_FIELDS(out, "    category: ", e->category);
	if (e->reason[0])
		PUT_FIELDS(out, "    reason: ", e->reason);
	if (x->pc != DIF_NO_PC && x->insn[0]) {
		snprintf(pc, sizeof(pc), "%u", x->pc);
		PUT_FIELDS(out, "    at: ", pc, ": ", x->insn);
	}
	for (uint32_t i = 0; i < e->nslice && i < RPT_SLICE_MAX; i++) {
		snprintf(pc, sizeof(pc), "%u", e->slice[i]);
		PUT_FIELDS(out, i ? "          " : "    path: ", pc, ": ",
		           e->slice_insn[i]);
	}
	if (e->suggestion[0])
		PUT_FIELDS(out, "    suggestion: ", e->suggestion);
}

void rpt_print_text(FILE *out, const struct rpt_file *f)
{
	const char *file = shown_name(f->file);
	char pc[16], row[32], more[48];
	for (size_t i = 0; i < f->count; i++) {
		const struct rpt_difo *d = &f->difos[i];
		for (size_t k = 0; k < d->count; k++) {
			const struct rpt_finding *x = &d->list[k];
			const char *sev = rpt_severity_name(x->severity);
			snprintf(pc, sizeof(pc), "%u", x->pc);
			snprintf(row, sizeof(row), "vartab[%d]", (int)x->var);
			if (x->pc != DIF_NO_PC && x->insn[0])
				PUT_FIELDS(out, file, ":", d->name, ":",
				           pc, ": ", sev, ": ", x->rule, ": ", x->insn, "  (",
				           x->msg, ")");
			else if (x->pc != DIF_NO_PC)
				PUT_FIELDS(out, file, ":", d->name, ":",
				           pc, ": ", sev, ": ", x->rule, ": ", x->msg);
			else if (x->var != RPT_NO_VAR)
				PUT_FIELDS(out, file, ":", d->name, ":",
				           row, ": ", sev, ": ", x->rule, ": ", x->msg);
			else
				PUT_FIELDS(out, file, ":", d->name, ": ",
				           sev, ": ", x->rule, ": ", x->msg);
			if (x->detail)
				print_detail(out, x);
		}
		if (d->dropped) {
			snprintf(more, sizeof(more), ": note: %u more findings not reported",
			         d->dropped);
			PUT_FIELDS(out, file, ":", d->name, more);
		}
	}
}

/* ---------------------------------------------------------------------
 * JSON
 */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			/* Control bytes and non-ASCII (names may be any bytes) are
			 * escaped so the document stays valid UTF-8. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_summary(FILE *out, const struct rpt_summary *s, int top)
{
	fputs("{", out);
	if (top)
		fprintf(out, "\"files\": %u, \"load_failures\": %u, ", s->files,
		        s->load_failures);
	fprintf(out,
	        "\"difos\": %u, \"accepted\": %u, \"rejected\": %u, "
	        "\"errors\": %u, \"warnings\": %u, \"notes\": %u, \"dropped\": %u}",
	        s->difos, s->accepted, s->rejected, s->nsev[RPT_ERROR],
	        s->nsev[RPT_WARNING], s->nsev[RPT_NOTE], s->dropped);
}

static void json_finding(FILE *out, const struct rpt_difo *d,
                         const struct rpt_finding *x)
{
	fputs("{\"severity\": ", out);
	json_str(out, rpt_severity_name(x->severity));
	fputs(", \"analysis\": ", out);
	json_str(out, x->analysis);
	fputs(", \"rule\": ", out);
	json_str(out, x->rule);
	fputs(", \"difo\": ", out);
	json_str(out, d->name);
	if (x->pc != DIF_NO_PC)
		fprintf(out, ", \"pc\": %u", x->pc);
	else
		fputs(", \"pc\": null", out);
	if (x->var != RPT_NO_VAR)
		fprintf(out, ", \"var\": %d", (int)x->var);
	else
		fputs(", \"var\": null", out);
	fputs(", \"insn\": ", out);
	json_str(out, x->insn);
	fputs(", \"message\": ", out);
	json_str(out, x->msg);
	const struct rpt_detail *e = x->detail;
	fputs(", \"category\": ", out);
	if (e)
		json_str(out, e->category);
	else
		fputs("null", out);
	fputs(", \"reason\": ", out);
	if (e)
		json_str(out, e->reason);
	else
		fputs("null", out);
	fputs(", \"slice\": [", out);
	for (uint32_t i = 0; e && i < e->nslice && i < RPT_SLICE_MAX; i++)
		fprintf(out, "%s%u", i ? ", " : "", e->slice[i]);
	fputs("], \"path\": [", out);
	for (uint32_t i = 0; e && i < e->nslice && i < RPT_SLICE_MAX; i++) {
		fprintf(out, "%s{\"pc\": %u, \"insn\": ", i ? ", " : "", e->slice[i]);
		json_str(out, e->slice_insn[i]);
		fputs("}", out);
	}
	fputs("], \"suggestion\": ", out);
	if (e && e->suggestion[0])
		json_str(out, e->suggestion);
	else
		fputs("null", out);
	fputs("}", out);
}

static void json_file(FILE *out, const struct rpt_file *f)
{
	fputs("    {\n      \"file\": ", out);
	json_str(out, shown_name(f->file));
	if (f->profile) {
		fputs(",\n      \"profile\": ", out);
		json_str(out, f->profile);
	}
	fprintf(out, ",\n      \"loaded\": %s,\n      \"load_errors\": [",
	        f->load_rc ? "false" : "true");
	for (uint32_t i = 0; i < f->load_errs.count && i < DIF_ERRORS_MAX; i++) {
		const struct dif_error *e = &f->load_errs.list[i];
		fputs(i ? ",\n        " : "\n        ", out);
		fputs("{\"rule\": ", out);
		json_str(out, dif_err_name(e->code));
		fprintf(out, ", \"line\": %u, \"col\": %u, \"message\": ", e->line, e->col);
		json_str(out, e->msg);
		fputs("}", out);
	}
	fputs(f->load_errs.count ? "\n      ],\n" : "],\n", out);
	fputs("      \"difos\": [", out);
	for (size_t i = 0; i < f->count; i++) {
		const struct rpt_difo *d = &f->difos[i];
		fputs(i ? ",\n        " : "\n        ", out);
		fputs("{\"name\": ", out);
		json_str(out, d->name);
		fprintf(out, ", \"accepted\": %s, \"dropped\": %u, \"findings\": [",
		        rpt_accepted(d) ? "true" : "false", d->dropped);
		for (size_t k = 0; k < d->count; k++) {
			fputs(k ? ",\n          " : "\n          ", out);
			json_finding(out, d, &d->list[k]);
		}
		fputs(d->count ? "\n        ]}" : "]}", out);
	}
	fputs(f->count ? "\n      ],\n" : "],\n", out);
	struct rpt_summary s = { 0 };
	rpt_summarize(f, &s);
	fputs("      \"summary\": ", out);
	json_summary(out, &s, 0);
	fputs("\n    }", out);
}

void rpt_print_json(FILE *out, const struct rpt_file *files, size_t n,
                    const char *profile, unsigned nregs)
{
	fputs("{\n  \"schema\": \"difcheck/2\",\n  \"profile\": ", out);
	json_str(out, profile);
	fprintf(out, ",\n  \"nregs\": %u,\n  \"files\": [", nregs);
	struct rpt_summary s = { 0 };
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_file(out, &files[i]);
		rpt_summarize(&files[i], &s);
	}
	fputs(n ? "\n  ],\n" : "],\n", out);
	fputs("  \"summary\": ", out);
	json_summary(out, &s, 1);
	fputs("\n}\n", out);
}

/* ---------------------------------------------------------------------
 * SARIF 2.1.0
 */
static const char *sarif_level(enum rpt_severity s)
{
	return s == RPT_ERROR ? "error" : s == RPT_WARNING ? "warning" : "note";
}

/* Rule ids in order of first appearance (linear: reports name few). */
struct sarif_rules {
	const char *id[128];
	const struct rpt_finding *first[128];
	size_t n;
};

static size_t sarif_rule_index(struct sarif_rules *r, const struct rpt_finding *x)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->id[i], x->rule) == 0)
			return i;
	if (r->n == 128)
		return 127;
	r->id[r->n] = x->rule;
	r->first[r->n] = x;
	return r->n++;
}

static void sarif_location(FILE *out, const char *file, const char *difo,
                           uint32_t pc, const char *insn)
{
	fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
	json_str(out, file);
	fputs("}}, \"logicalLocations\": [{\"kind\": \"function\", \"name\": ", out);
	json_str(out, difo);
	char fq[128];
	if (pc != DIF_NO_PC)
		snprintf(fq, sizeof(fq), "%s:%u", difo, pc);
	else
		snprintf(fq, sizeof(fq), "%s", difo);
	fputs(", \"fullyQualifiedName\": ", out);
	json_str(out, fq);
	fputs("}]", out);
	if (insn && insn[0]) {
		fputs(", \"message\": {\"text\": ", out);
		char m[96];
		snprintf(m, sizeof(m), "%u: %s", pc, insn);
		json_str(out, m);
		fputs("}", out);
	}
	fputs("}", out);
}

void rpt_print_sarif(FILE *out, const struct rpt_file *files, size_t n,
                     const char *version)
{
	struct sarif_rules rules;
	rules.n = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < files[i].count; j++)
			for (size_t k = 0; k < files[i].difos[j].count; k++)
				sarif_rule_index(&rules, &files[i].difos[j].list[k]);
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
	      "    \"tool\": {\"driver\": {\"name\": \"difcheck\", \"version\": ",
	      out);
	json_str(out, version);
	fputs(", \"rules\": [", out);
	for (size_t i = 0; i < rules.n; i++) {
		const struct rpt_finding *x = rules.first[i];
		fputs(i ? ",\n      " : "\n      ", out);
		fputs("{\"id\": ", out);
		json_str(out, rules.id[i]);
		fputs(", \"shortDescription\": {\"text\": ", out);
		json_str(out, x->detail ? x->detail->title : x->rule);
		fputs("}, \"properties\": {\"analysis\": ", out);
		json_str(out, x->analysis);
		if (x->detail) {
			fputs(", \"category\": ", out);
			json_str(out, x->detail->category);
		}
		fputs("}}", out);
	}
	fputs(rules.n ? "\n    ]}},\n" : "]}},\n", out);
	fputs("    \"artifacts\": [", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		fputs("{\"location\": {\"uri\": ", out);
		json_str(out, shown_name(files[i].file));
		fputs("}}", out);
	}
	fputs("],\n    \"results\": [", out);
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		const struct rpt_file *f = &files[i];
		const char *file = shown_name(f->file);
		for (size_t j = 0; j < f->count; j++) {
			const struct rpt_difo *d = &f->difos[j];
			for (size_t k = 0; k < d->count; k++) {
				const struct rpt_finding *x = &d->list[k];
				const struct rpt_detail *e = x->detail;
				fputs(first ? "\n      " : ",\n      ", out);
				first = 0;
				fputs("{\"ruleId\": ", out);
				json_str(out, x->rule);
				fprintf(out, ", \"ruleIndex\": %zu, \"level\": \"%s\", ",
				        sarif_rule_index(&rules, x), sarif_level(x->severity));
				char m[512];
				if (e && e->reason[0])
					snprintf(m, sizeof(m), "%s: %s", x->msg, e->reason);
				else
					snprintf(m, sizeof(m), "%s", x->msg);
				fputs("\"message\": {\"text\": ", out);
				json_str(out, m);
				fputs("}, \"locations\": [", out);
				sarif_location(out, file, d->name, x->pc, x->insn);
				fputs("]", out);
				if (e && e->nslice) {
					fputs(", \"codeFlows\": [{\"threadFlows\": [{\"locations\": [", out);
					for (uint32_t s = 0; s < e->nslice && s < RPT_SLICE_MAX; s++) {
						fputs(s ? ", " : "", out);
						fputs("{\"location\": ", out);
						sarif_location(out, file, d->name, e->slice[s],
						               e->slice_insn[s]);
						fputs("}", out);
					}
					fputs("]}]}]", out);
				}
				fputs(", \"properties\": {\"analysis\": ", out);
				json_str(out, x->analysis);
				fputs(", \"difo\": ", out);
				json_str(out, d->name);
				if (x->pc != DIF_NO_PC)
					fprintf(out, ", \"pc\": %u", x->pc);
				if (e) {
					fputs(", \"category\": ", out);
					json_str(out, e->category);
					if (e->suggestion[0]) {
						fputs(", \"suggestion\": ", out);
						json_str(out, e->suggestion);
					}
				}
				fputs("}}", out);
			}
		}
	}
	fputs(first ? "]\n  }]\n}\n" : "\n    ]\n  }]\n}\n", out);
}

void rpt_json_string(FILE *out, const char *s)
{
	json_str(out, s);
}
