# One of every instruction class under the FreeBSD profile, with every
# comment form dtrace -S prints.
.difo every_class
.return ctf struct 780 byref
.ptr 0x8071c48
.var x global scalar id=0x500 type=int4
.var ts thread array id=0x500 type=string:128
.var loc local scalar id=0x501 type=ctf:pointer:8
.var raw global scalar id=0x502 type=ctf:union:16:byuref flags=0x4/r
entry:
	or   %r1, %r2, %r3
	xor  %r1, %r2, %r3
	and  %r1, %r2, %r3
	sll  %r1, %r2, %r3
	srl  %r1, %r2, %r3
	sub  %r1, %r2, %r3
	add  %r1, %r2, %r3
	mul  %r1, %r2, %r3
	sdiv %r1, %r2, %r3
	udiv %r1, %r2, %r3
	srem %r1, %r2, %r3
	urem %r1, %r2, %r3
	sra  %r1, %r2, %r3
	copys %r1, %r2, %r3
	not  %r4, %r5
	mov  %r4, %r5
	allocs %r4, %r5
	cmp  %r6, %r7
	scmp %r6, %r7
	tst  %r6
	ba   next
next:	be   next2
next2:
	bne  entry
	bg   3
	bgu  3
	bge  3
	bgeu 3
	bl   3
	blu  3
	ble  3
	bleu 3
	ldsb [%r1], %r2
	ldsh [%r1], %r2
	ldsw [%r1], %r2
	ldub [%r1], %r2
	lduh [%r1], %r2
	lduw [%r1], %r2
	ldx  [%r1], %r2
	uldsb [%r1], %r2
	uldsh [%r1], %r2
	uldsw [%r1], %r2
	uldub [%r1], %r2
	ulduh [%r1], %r2
	ulduw [%r1], %r2
	uldx [%r1], %r2
	rldsb [%r1], %r2
	rldsh [%r1], %r2
	rldsw [%r1], %r2
	rldub [%r1], %r2
	rlduh [%r1], %r2
	rlduw [%r1], %r2
	rldx [%r1], %r2
	stb  %r1, [%r2]
	sth  %r1, [%r2]
	stw  %r1, [%r2]
	stx  %r1, [%r2]
	nop
	setx 1, %r1
	setx -1, %r1
	setx 0xff, %r1
	setx 1, %r2		; deduplicated: same index as the first
	setx DT_INTEGER[7], %r1	; out of range: no comment
	sets "", %r1
	sets "hello", %r1
	sets "say \"hi\"\t!", %r1
	sets "hello", %r2
	sets DT_STRING[4000], %r1
	ldga args, %r1, %r2
	ldga DT_VAR(2), %r1, %r2
	ldta DT_VAR(0), %r1, %r2
	ldgs x, %r1
	ldgs pid, %r1
	ldgs execname, %r1
	stgs %r1, x
	ldts DT_VAR(1280), %r1		! the comment matches id and scope, not kind
	stts %r1, DT_VAR(1280)
	ldtaa ts, %r1
	sttaa %r1, ts
	ldgaa DT_VAR(1280), %r1
	stgaa %r1, x
	ldls loc, %r1
	stls %r1, loc
	ldgs raw, %r1
	flushts
	pushtv ctf, %r1
	pushtv DT_TYPE(1), %r1
	pushtv DT_TYPE(7), %r1
	pushtr string, %r2, %r1
	pushtr DT_TYPE(0), %r0, %r1
	pushtr DT_TYPE(9), %r0, %r1
	popts
	call strlen, %r1
	call DIF_SUBR(12), %r1
	call DIF_SUBR(200), %r1
	call 45, %r1
	xlate DT_XLREF[3], %r1
	xlarg DT_XLREF[0], %r2
	.word 0x00000000
	.word 0x50010203
	.word 0xff123456
	.word 0x0e01ff02
	ret  %r1
