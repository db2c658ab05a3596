/*
 * inet_ntoa, inet_ntoa6 and inet_ntop text (dif-isa.md section 6). The
 * text is built from the end of a fixed area, as DTrace does, so the
 * result starts inside the area; the callers return that address.
 */
#include "subr_str.h"

/* Writes the decimal value of one byte backwards from *e. */
static void put_dec(char *out, size_t *e, unsigned v)
{
	if (v == 0) {
		out[--*e] = '0';
		return;
	}
	for (; v != 0 && *e > 0; v /= 10)
		out[--*e] = (char)('0' + v % 10);
}

static void put_quad(char *out, size_t *e, const uint8_t *a)
{
	for (int i = 3; i >= 0; i--) {
		put_dec(out, e, a[i]);
		if (i > 0)
			out[--*e] = '.';
	}
}

size_t dif_s_inet4(const uint8_t a[4], char out[DIF_INET4_SIZE])
{
	size_t e = DIF_INET4_SIZE - 1;
	out[e] = '\0';
	put_quad(out, &e, a);
	return e;
}

static bool all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

size_t dif_s_inet6(const uint8_t a[16], bool ntop, char out[DIF_INET6_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	int first = -1, trying = -1, nzero = 1, v6end = 14;
	size_t e = DIF_INET6_SIZE - 1;

	/*
	 * The "::" run, found byte by byte as DTrace does: a run starts on an
	 * even zero byte and is kept when it is longer than the best so far
	 * (so a single zero group qualifies, except as the last group).
	 */
	for (int i = 0; i < 16; i++) {
		if (a[i] == 0 && trying == -1 && i % 2 == 0) {
			trying = i;
			continue;
		}
		if (trying != -1 && (a[i] != 0 || i == 15)) {
			if (i - trying <= nzero) {
				trying = -1;
				continue;
			}
			first = trying;
			nzero = i - i % 2 - trying;
			trying = -1;
			if (a[i] == 0 && i == 15)
				nzero += 2;
		}
	}

	out[e] = '\0';
	bool mapped = all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff;
	bool compat = all_zero(a, 12) && !(all_zero(a + 12, 3) && a[15] <= 1);
	if (mapped || compat) {
		put_quad(out, &e, a + 12);
		if (!ntop)
			return e;
		v6end = 10;
	}
	for (int i = v6end; i >= 0; i -= 2) {
		if (e < 5)
			break; /* cannot happen: the longest text is 45 bytes */
		if (i == first + nzero - 2) {
			out[--e] = ':';
			out[--e] = ':';
			i -= nzero - 2;
			continue;
		}
		if (i < 14 && i != first - 2)
			out[--e] = ':';
		unsigned v = ((unsigned)a[i] << 8) | a[i + 1];
		if (v == 0)
			out[--e] = '0';
		for (; v != 0; v >>= 4)
			out[--e] = hex[v & 0xf];
	}
	return e;
}
