# The illumos-only parts: opcode 80 (stga), subroutine numbers from 44 up,
# built-in variables, and hexadecimal variable-table ids.
.difo illumos_parts
.return string 256
.var counts global array type=int8
.var name global scalar type=string
	ldga args, %r1, %r2
	stga uregs, %r3, %r4		; array id 2, index %r3, value %r4
	stga DT_VAR(515), %r3, %r4	; the same word as dtrace -S shows it
	stga DT_VAR(1282), %r2, %r1
	call getmajor, %r1
	call 44, %r1
	call DIF_SUBR(52), %r1
	ldgs zonename, %r1
	ldgs execname, %r1
	flushts
	pushtr string, %r0, %r1
	ldgaa counts, %r2
	stgaa %r2, counts
	sets "/dev/null", %r3
	stgs %r3, name
	.word 0x55000000
	ret  %r3
