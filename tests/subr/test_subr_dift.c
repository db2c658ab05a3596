/* Runs tests/subr/data/ *.dift through the interpreter (format in
 * tests/exec/dift.h). */
#include <criterion/criterion.h>
#include <dirent.h>

#include "../common.h"
#include "../exec/dift.h"

Test(subr_dift, every_data_file)
{
	DIR *d = opendir(test_src("tests/subr/data"));
	cr_assert_not_null(d, "cannot open tests/subr/data");
	struct dirent *e;
	int files = 0, cases = 0, fails = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".dift") != 0)
			continue;
		char rel[512];
		snprintf(rel, sizeof(rel), "tests/subr/data/%s", e->d_name);
		size_t len;
		char *text = test_slurp(test_src(rel), &len);
		cr_assert_not_null(text, "cannot read %s", rel);
		char *report = NULL;
		int nc = 0;
		int f = dift_run(e->d_name, text, &report, &nc);
		cr_expect_eq(f, 0, "%s", report ? report : "");
		fails += f;
		cases += nc;
		files++;
		free(report);
		free(text);
	}
	closedir(d);
	cr_log_info("%d .dift files, %d cases, %d failures", files, cases, fails);
	cr_expect_gt(cases, 0, "no .dift cases found");
}
