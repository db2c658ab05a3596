.difo a
	ldga DT_VAR(256), %r1, %r2
