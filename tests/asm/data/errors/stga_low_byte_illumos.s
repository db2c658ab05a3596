.difo a
	stga DT_VAR(515), %r4, %r4
