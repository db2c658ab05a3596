.difo a
	ldgs DT_VAR(65536), %r1
