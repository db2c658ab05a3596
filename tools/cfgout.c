/*
 * difcheck --cfg=dot|json (tools/cfgout.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cfgout.h"
#include "report.h"
#include "toolio.h"

int cfgout_parse(const char *s, enum cfgout_form *out)
{
	if (strcmp(s, "dot") == 0)
		*out = CFGOUT_DOT;
	else if (strcmp(s, "json") == 0)
		*out = CFGOUT_JSON;
	else
		return -1;
	return 0;
}

/* The instruction lines of the DIFO's listing, exactly as difdis prints
 * them: line[pc] points into *buf (NUL-terminated). NULL on OOM. */
static char **listing_lines(const struct dif_difo *d, enum dif_profile prof,
                            uint32_t n, char **buf)
{
	DIF_OPTS(dif_dis_opts, o, .profile = prof, .varid = DIF_VARID_SOURCE);
	char *text = dif_dis(d, &o);
	char **line = calloc(n ? n : 1, sizeof(char *));
	*buf = text;
	if (!text || !line) {
		free(line);
		return NULL;
	}
	uint32_t pc = 0;
	for (char *p = text; *p && pc < n;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		/* "NN: xxxxxxxx    text" with NN the pc */
		char *end;
		unsigned long k = strtoul(p, &end, 10);
		if (end != p && *end == ':' && k == pc)
			line[pc++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (pc != n) { /* cannot happen with dif_dis; be safe */
		free(line);
		return NULL;
	}
	return line;
}

static void dot_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void print_dot(FILE *out, const char *file, const struct dif_difo *d,
                      const struct dif_cfg *g, char **line)
{
	fputs("digraph \"", out);
	dot_str(out, file);
	fputc(':', out);
	dot_str(out, dif_difo_name(d));
	fputs("\" {\n\tnode [shape=box, fontname=\"monospace\"];\n", out);
	for (uint32_t b = 0; b < dif_cfg_nblocks(g); b++) {
		struct dif_block blk;
		dif_cfg_block(g, b, &blk);
		fprintf(out, "\tb%u [label=\"block %u", b, b);
		if (blk.idom != DIF_CFG_NONE)
			fprintf(out, " (idom %u)", blk.idom);
		if (!blk.reachable)
			fputs(" unreachable", out);
		fputs("\\l", out);
		for (uint32_t pc = blk.start; pc <= blk.end; pc++) {
			dot_str(out, line[pc]);
			fputs("\\l", out);
		}
		fputc('"', out);
		if (!blk.reachable)
			fputs(", style=dashed", out);
		fputs("];\n", out);
	}
	for (uint32_t b = 0; b < dif_cfg_nblocks(g); b++) {
		struct dif_block blk;
		dif_cfg_block(g, b, &blk);
		for (uint32_t i = 0; i < blk.nsucc; i++)
			fprintf(out, "\tb%u -> b%u [label=\"%s\"];\n", b, blk.succ[i].to,
			        dif_edge_kind_name(blk.succ[i].kind));
	}
	fputs("}\n", out);
}

static void print_json(FILE *out, const struct dif_difo *d,
                       const struct dif_cfg *g)
{
	fputs("{\"name\":", out);
	rpt_json_string(out, dif_difo_name(d));
	fputs(",\"blocks\":[", out);
	for (uint32_t b = 0; b < dif_cfg_nblocks(g); b++) {
		struct dif_block blk;
		dif_cfg_block(g, b, &blk);
		fprintf(out, "%s{\"id\":%u,\"start\":%u,\"end\":%u,\"succ\":[",
		        b ? "," : "", b, blk.start, blk.end);
		for (uint32_t i = 0; i < blk.nsucc; i++)
			fprintf(out, "%s{\"to\":%u,\"kind\":\"%s\"}", i ? "," : "",
			        blk.succ[i].to, dif_edge_kind_name(blk.succ[i].kind));
		if (blk.idom == DIF_CFG_NONE)
			fputs("],\"idom\":null}", out);
		else
			fprintf(out, "],\"idom\":%u}", blk.idom);
	}
	fputs("]}", out);
}

/* One file; returns its exit status. */
static int run_file(FILE *out, enum cfgout_form form, const char *path,
                    enum dif_profile profile, int profile_set, unsigned nregs,
                    int *first_file)
{
	struct dif_module *mod = NULL;
	struct dif_errors *errs = malloc(sizeof(*errs));
	if (!errs) {
		fputs("difcheck: out of memory\n", stderr);
		return 2;
	}
	dif_errors_clear(errs);
	int rc = toolio_load_as(path, &profile, profile_set, &mod, errs);
	if (rc) {
		toolio_print_errors(stderr, path, errs);
		if (errs->count == 0)
			fprintf(stderr, "%s: error: %s\n", path, dif_err_text(rc));
		dif_module_free(mod);
		free(errs);
		return 2;
	}
	const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int status = 0, nd = 0;
	if (form == CFGOUT_JSON) {
		fputs(*first_file ? "{\"file\":" : ",{\"file\":", out);
		*first_file = 0;
		rpt_json_string(out, shown);
		fputs(",\"difos\":[", out);
	}
	struct dif_cfg *g = NULL; /* one cfg, rebuilt for every DIFO */
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		DIF_OPTS(dif_cfg_opts, o, .profile = profile, .nregs = nregs,
		         .flags = DIF_CFG_NO_DEFUSE);
		dif_errors_clear(errs);
		rc = g ? dif_cfg_rebuild(g, d, &o, errs) : dif_cfg_build(d, &o, &g, errs);
		if (rc) {
			toolio_print_errors(stderr, path, errs);
			if (errs->count == 0)
				fprintf(stderr, "%s:%s: error: %s\n", shown, dif_difo_name(d),
				        dif_err_text(rc));
			status = rc == DIF_E_NOMEM ? 2 : status > 1 ? status : 1;
			continue;
		}
		if (form == CFGOUT_JSON) {
			if (nd++)
				fputc(',', out);
			print_json(out, d, g);
		} else {
			char *buf = NULL;
			char **line = listing_lines(d, profile, dif_cfg_ninsns(g), &buf);
			if (line)
				print_dot(out, shown, d, g, line);
			else {
				fputs("difcheck: out of memory\n", stderr);
				status = 2;
			}
			free(line);
			free(buf);
		}
	}
	dif_cfg_free(g);
	if (form == CFGOUT_JSON)
		fputs("]}", out);
	dif_module_free(mod);
	free(errs);
	return status;
}

int cfgout_run(FILE *out, enum cfgout_form form, char **files, size_t n,
               enum dif_profile profile, int profile_set, unsigned nregs)
{
	int status = 0, first = 1;
	if (form == CFGOUT_JSON)
		fputs("{\"schema\":\"difcfg/1\",\"files\":[", out);
	for (size_t i = 0; i < n; i++) {
		int st = run_file(out, form, files[i], profile, profile_set, nregs,
		                  &first);
		if (st > status)
			status = st;
	}
	if (form == CFGOUT_JSON)
		fputs("]}\n", out);
	return status;
}
