/* Walks tests/exec/data/ *.dift and runs every case (format in dift.h). */
#include <criterion/criterion.h>
#include <dirent.h>

#include "../common.h"
#include "dift.h"

Test(dift, every_data_file)
{
	const char *dir = test_src("tests/exec/data");
	char dirpath[4096];
	snprintf(dirpath, sizeof(dirpath), "%s", dir);
	DIR *d = opendir(dirpath);
	cr_assert_not_null(d, "cannot open %s", dirpath);
	struct dirent *e;
	int files = 0, cases = 0, fails = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".dift") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
		size_t len;
		char *text = test_slurp(path, &len);
		cr_assert_not_null(text, "cannot read %s", path);
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
