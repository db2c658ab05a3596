.difo a
	ad   %r1, %r2, %r3
