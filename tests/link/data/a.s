# a.s: counts[execname]++ and x = 1
.difo count
.var counts global array type=int8
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	ldgaa counts, %r2
	setx 1, %r3
	add  %r2, %r3, %r2
	flushts
	pushtr string, %r0, %r1
	stgaa %r2, counts
	ret  %r2
.difo setx
.var x global scalar type=int4
.var name global scalar type=string
	setx 1, %r1
	stgs %r1, x
	sets "hello", %r2
	stgs %r2, name
	ret %r1
