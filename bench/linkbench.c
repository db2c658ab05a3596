/*
 * The link-time benchmark: a module with N type relocations against one
 * BTF file (normally /sys/kernel/btf/vmlinux), timed from opening the
 * type file to the relocated module, as a tracer would do at start-up.
 * Half the relocations are CO-RE records (@offsetof, @membersize,
 * @exists, @sizeof, typed loads), half HyperTrace opcodes (typecast,
 * usetx, uload), spread over the members of struct task_struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difvm/difvm.h"
#include "difvm/reloc.h"
#include "linkbench.h"

static const char *const members[] = {
	"pid", "tgid", "comm", "flags", "prio", "static_prio", "normal_prio",
	"rt_priority", "exit_state", "exit_code", "exit_signal", "pdeath_signal",
	"personality", "utime", "stime", "gtime", "nvcsw", "nivcsw",
	"start_time", "min_flt", "maj_flt", "real_parent", "parent",
	"group_leader", "mm", "active_mm", "cred", "real_cred", "fs", "files",
	"nsproxy", "signal", "sighand", "stack", "ptrace", "policy",
	"__state", "on_cpu", "wake_cpu", "recent_used_cpu", "nr_cpus_allowed",
	"usage", "sessionid", "loginuid", "numa_scan_seq", "nr_dirtied",
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* Loadable (integer or pointer) members for the typed loads. */
static const char *const scalars[] = {
	"pid", "tgid", "flags", "prio", "static_prio", "exit_code", "utime",
	"stime", "nvcsw", "real_parent", "mm", "cred", "files", "policy",
};
#define NSCALARS (sizeof(scalars) / sizeof(scalars[0]))

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The source of one DIFO with about nrel relocations. */
static char *make_source(unsigned nrel)
{
	size_t cap = (size_t)nrel * 128 + 256, n = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	n += (size_t)snprintf(s + n, cap - n, ".difo bench\n\tldgs arg0, %%r1\n");
	unsigned done = 0, i = 0;
	while (done < nrel) {
		const char *m = members[i % NMEMBERS];
		const char *sc = scalars[i % NSCALARS];
		switch (i % 6) {
		case 0:
			n += (size_t)snprintf(s + n, cap - n,
			                      "\tsetx @offsetof(struct task_struct, %s), %%r2\n", m);
			done += 1;
			break;
		case 1:
			n += (size_t)snprintf(s + n, cap - n,
			                      "\tsetx @exists(struct task_struct, %s), %%r2\n", m);
			done += 1;
			break;
		case 2:
			n += (size_t)snprintf(s + n, cap - n,
			                      "\tuload @(struct task_struct, %s) [%%r1], %%r3\n",
			                      sc);
			done += 1;
			break;
		case 3:
			n += (size_t)snprintf(s + n, cap - n,
			                      "\tsetx @sizeof(struct task_struct), %%r2\n");
			done += 1;
			break;
		default:
			/* HyperTrace form: three relocations */
			n += (size_t)snprintf(s + n, cap - n,
			                      "\ttypecast \"struct task_struct *\", %%r1\n"
			                      "\tusetx \"%s\", %%r2\n"
			                      "\tadd %%r1, %%r2, %%r4\n"
			                      "\tuload [%%r4], %%r5\n", sc);
			done += 3;
			break;
		}
		i++;
	}
	snprintf(s + n, cap - n, "\tret %%r3\n");
	return s;
}

int linkbench(const char *btf, unsigned nrel, unsigned batches, int json)
{
	char *src = make_source(nrel);
	struct dif_module *mod = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	if (!src || dif_asm(src, strlen(src), NULL, &mod, &e)) {
		fprintf(stderr, "difbench: cannot build the link benchmark: %s\n",
		        e.count ? e.list[0].msg : "out of memory");
		free(src);
		return 1;
	}
	free(src);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(mod, 0), &p);
	unsigned sites = 0;
	for (uint32_t pc = 0; pc < p.textlen; pc++) {
		unsigned op = p.text[pc] >> 24;
		sites += (op >= 81 && op <= 84) || dif_difo_reloc_at(dif_module_get(mod, 0), pc);
	}
	double *load = calloc(batches, sizeof(double));
	double *rel = calloc(batches, sizeof(double));
	int rc = 0;
	for (unsigned b = 0; b < batches && load && rel; b++) {
		double t0 = now_ns();
		struct dif_types *t = dif_types_new();
		dif_errors_clear(&e);
		if (!t || dif_types_load(t, DIF_TYPES_BTF, btf, &e)) {
			fprintf(stderr, "difbench: %s\n", e.count ? e.list[0].msg : btf);
			dif_types_free(t);
			rc = 1;
			break;
		}
		double t1 = now_ns();
		struct dif_module *out = NULL;
		/* members a kernel lacks are poisoned, not fatal */
		DIF_OPTS(dif_reloc_opts, o, .flags = DIF_RELOC_F_POISON,
		         .object = "bench");
		dif_errors_clear(&e);
		if (dif_relocate(mod, t, &o, &out, &e)) {
			fprintf(stderr, "difbench: link failed: %s\n",
			        e.count ? e.list[0].msg : "?");
			dif_types_free(t);
			rc = 1;
			break;
		}
		double t2 = now_ns();
		load[b] = (t1 - t0) / 1e6;
		rel[b] = (t2 - t1) / 1e6;
		dif_module_free(out);
		dif_types_free(t);
	}
	if (!rc && load && rel) {
		double *tot = calloc(batches, sizeof(double));
		for (unsigned b = 0; tot && b < batches; b++)
			tot[b] = load[b] + rel[b];
		qsort(load, batches, sizeof(double), cmp_d);
		qsort(rel, batches, sizeof(double), cmp_d);
		if (tot)
			qsort(tot, batches, sizeof(double), cmp_d);
		double ml = load[batches / 2], mr = rel[batches / 2];
		double mt = tot ? tot[batches / 2] : ml + mr, bt = tot ? tot[0] : 0;
		if (json)
			printf("{\"link\": {\"types\": \"%s\", \"relocations\": %u, "
			       "\"batches\": %u, \"load_ms\": %.3f, \"relocate_ms\": %.3f, "
			       "\"total_ms\": %.3f, \"best_total_ms\": %.3f}}\n", btf, sites,
			       batches, ml, mr, mt, bt);
		else
			printf("link %u relocations against %s (%u runs, median)\n"
			       "  BTF load   %8.3f ms\n  relocate   %8.3f ms  (%.2f us per "
			       "relocation)\n  total      %8.3f ms  (best %.3f ms)\n",
			       sites, btf, batches, ml, mr, mr * 1000.0 / sites, mt, bt);
		free(tot);
	}
	free(load);
	free(rel);
	dif_module_free(mod);
	return rc;
}
