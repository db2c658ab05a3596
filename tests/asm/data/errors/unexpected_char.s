.difo a
	setx &, %r1
