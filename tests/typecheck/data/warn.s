# Warnings only: a divisor that may be 0, a size from the input.
.difo warn
	ldga args, %r0, %r1
	ldub [%r1], %r2
	udiv %r1, %r2, %r3
	allocs %r3, %r4
	ret  %r3
.difo fits
	setx 16, %r1
	allocs %r1, %r2
	ret  %r0
