.difo a
	ldgs args, %r1
