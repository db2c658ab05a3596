.difo a
	ldgs DT_VAR(), %r1
