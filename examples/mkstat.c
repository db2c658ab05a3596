/* Prints a struct stat laid out by the C compiler, as hex for difrun --mem
 * (README, "Type relocations"): st_size 12345, st_mode 0100640, st_nlink 3. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(void)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_size = 12345;
	st.st_mode = 0100640;
	st.st_nlink = 3;
	const unsigned char *p = (const unsigned char *)&st;
	for (size_t i = 0; i < sizeof(st); i++)
		printf("%02x", p[i]);
	printf("\n");
	return 0;
}
