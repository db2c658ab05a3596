# Faults DIVZERO at pc 2 when arg0 is 0, else returns 100 / arg0.
.difo div
.return int 8
	setx 100, %r1
	ldgs arg0, %r2
	udiv %r1, %r2, %r3
	ret  %r3

.difo name
.return string 256
	ldgs execname, %r1
	ret  %r1

.difo peek
.return int 8
	setx 0x1000, %r1
	ldx  [%r1], %r1
	ret  %r1

.difo count
.return int 8
.var n global scalar id=0x500 type=int8
	ldgs n, %r1
	setx 1, %r2
	add  %r1, %r2, %r1
	stgs %r1, n
	ret  %r1
