# Golden diagnostics of the verifier (difcheck text, --json, --sarif).
.difo divide
.return int 8
	ldga args, %r0, %r1
	ldub [%r1], %r2
	udiv %r1, %r2, %r3
	setx 0, %r4
	urem %r1, %r4, %r5
	ret  %r3
.difo guarded
.return int 8
	ldga args, %r0, %r1
	ldub [%r1], %r2
	tst  %r2
	be   zero
	udiv %r1, %r2, %r3
	ret  %r3
zero:
	ret  %r0
.difo memory
.return int 8
	setx 16, %r1
	allocs %r1, %r2
	setx 1, %r3
	add  %r2, %r3, %r4
	sets "abc", %r5
	ldga args, %r0, %r6
	tst  %r6
	be   str
	sth  %r3, [%r4]
str:
	stb  %r3, [%r5]
	ret  %r0
.difo strings
.return string 256
	flushts
	setx 5, %r1
	pushtr string, %r0, %r1
	call strlen, %r2
	ba   out
	nop
out:
	ret  %r2
.difo undefined
.return int 8
	ldga args, %r0, %r1
	tst  %r1
	be   skip
	setx 7, %r2
skip:
	sll  %r1, %r2, %r3
	ret  %r3
