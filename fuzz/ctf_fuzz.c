/* libFuzzer harness for CTF type files: the strict check (ctfcheck.c) must
 * stop every input libctf cannot read safely. The input goes to a memory
 * file, loaded the way difld --ctf loads a path; an accepted file answers
 * queries. Seeds: objects from gcc -gctf -c and archives from ld -r. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "difvm/reloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("ctf", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct dif_types *t = dif_types_new();
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (t && dif_types_load(t, DIF_TYPES_CTF, path, &errs) == 0) {
		static const char *const types[] = { "struct stat", "struct cf",
		                                     "struct tm", "int", "enum E" };
		static const char *const paths[] = { "st_size", "x", "tm_year",
		                                     "st_atim.tv_sec", "A" };
		for (unsigned k = 1; k < DIF_RELOC_POISON; k++)
			for (size_t i = 0; i < 5; i++) {
				uint64_t v;
				dif_types_resolve(t, k, types[i],
				                  k == DIF_RELOC_SIZEOF ? NULL : paths[i], 0, &v,
				                  NULL);
			}
	} else if (errs.count == 0 || !errs.list[0].msg[0]) {
		abort();
	}
	dif_types_free(t);
	close(fd);
	return 0;
}
