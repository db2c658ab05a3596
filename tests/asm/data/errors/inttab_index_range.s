.difo a
	setx DT_INTEGER[65536], %r1
