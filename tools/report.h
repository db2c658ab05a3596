/*
 * Findings about DIF programs and their renderings (difcheck's report).
 *
 * An analysis pass (the structural validator today; control-flow and type
 * checks later) turns what it finds into findings: severity, analysis
 * name, rule, DIFO, position (pc or variable-table row), instruction text,
 * message. A report holds the findings of one input file grouped by DIFO;
 * a DIFO is accepted when no finding about it is an error.
 *
 * Analyses in the libraries keep reporting through struct dif_errors (the
 * project's error values); rpt_add_errors() is the adapter.
 */
#ifndef DIFVM_TOOLS_REPORT_H
#define DIFVM_TOOLS_REPORT_H

#include <stdio.h>

#include "difvm/difvm.h"

enum rpt_severity { RPT_ERROR = 0, RPT_WARNING = 1, RPT_NOTE = 2 };
const char *rpt_severity_name(enum rpt_severity s); /* "error" ... */

#define RPT_NO_VAR (-1)
#define RPT_SLICE_MAX 16

/* How a finding explains itself (verifier findings): the failed fact, the
 * causal path (defining instructions and branch conditions) and a fix. */
struct rpt_detail {
	char category[32];
	char title[64];
	char reason[192];
	char suggestion[160];
	uint32_t nslice;
	uint32_t slice[RPT_SLICE_MAX];          /* pcs, ascending */
	char slice_insn[RPT_SLICE_MAX][64];     /* their instructions */
};

struct rpt_finding {
	enum rpt_severity severity;
	const char *analysis; /* static string: "validate", "cfg", ... */
	char rule[48];        /* stable rule name, e.g. "r0-write" */
	uint32_t pc;          /* instruction index or DIF_NO_PC */
	int32_t var;          /* variable-table row or RPT_NO_VAR */
	char insn[64];        /* instruction text as difdis prints it, or "" */
	char msg[256];
	struct rpt_detail *detail; /* NULL, or owned by the report */
};

struct rpt_difo {
	char name[64];
	struct rpt_finding *list;
	size_t count, cap;
	uint32_t dropped;    /* findings an analysis had no room to report */
	unsigned nsev[3];    /* findings per severity */
};

struct rpt_file {
	char *file;                 /* as named on the command line */
	const char *profile;        /* checked under; NULL: the run's */
	int load_rc;                /* 0, or why the file could not be read */
	struct dif_errors load_errs;
	struct rpt_difo *difos;
	size_t count, cap;
	struct dif_hmap *index; /* DIFO name -> entry (difvm/hash.h) */
};

/* Totals over files (or one file). */
struct rpt_summary {
	unsigned files, load_failures;
	unsigned difos, accepted, rejected;
	unsigned nsev[3];
	unsigned dropped;
};

/* 0 or DIF_E_NOMEM. */
int rpt_file_init(struct rpt_file *f, const char *file);
void rpt_file_fini(struct rpt_file *f);

/* The DIFO entry called name, added at the end if new; NULL on OOM.
 * Adding an entry may move the others: do not keep pointers across calls. */
struct rpt_difo *rpt_difo(struct rpt_file *f, const char *name);

/* Adds one finding; pc may be DIF_NO_PC, var RPT_NO_VAR, insn NULL.
 * Returns 0 or DIF_E_NOMEM. */
int rpt_add(struct rpt_difo *d, enum rpt_severity sev, const char *analysis,
            const char *rule, uint32_t pc, int32_t var, const char *insn,
            const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* rpt_add with an explanation (copied). */
int rpt_add_detail(struct rpt_difo *d, enum rpt_severity sev,
                   const char *analysis, const char *rule, uint32_t pc,
                   const char *insn, const struct rpt_detail *det,
                   const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Adds every diagnostic of errs as a finding of `analysis`, filed under
 * the DIFO it names (difo_default when it names none). The rule is the
 * error code's stable name; an insn of the form "vartab[N]" becomes the
 * variable position N. Dropped diagnostics are counted on difo_default.
 * Returns 0 or DIF_E_NOMEM. */
int rpt_add_errors(struct rpt_file *f, const char *analysis,
                   enum rpt_severity sev, const char *difo_default,
                   const struct dif_errors *errs);

/* No error findings and nothing dropped. */
int rpt_accepted(const struct rpt_difo *d);

/* Adds f's totals to s (zero s first). */
void rpt_summarize(const struct rpt_file *f, struct rpt_summary *s);

/* One line per finding:
 *   FILE:DIFO:PC: error: RULE: INSN  (MESSAGE)
 * followed, for explained findings, by indented lines (category, reason,
 * at, path, suggestion);
 *   FILE:DIFO:vartab[N]: error: RULE: MESSAGE
 *   FILE:DIFO: error: RULE: MESSAGE
 * then "FILE:DIFO: error: N more findings not shown" when some dropped. */
void rpt_print_text(FILE *out, const struct rpt_file *f);

/* The whole JSON document for n files (schema difcheck/2 in
 * docs/validator.md and docs/verifier.md). */
void rpt_print_json(FILE *out, const struct rpt_file *files, size_t n,
                    const char *profile, unsigned nregs);

/* The same findings as one SARIF 2.1.0 log (one run, tool difcheck). */
void rpt_print_sarif(FILE *out, const struct rpt_file *files, size_t n,
                     const char *version);

/* s as a JSON string literal (quoted, escaped; NULL prints ""). */
void rpt_json_string(FILE *out, const char *s);

#endif
