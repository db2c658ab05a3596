.difo a
	xlate 3, %r1
