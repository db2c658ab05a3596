.difo a
	ret  %r1, %r2, %r3, %r4
