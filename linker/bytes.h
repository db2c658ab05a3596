/*
 * Byte-order helpers and the 20-byte variable record (dtrace_difv_t
 * layout) shared by the object format and DOF. Internal; not installed.
 */
#ifndef DIFVM_LINKER_BYTES_H
#define DIFVM_LINKER_BYTES_H

#include <stdint.h>

#include "difvm/difvm.h"

#define LB_VAR_SIZE 20u

static inline uint64_t lb_get(const uint8_t *p, unsigned n, int msb)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[msb ? n - 1 - i : i] << (8 * i);
	return v;
}

static inline void lb_put(uint8_t *p, uint64_t v, unsigned n, int msb)
{
	for (unsigned i = 0; i < n; i++)
		p[msb ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline int lb_host_msb(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one == 0;
}

/* dtrace_diftype_t: kind, ckind, flags, pad, u32 size. */
static inline void lb_get_type(const uint8_t *p, int msb, struct dif_type *t)
{
	t->kind = p[0];
	t->ckind = p[1];
	t->flags = p[2];
	t->pad = p[3];
	t->size = (uint32_t)lb_get(p + 4, 4, msb);
}

static inline void lb_put_type(uint8_t *p, const struct dif_type *t, int msb)
{
	p[0] = t->kind;
	p[1] = t->ckind;
	p[2] = t->flags;
	p[3] = t->pad;
	lb_put(p + 4, t->size, 4, msb);
}

/* dtrace_difv_t: name, id, kind, scope, u16 flags, type. */
static inline void lb_get_var(const uint8_t *p, int msb, struct dif_var *v)
{
	v->name = (uint32_t)lb_get(p, 4, msb);
	v->id = (uint32_t)lb_get(p + 4, 4, msb);
	v->kind = p[8];
	v->scope = p[9];
	v->flags = (uint16_t)lb_get(p + 10, 2, msb);
	lb_get_type(p + 12, msb, &v->type);
}

static inline void lb_put_var(uint8_t *p, const struct dif_var *v, int msb)
{
	lb_put(p, v->name, 4, msb);
	lb_put(p + 4, v->id, 4, msb);
	p[8] = v->kind;
	p[9] = v->scope;
	lb_put(p + 10, v->flags, 2, msb);
	lb_put_type(p + 12, &v->type, msb);
}

#endif
