/*
 * String, path and number algorithms of the DIF subroutines (dif-isa.md
 * section 6). Each one reproduces DTrace's observable results, including
 * its odd corners (noted where they matter); see subr_str.h.
 */
#include "subr_str.h"

#define AT(s, i) dif_src_at((s), (i))

/* Copies s[from..to] (inclusive) into out, bounded by cap. */
static size_t copy_range(struct dif_src *s, size_t from, size_t to, char *out,
                         size_t cap)
{
	size_t j = 0;
	for (size_t i = from; i <= to && j + 1 < cap; i++)
		out[j++] = (char)AT(s, i);
	out[j] = '\0';
	return j;
}

static size_t put_str(const char *lit, char *out, size_t cap)
{
	size_t j = 0;
	while (lit[j] && j + 1 < cap) {
		out[j] = lit[j];
		j++;
	}
	out[j] = '\0';
	return j;
}

/* Splits a path into its last component [*bfirst, *blast] and the end of
 * the directory part *dlast. Returns 0 for "", 1 for all slashes, 2 for a
 * name without a slash, 3 otherwise (*dlast < 0: directory is "/"). */
static int split_path(struct dif_src *s, size_t *bfirst, size_t *blast,
                      long *dlast)
{
	size_t len = s->len;
	size_t i = len;

	if (len == 0)
		return 0;
	while (i > 0 && AT(s, i - 1) == '/')
		i--;
	if (i == 0)
		return 1;
	*blast = i - 1;
	while (i > 0 && AT(s, i - 1) != '/')
		i--;
	*bfirst = i;
	if (i == 0)
		return 2;
	while (i > 0 && AT(s, i - 1) == '/')
		i--;
	*dlast = (long)i - 1;
	return 3;
}

size_t dif_s_basename(struct dif_src *s, char *out, size_t cap)
{
	size_t bf = 0, bl = 0;
	long dl = -1;

	switch (split_path(s, &bf, &bl, &dl)) {
	case 0:
		return put_str(".", out, cap);
	case 1:
		return put_str("/", out, cap);
	default:
		return copy_range(s, bf, bl, out, cap);
	}
}

size_t dif_s_dirname(struct dif_src *s, char *out, size_t cap)
{
	size_t bf = 0, bl = 0;
	long dl = -1;

	switch (split_path(s, &bf, &bl, &dl)) {
	case 0:
	case 2:
		return put_str(".", out, cap);
	case 1:
		return put_str("/", out, cap);
	default:
		/* Only slashes before the name: the directory is the root. */
		if (dl < 0)
			return put_str("/", out, cap);
		return copy_range(s, 0, (size_t)dl, out, cap);
	}
}

size_t dif_s_cleanpath(struct dif_src *s, char *out, size_t cap,
                       size_t *wrote)
{
	size_t i = 0, j = 0, hi = 0;
	int c;

	/* out is the scratch buffer, worked in place as DTrace does: a path
	 * that backs up to the root before writing anything ("/..") leaves
	 * its stale byte 0 as the result's first byte (Decision 25), and
	 * what a "/.." dropped stays after the result's NUL (Decision 31). */
#define PUT(at, v) (out[at] = (char)(v), hi = (at) + 1 > hi ? (at) + 1 : hi)
	do {
		c = AT(s, i);
		i++;
	again:
		/* Room for "/..c" plus the NUL, as DTrace reserves. */
		if (j + 5 >= cap)
			break;
		if (c != '/') {
			PUT(j, c);
			j++;
			continue;
		}
		c = AT(s, i);
		i++;
		if (c == '/')
			goto again; /* "//" */
		if (c != '.') {
			PUT(j, '/');
			PUT(j + 1, c);
			j += 2;
			continue;
		}
		c = AT(s, i);
		i++;
		if (c == '/')
			goto again; /* "/./" */
		if (c != '.') {
			PUT(j, '/');
			PUT(j + 1, '.');
			PUT(j + 2, c);
			j += 3;
			continue;
		}
		c = AT(s, i);
		i++;
		if (c != '/' && c != '\0') {
			PUT(j, '/');
			PUT(j + 1, '.');
			PUT(j + 2, '.');
			PUT(j + 3, c);
			j += 4;
			continue;
		}
		/* "/../" or "/..": drop the last component written; the slash
		 * that follows is read again. */
		i--;
		while (j != 0 && out[--j] != '/')
			;
		if (c == '\0') {
			j++;
			PUT(j, '/');
		}
	} while (c != '\0');
	/* a path's own NUL was copied as a character: this one follows it */
	PUT(j, '\0');
#undef PUT
	if (wrote)
		*wrote = hi;
	for (j = 0; out[j]; j++)
		;
	return j;
}

/* Two's complement addition, as DTrace's int64 arithmetic behaves. */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

size_t dif_s_substr(struct dif_src *s, int64_t index, bool have_count,
                    int64_t count, uint64_t size, char *out, size_t cap)
{
	int64_t len = (int64_t)s->len;
	int64_t rem = have_count ? count : (int64_t)size;
	size_t j = 0;

	/* DTrace's steps, with its sums wrapping on overflow. */
	if (index < 0) {
		index = wadd(index, len);
		if (index < 0 && wadd(index, rem) > 0) {
			rem = wadd(rem, index);
			index = 0;
		}
	}
	if (index >= len || index < 0)
		rem = 0;
	else if (rem < 0)
		rem = wadd(rem, len - index);
	else if ((uint64_t)index + (uint64_t)rem > size) /* unsigned compare */
		rem = (int64_t)(size - (uint64_t)index);

	for (int64_t i = 0; i < rem && j + 1 < cap; i++) {
		int c = AT(s, (size_t)index + (size_t)i);
		if (c == '\0')
			break;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return j;
}

size_t dif_s_case(struct dif_src *s, bool upper, char *out, size_t cap)
{
	size_t j = 0;
	for (; j + 1 < cap; j++) {
		int c = AT(s, j);
		if (c == '\0')
			break;
		if (upper && c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		else if (!upper && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		out[j] = (char)c;
	}
	out[j] = '\0';
	return j;
}

size_t dif_s_strchr(struct dif_src *s, bool term, uint8_t c, bool last)
{
	size_t n = s->len + (term ? 1u : 0u);
	size_t found = DIF_S_NONE;

	for (size_t i = 0; i < n; i++) {
		int ch = AT(s, i);
		if (ch == c) {
			found = i;
			if (!last)
				break;
		}
		if (ch == '\0')
			break;
	}
	return found;
}

/* True when sub occurs in s at offset p (p <= s->len). */
static bool match_at(struct dif_src *s, struct dif_src *past, size_t p,
                     struct dif_src *sub)
{
	for (size_t k = 0; k < sub->len; k++) {
		size_t i = p + k;
		int c = i < s->len ? AT(s, i) : past ? AT(past, i) : 0;
		if (c != AT(sub, k))
			return false;
	}
	return true;
}

size_t dif_s_strstr(struct dif_src *s, struct dif_src *past,
                    struct dif_src *sub)
{
	if (s->len == 0 && sub->len == 0)
		return 0;
	for (size_t p = 0; p < s->len; p++)
		if (match_at(s, past, p, sub))
			return p;
	return DIF_S_NONE;
}

int64_t dif_s_index(struct dif_src *s, struct dif_src *past,
                    struct dif_src *sub, bool have_start, int64_t start,
                    bool reverse)
{
	int64_t len = (int64_t)s->len;
	int64_t pos = reverse ? len : 0;

	if (len == 0 && sub->len == 0)
		return 0; /* whatever the position */
	if (have_start) {
		/* Perl's rules, including its answers for an empty needle. */
		if (reverse) {
			if (start < 0)
				return sub->len == 0 ? 0 : -1;
			if (start > len)
				start = len;
		} else {
			if (start < 0)
				start = 0;
			if (start >= len)
				return sub->len == 0 ? len : -1;
		}
		pos = start;
	}
	if (reverse) {
		for (int64_t p = pos; p >= 0; p--)
			if (match_at(s, past, (size_t)p, sub))
				return p;
	} else {
		for (int64_t p = pos; p < len; p++)
			if (match_at(s, past, (size_t)p, sub))
				return p;
	}
	return -1;
}

bool dif_s_strtok(struct dif_src *s, size_t from, size_t lim,
                  struct dif_src *delim, char *out, size_t cap, size_t *next)
{
	uint8_t map[32] = {0};
	size_t i = from, j = 0;
	int c = 0;

	/* delim covers its NUL when it has one; the last byte read here
	 * decides when the skip loop reads nothing (DTrace). */
	for (size_t k = 0; k < delim->len; k++) {
		c = AT(delim, k);
		if (c == '\0')
			break;
		map[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
#define ISDELIM(ch) (map[(ch) >> 3] & (1u << ((ch) & 7)))
	for (; i < lim; i++) {
		c = AT(s, i);
		if (c == '\0' || !ISDELIM(c))
			break;
	}
	/* Only delimiters up to the end of the range (no NUL seen) still
	 * give a token, an empty one, as in DTrace. */
	if (c == '\0')
		return false;
	for (; i < lim && j + 1 < cap; i++) {
		c = AT(s, i);
		if (c == '\0' || ISDELIM(c))
			break;
		out[j++] = (char)c;
	}
#undef ISDELIM
	out[j] = '\0';
	*next = i;
	return true;
}

bool dif_s_strjoin(struct dif_src *a, struct dif_src *b, char *out, size_t cap)
{
	size_t j = 0;

	if (a->len >= cap || b->len >= cap - a->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		out[j++] = (char)AT(a, i);
	for (size_t i = 0; i < b->len; i++)
		out[j++] = (char)AT(b, i);
	out[j] = '\0';
	return true;
}

bool dif_s_base_ok(uint64_t arg, unsigned *base)
{
	/* DTrace stores the argument in an int first. */
	int32_t b = (int32_t)(uint32_t)arg;
	if (b <= 1 || b > 36)
		return false;
	*base = (unsigned)b;
	return true;
}

size_t dif_s_lltostr(int64_t v, unsigned base, char out[DIF_LLTOSTR_SIZE])
{
	size_t e = DIF_LLTOSTR_SIZE - 1;
	/* Only base 10 is signed; other bases print the two's complement. */
	uint64_t val = (base == 10 && v < 0) ? 0 - (uint64_t)v : (uint64_t)v;

	out[e] = '\0';
	if (base < 2 || base > 36)
		return e;
	for (; val != 0; val /= base) {
		unsigned d = (unsigned)(val % base);
		out[--e] = (char)(d < 10 ? '0' + d : 'a' + (d - 10));
	}
	if (v == 0 && base == 16)
		out[--e] = '0';
	if (base == 16)
		out[--e] = 'x';
	if (v == 0 || base == 8 || base == 16)
		out[--e] = '0';
	if (v < 0 && base == 10)
		out[--e] = '-';
	return e;
}

static int digit_of(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static bool is_xdigit(int c)
{
	return digit_of(c) < 16;
}

int64_t dif_s_strtoll(struct dif_src *s, unsigned base, size_t lim)
{
	size_t pos = 0;
	uint64_t val = 0;
	bool neg = false;
	int c;

	while ((c = AT(s, pos)) == ' ' || c == '\t')
		pos++;
	if (c == '-' || c == '+') {
		neg = c == '-';
		c = AT(s, ++pos);
	}
	if (base == 16 && c == '0') {
		int x = AT(s, pos + 1);
		if ((x == 'x' || x == 'X') && is_xdigit(AT(s, pos + 2))) {
			pos += 2;
			c = AT(s, pos);
		}
	}
	/* Wraps on overflow like DTrace's loop (done unsigned here). */
	/* Only the digits are bounded; the byte after the last one is read
	 * even at the limit (DTrace). */
	for (; pos < lim && c != '\0'; c = AT(s, ++pos)) {
		int d = digit_of(c);
		if (d >= (int)base)
			break;
		val = val * base + (unsigned)d;
	}
	return (int64_t)(neg ? 0 - val : val);
}
