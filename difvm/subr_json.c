/*
 * json(json, selector) (dif-isa.md section 6): a one-pass state machine
 * that knows just enough JSON to find one value, reading at most strsize
 * bytes, with the same acceptance rules as DTrace's: the text must start
 * with an object or array (a top-level scalar is "not found"); a selected
 * value comes back as its JSON text, a nested object or array whole, a
 * string without its quotes and with its escapes kept.
 *
 * Like DTrace's, the scanner works in its result buffer: every key and
 * value it gathers is written there from the buffer's start, NUL-ended
 * when it is complete, and the buffer is not cleared between them, so
 * what a longer key or value left stays behind a shorter one's NUL
 * (docs/conventions.md, Decision 31). The selector arrives as DTrace's
 * packed element list ("a.b[0].c" is "a\0b\0" "0\0c\0").
 */
#include <string.h>

#include "subr_str.h"

enum jstate {
	J_REST,      /* before the top-level object or array */
	J_OBJECT,    /* expecting a key string */
	J_STRING,
	J_ESCAPE,
	J_UNICODE,
	J_COLON,
	J_COMMA,
	J_VALUE,
	J_IDENT,     /* true, false, null */
	J_NUMBER,
	J_FRAC,
	J_EXP,
	J_COLLECT,   /* a nested object or array, kept or skipped whole */
};

unsigned dif_s_json_elems(struct dif_src *sel, char *out)
{
	unsigned n = 1;
	size_t w = 0;
	for (size_t p = 0; p < sel->len; p++) {
		int c = dif_src_at(sel, p);
		/* a leading '[' (an index first) and every ']' are dropped;
		 * '.' and '[' end an element */
		if ((p == 0 && c == '[') || c == ']')
			continue;
		if (c == '.' || c == '[') {
			n++;
			c = 0;
		}
		out[w++] = (char)c;
	}
	out[w] = 0;
	return n;
}

/* An array index: the element read by strtoll in base 10. */
static int64_t elem_index(const char *e, uint64_t size)
{
	struct dif_src s = dif_src_mem(e, strlen(e));
	return dif_s_strtoll(&s, 10, (size_t)size);
}

static bool j_space(int c, bool illumos)
{
	if (illumos)
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool j_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static bool j_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool j_xdigit(int c)
{
	return j_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool dif_s_json(struct dif_src *json, const char *elems, unsigned nelems,
                uint64_t size, bool illumos, char *out, size_t cap)
{
	enum jstate st = J_REST;
	int64_t want = INT64_MIN, pos = 0;
	unsigned ucount = 0;
	bool is_key = false, collecting = false, found = false, in_array = false;
	uint32_t braces = 0, brackets = 0;
	size_t d = 0; /* bytes of the key or value being gathered in out */
	const char *elem = elems;

	/* d never reaches cap: each text byte adds at most one byte and the
	 * first one ('{' or '[') none, and the text ends by its NUL at
	 * cap - 1 or by the strsize bound (cap - 1 = strsize then) */
#define PUT(ch)                          \
	do {                             \
		if (d + 1 >= cap)        \
			return false;    \
		out[d++] = (char)(ch);   \
	} while (0)
#define END() (out[d] = '\0', d = 0)

	for (uint64_t cur = 0; cur < size; cur++) {
		int c = dif_src_at(json, (size_t)cur);
		if (c == '\0')
			return false;

		switch (st) {
		case J_REST:
			if (j_space(c, illumos))
				break;
			if (c == '{') {
				st = J_OBJECT;
				break;
			}
			if (c == '[') {
				in_array = true;
				pos = 0;
				want = elem_index(elem, size);
				found = want == 0;
				st = J_VALUE;
				break;
			}
			return false; /* no top-level object or array */
		case J_OBJECT:
			if (j_space(c, illumos))
				break;
			if (c == '"') {
				st = J_STRING;
				is_key = true;
				break;
			}
			return false; /* no key, or end of object: not found */
		case J_STRING:
			if (c == '\\') {
				PUT('\\');
				st = J_ESCAPE;
				break;
			}
			if (c == '"') {
				if (collecting) {
					PUT(c); /* part of an object being gathered */
					collecting = false;
					st = J_COLLECT;
					break;
				}
				END();
				if (is_key) {
					if (strcmp(out, elem) == 0)
						found = true;
				} else if (found) {
					return nelems == 1; /* a string, not an object */
				}
				st = is_key ? J_COLON : J_COMMA;
				is_key = false;
				break;
			}
			PUT(c);
			break;
		case J_ESCAPE:
			PUT(c);
			if (c == 'u') {
				ucount = 0;
				st = J_UNICODE;
			} else {
				st = J_STRING;
			}
			break;
		case J_UNICODE:
			if (!j_xdigit(c))
				return false;
			PUT(c);
			if (++ucount == 4)
				st = J_STRING;
			break;
		case J_COLON:
			if (j_space(c, illumos))
				break;
			if (c == ':') {
				st = J_VALUE;
				break;
			}
			return false;
		case J_COMMA:
			if (j_space(c, illumos))
				break;
			if (c == ',') {
				if (in_array) {
					st = J_VALUE;
					if (++pos == want)
						found = true;
				} else {
					st = J_OBJECT;
				}
				break;
			}
			return false; /* end of the container: not found */
		case J_IDENT:
			if (j_lower(c)) {
				PUT(c);
				break;
			}
			END();
			if (strcmp(out, "true") == 0 || strcmp(out, "false") == 0 ||
			    strcmp(out, "null") == 0) {
				if (found)
					return nelems == 1;
				cur--; /* this character ends the value: see it again */
				st = J_COMMA;
				break;
			}
			return false;
		case J_NUMBER:
			if (c == '.') {
				PUT(c);
				st = J_FRAC;
				break;
			}
			if (c == 'x' || c == 'X')
				return false;
			/* FALLTHROUGH */
		case J_FRAC:
			if (c == 'e' || c == 'E') {
				PUT(c);
				st = J_EXP;
				break;
			}
			if (c == '+' || c == '-')
				return false;
			/* FALLTHROUGH */
		case J_EXP:
			if (j_digit(c) || c == '+' || c == '-') {
				PUT(c);
				break;
			}
			END();
			if (found)
				return nelems == 1;
			cur--;
			st = J_COMMA;
			break;
		case J_VALUE:
			if (j_space(c, illumos))
				break;
			if (c == '{' || c == '[') {
				if (nelems > 1 && found) {
					/* Descend: the next element selects here. */
					in_array = c == '[';
					elem += strlen(elem) + 1;
					nelems--;
					d = 0;
					if (in_array) {
						st = J_VALUE;
						pos = 0;
						want = elem_index(elem, size);
						found = want == 0;
					} else {
						found = false;
						st = J_OBJECT;
					}
					break;
				}
				if (c == '[')
					brackets = 1;
				else
					braces = 1;
				PUT(c);
				st = J_COLLECT;
				break;
			}
			if (c == '"') {
				st = J_STRING;
				break;
			}
			if (j_lower(c)) {
				PUT(c);
				st = J_IDENT;
				break;
			}
			if (c == '-' || j_digit(c)) {
				PUT(c);
				st = J_NUMBER;
				break;
			}
			return false;
		case J_COLLECT:
			PUT(c);
			if (c == '"') {
				collecting = true;
				st = J_STRING;
				break;
			}
			if (c == ']') {
				if (brackets-- == 0)
					return false;
			} else if (c == '}') {
				if (braces-- == 0)
					return false;
			} else if (c == '{') {
				braces++;
			} else if (c == '[') {
				brackets++;
			}
			if (brackets == 0 && braces == 0) {
				if (found) {
					out[d] = '\0';
					return true;
				}
				d = 0;
				st = J_COMMA;
			}
			break;
		}
	}
	return false;
#undef PUT
#undef END
}
