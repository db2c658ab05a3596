.difo a
L1:
	nop
L1:	ret %r0
