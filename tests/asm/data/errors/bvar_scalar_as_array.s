.difo a
	ldga pid, %r1, %r2
