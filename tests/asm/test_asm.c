/* The assembler (filled in below). */
#include <criterion/criterion.h>

#include "difvm/difvm.h"

Test(asm, empty_input)
{
	struct dif_module *m = NULL;
	cr_assert_eq(dif_asm("", 0, NULL, &m, NULL), 0);
	cr_assert_eq(dif_module_count(m), 0);
	dif_module_free(m);
}
