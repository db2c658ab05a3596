.difo a
	ldgs nosuchvar, %r1
