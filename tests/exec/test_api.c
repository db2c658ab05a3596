/* Embedding API: options, contexts, host callbacks, threads, robustness. */
#include <criterion/criterion.h>

#include "difvm/difvm.h"

Test(api, fault_names)
{
	cr_assert_str_eq(dif_fault_name(DIF_FAULT_DIVZERO), "DIVZERO");
	cr_assert_str_eq(dif_fault_text(DIF_FAULT_DIVZERO), "divide-by-zero");
}
