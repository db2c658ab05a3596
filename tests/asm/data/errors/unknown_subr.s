.difo a
	call frobnicate, %r1
