/*
 * Helpers shared by the verifier's Criterion suites: assemble a listing
 * into a module, find a finding by rule.
 */
#ifndef DIFVM_TESTS_TCTEST_H
#define DIFVM_TESTS_TCTEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/typecheck.h"

static inline struct dif_module *tc_assemble(const char *src,
                                             const char *name)
{
	struct dif_module *mod = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	DIF_OPTS(dif_asm_opts, ao, .filename = name);
	int rc = dif_asm(src, strlen(src), &ao, &mod, &errs);
	cr_assert_eq(rc, 0, "asm: %s", errs.count ? errs.list[0].msg : "?");
	return mod;
}

/* The first finding of rule, or NULL. */
static inline const struct dif_tc_finding *tc_find(const struct dif_tc *tc,
                                                   const char *rule)
{
	for (size_t i = 0; i < dif_tc_count(tc); i++)
		if (!strcmp(dif_tc_get(tc, i)->rule, rule))
			return dif_tc_get(tc, i);
	return NULL;
}

#endif
