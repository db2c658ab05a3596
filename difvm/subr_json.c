/*
 * json(json, selector) (dif-isa.md section 6): a one-pass state machine
 * that knows just enough JSON to find one value, reading at most strsize
 * bytes, with the same acceptance rules as DTrace's: the text must start
 * with an object or array (a top-level scalar is "not found"); a selected
 * value comes back as its JSON text, a nested object or array whole, a
 * string without its quotes and with its escapes kept.
 *
 * The selector "a.b[0].c" is a list of elements split at '.' and '[',
 * with ']' dropped and a leading '[' ignored: "a", "b", "0", "c".
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

/* Cursor over the current selector element. */
struct jsel {
	struct dif_src *s;
	size_t start; /* raw offset of the current element */
	unsigned left; /* elements left including the current one */
};

/* Next character of the element starting at raw offset *p, or -1 at its
 * end. */
static int sel_next(struct jsel *js, size_t *p)
{
	while (*p < js->s->len) {
		int c = dif_src_at(js->s, *p);
		if (c == ']' || (*p == 0 && c == '[')) {
			(*p)++;
			continue;
		}
		if (c == '.' || c == '[')
			return -1;
		(*p)++;
		return c;
	}
	return -1;
}

static unsigned sel_count(struct dif_src *s)
{
	unsigned n = 1;
	for (size_t p = 0; p < s->len; p++) {
		int c = dif_src_at(s, p);
		if ((c == '.' || c == '[') && !(p == 0 && c == '['))
			n++;
	}
	return n;
}

static void sel_advance(struct jsel *js)
{
	size_t p = js->start;
	while (sel_next(js, &p) >= 0)
		;
	js->start = p < js->s->len ? p + 1 : p; /* past the separator */
	js->left--;
}

/* True when the key text equals the current element. */
static bool sel_equal(struct jsel *js, const char *key, size_t keylen)
{
	size_t p = js->start, k = 0;
	int c;
	while ((c = sel_next(js, &p)) >= 0) {
		if (k >= keylen || (uint8_t)key[k] != c)
			return false;
		k++;
	}
	return k == keylen;
}

/* The element read as a base-10 number (DTrace uses strtoll on it). */
static int64_t sel_number(struct jsel *js)
{
	size_t p = js->start;
	uint64_t val = 0;
	bool neg = false;
	int c = sel_next(js, &p);

	while (c == ' ' || c == '\t')
		c = sel_next(js, &p);
	if (c == '-' || c == '+') {
		neg = c == '-';
		c = sel_next(js, &p);
	}
	for (; c >= '0' && c <= '9'; c = sel_next(js, &p))
		val = val * 10 + (unsigned)(c - '0');
	return (int64_t)(neg ? 0 - val : val);
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

bool dif_s_json(struct dif_src *json, struct dif_src *sel, uint64_t size,
                bool illumos, char *out, size_t cap)
{
	enum jstate st = J_REST;
	int64_t want = INT64_MIN, pos = 0;
	unsigned ucount = 0;
	bool is_key = false, collecting = false, found = false, in_array = false;
	uint32_t braces = 0, brackets = 0;
	size_t d = 0; /* bytes of the value being gathered in out */
	struct jsel js = { sel, 0, sel_count(sel) };

#define PUT(ch)                          \
	do {                             \
		if (d + 1 >= cap)        \
			return false;    \
		out[d++] = (char)(ch);   \
	} while (0)
#define END() (out[d] = '\0')

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
				want = sel_number(&js);
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
				size_t n = d;
				d = 0;
				if (is_key) {
					if (sel_equal(&js, out, n))
						found = true;
				} else if (found) {
					return js.left == 1; /* a string, not an object */
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
			d = 0;
			if (strcmp(out, "true") == 0 || strcmp(out, "false") == 0 ||
			    strcmp(out, "null") == 0) {
				if (found)
					return js.left == 1;
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
			d = 0;
			if (found)
				return js.left == 1;
			cur--;
			st = J_COMMA;
			break;
		case J_VALUE:
			if (j_space(c, illumos))
				break;
			if (c == '{' || c == '[') {
				if (js.left > 1 && found) {
					/* Descend: the next element selects here. */
					in_array = c == '[';
					sel_advance(&js);
					d = 0;
					if (in_array) {
						st = J_VALUE;
						pos = 0;
						want = sel_number(&js);
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
					END();
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
