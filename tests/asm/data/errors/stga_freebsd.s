.difo a
	stga DT_VAR(515), %r3, %r4
