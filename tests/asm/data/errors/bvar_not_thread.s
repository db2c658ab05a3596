.difo a
	ldts pid, %r1
