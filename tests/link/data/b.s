# b.s: declares its own variables first, so their ids differ from a.s's
.difo readx
.var y global scalar type=int8
.var x global scalar type=int8
.var t thread scalar type=int8
	ldgs x, %r1
	setx 1, %r2
	add %r1, %r2, %r1
	stgs %r1, y
	stts %r1, t
	sets "hello", %r3
	ret %r1
.difo readcount
.var counts global array type=int8
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	ldgaa counts, %r2
	ret %r2
